import type { JobDefinition } from './job.js'

/**
 * Deletes Idempotency-Key records past IDEMPOTENCY_TTL_HOURS (docs/idempotency.md). A
 * request never relies on it (an expired record is replaced when its key comes again):
 * it only keeps the table from growing.
 */
export const idempotencyPurgeJob: JobDefinition = {
  name: 'idempotency-key-purge',
  cron: (config) => config.IDEMPOTENCY_PURGE_CRON,
  run: (services, now) => services.idempotency.purgeExpired(now)
}
