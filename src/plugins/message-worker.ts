import fp from 'fastify-plugin'
import type { Services } from '../modules/services.js'
import { MessageWorker } from '../jobs/message-worker.js'
import { messageMetrics } from '../jobs/message-metrics.js'

/**
 * Runs this process's message worker (staff fan-out and delivery) when MESSAGE_WORKER_ENABLED;
 * it stops before the database closes, letting sends under way finish and be recorded.
 */
export default fp<{ services: Services }>(async (app, { services }) => {
  const metrics = messageMetrics(app.metrics.registry)
  if (!app.config.MESSAGE_WORKER_ENABLED) return
  const delivery = services.messageDelivery
  const staff = services.staffNotifications
  const worker = new MessageWorker({
    fanOut: (now) => staff.fanOut(now),
    claim: (now, limit) => delivery.claim(now, limit),
    send: (job, at) => delivery.send(job, at),
    record: (done) => delivery.record(done)
  }, { pollMs: app.config.MESSAGE_POLL_MS, concurrency: app.config.MESSAGE_CONCURRENCY, log: app.log, metrics })
  app.addHook('onReady', async () => worker.start())
  app.addHook('preClose', async () => { await worker.stop() })
}, { name: 'message-worker', dependencies: ['db', 'metrics'] })
