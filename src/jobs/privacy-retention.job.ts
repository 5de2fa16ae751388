import type { JobDefinition } from './job.js'

/** Erases personal fields past their retention (docs/privacy.md, Retention). */
export const privacyRetentionJob: JobDefinition = {
  name: 'privacy-retention',
  cron: (config) => config.RETENTION_CRON,
  run: (services, now) => services.retention.run(now)
}
