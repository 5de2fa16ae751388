import fp from 'fastify-plugin'
import type { Services } from '../modules/services.js'
import { WebhookWorker } from '../jobs/webhook-worker.js'
import { webhookMetrics } from '../jobs/webhook-metrics.js'

/**
 * Runs this process's webhook delivery worker when WEBHOOK_WORKER_ENABLED; it stops before
 * the database closes, letting attempts under way finish. The webhook metrics are in every
 * process's /metrics (the backlog gauge reads the database); only a worker counts attempts.
 */
export default fp<{ services: Services }>(async (app, { services }) => {
  const metrics = webhookMetrics(app.metrics.registry, () => services.webhookDeliveries.oldestUndeliveredSeconds(), app.log)
  if (!app.config.WEBHOOK_WORKER_ENABLED) return
  const worker = new WebhookWorker(services.webhookDeliveries, {
    pollMs: app.config.WEBHOOK_POLL_MS, concurrency: app.config.WEBHOOK_CONCURRENCY, log: app.log, metrics
  })
  app.addHook('onReady', async () => worker.start())
  app.addHook('preClose', async () => { await worker.stop() })
}, { name: 'webhook-worker', dependencies: ['db', 'metrics'] })
