import type { JobDefinition } from './job.js'

/**
 * Rejects referrals whose consent request ran out (`expired`) and purges the personal
 * fields of never-consented referrals past REFERRAL_PURGE_AFTER_DAYS (docs/referrals.md).
 * Returns the counts of one pass as of `now`.
 */
export const consentExpiryJob: JobDefinition = {
  name: 'referral-consent-expiry',
  cron: (config) => config.CONSENT_EXPIRY_CRON,
  run: (services, now) => services.referrals.expireConsents(now)
}
