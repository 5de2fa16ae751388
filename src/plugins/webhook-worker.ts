import fp from 'fastify-plugin'
import type { Services } from '../modules/services.js'
import { WebhookWorker } from '../jobs/webhook-worker.js'

/**
 * Runs this process's webhook delivery worker when WEBHOOK_WORKER_ENABLED; it stops before
 * the database closes, letting attempts under way finish.
 */
export default fp<{ services: Services }>(async (app, { services }) => {
  if (!app.config.WEBHOOK_WORKER_ENABLED) return
  const worker = new WebhookWorker(services.webhookDeliveries, {
    pollMs: app.config.WEBHOOK_POLL_MS, concurrency: app.config.WEBHOOK_CONCURRENCY, log: app.log
  })
  app.addHook('onReady', async () => worker.start())
  app.addHook('preClose', async () => { await worker.stop() })
}, { name: 'webhook-worker', dependencies: ['db'] })
