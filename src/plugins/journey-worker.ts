import fp from 'fastify-plugin'
import type { Services } from '../modules/services.js'
import { JourneyWorker, journeyMetrics } from '../jobs/journey-worker.js'

/** Runs this process's journeys worker when JOURNEY_WORKER_ENABLED; it stops before the database closes. */
export default fp<{ services: Services }>(async (app, { services }) => {
  const metrics = journeyMetrics(app.metrics.registry)
  if (!app.config.JOURNEY_WORKER_ENABLED) return
  const worker = new JourneyWorker(services.journeyEngine, { pollMs: app.config.JOURNEY_POLL_MS, log: app.log, metrics })
  app.addHook('onReady', async () => worker.start())
  app.addHook('preClose', async () => { await worker.stop() })
}, { name: 'journey-worker', dependencies: ['db', 'metrics'] })
