import type { ConsentRecord } from '../../db/schema/customers.js'
import type { ReferralConsent } from '../../db/schema/referrals.js'
import type { ConsentAnswer } from './referrals.schemas.js'
import { hashToken, newToken } from '../common/tokens.js'

/**
 * Consent tokens (PIPL double confirmation), made by common/tokens.ts: only the SHA-256 is
 * stored, so a leaked database cannot confirm anyone's consent; the token is single-use
 * (the hash is cleared when it is answered) and expires.
 */
export type IssuedToken = { token: string; hash: string; expiresAt: Date }

const HOUR = 3_600_000

export const hashConsentToken = hashToken
export const newConsentToken = newToken

export function issueConsentToken(now: Date, ttlHours: number): IssuedToken {
  return { ...newConsentToken(), expiresAt: new Date(now.getTime() + ttlHours * HOUR) }
}

/** The consent record kept on the referral: who answered, when, how, for what, from where. */
export function consentRecord(answer: ConsentAnswer, now: Date, ip: string | null): ReferralConsent {
  return {
    granted: answer.granted, at: now.toISOString(), channel: answer.channel.trim(), purpose: answer.purpose.trim(), by: answer.by.trim(),
    ...(ip ? { ip } : {})
  }
}

/**
 * The customer's consent record carried over from the referral it came from (PIPL: the
 * answer the person gave stays with them): when, how and for what; who answered and which
 * referral go in the note. The answering IP stays on the referral.
 */
export function customerConsentFrom(referralId: string, consent: ReferralConsent): ConsentRecord {
  return {
    granted: consent.granted, at: consent.at, channel: consent.channel, purpose: consent.purpose,
    note: `given on referral ${referralId}, answered by ${consent.by}`.slice(0, 500)
  }
}
