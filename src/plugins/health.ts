import fp from 'fastify-plugin'
import { checkReadiness, latestShippedMigration } from '../db/readiness.js'

/**
 * Liveness and readiness, outside auth, for load balancers and orchestrators. Ready means
 * requests can be served: the database answers and its schema is this build's (not merely
 * `select 1`: an empty, recreated database answers that too while every call fails).
 */
export default fp(async (app) => {
  const hide = { hide: true }
  const latest = latestShippedMigration()
  app.get('/healthz', { schema: hide, config: { public: true } }, async () => ({ status: 'ok' }))
  app.get('/readyz', { schema: hide, config: { public: true } }, async (request, reply) => {
    const database = app.database.kind
    const readiness = await checkReadiness(app.database, latest)
    if (readiness.ready) return { status: 'ready', database }
    // The probe's answer names the reason only; the log has the error.
    request.log.warn({ err: readiness.error, reason: readiness.reason }, 'not ready')
    return reply.code(503).header('retry-after', '2').send({ status: 'unavailable', database, reason: readiness.reason })
  })
}, { name: 'health', dependencies: ['db'] })
