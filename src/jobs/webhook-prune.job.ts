import type { JobDefinition } from './job.js'

/** Deletes webhook deliveries finished more than WEBHOOK_RETENTION_DAYS ago, with their attempts (docs/webhooks.md). */
export const webhookPruneJob: JobDefinition = {
  name: 'webhook-history-prune',
  cron: (config) => config.WEBHOOK_PRUNE_CRON,
  run: (services, now) => services.webhookDeliveries.prune(now)
}
