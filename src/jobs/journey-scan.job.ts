import type { JobDefinition } from './job.js'

/**
 * Journeys' scanned triggers (docs/automation.md, "Triggers"): audience entry and leave
 * against each journey's membership snapshot, and (at most hourly) inactivity and dates in
 * REPORTING_TIMEZONE. A journey that fails is logged and counted; the others go on.
 */
export const journeyScanJob: JobDefinition = {
  name: 'journey-scan',
  cron: (config) => config.JOURNEY_SCAN_CRON,
  run: (services, now, io) => services.journeyEngine.scan(now, (err, item) => io?.itemFailed(err, item))
}
