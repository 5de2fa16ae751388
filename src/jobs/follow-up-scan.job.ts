import type { JobDefinition } from './job.js'

/** Follow-up SLAs: missed first contacts, due follow-ups, dormant leads (src/rules/follow-up.ts). */
export const followUpScanJob: JobDefinition = {
  name: 'lead-follow-up-scan',
  cron: (config) => config.FOLLOW_UP_SCAN_CRON,
  run: (services, now) => services.leads.followUpScan(now)
}
