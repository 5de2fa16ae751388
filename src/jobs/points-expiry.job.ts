import type { JobDefinition } from './job.js'

/** Points expiry: writes off the lots whose expiry has come, set-based, batch by batch (docs/loyalty.md, "Expiry"). */
export const pointsExpiryJob: JobDefinition = {
  name: 'points-expiry',
  cron: (config) => config.POINTS_EXPIRY_CRON,
  run: (services, now) => services.points.expireDue(now)
}
