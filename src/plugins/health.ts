import fp from 'fastify-plugin'

/** Liveness and readiness, outside auth, for load balancers and orchestrators. */
export default fp(async (app) => {
  const hide = { hide: true }
  app.get('/healthz', { schema: hide, config: { public: true } }, async () => ({ status: 'ok' }))
  app.get('/readyz', { schema: hide, config: { public: true } }, async (_req, reply) => {
    try {
      await app.database.ping()
      return { status: 'ready', database: app.database.kind }
    } catch {
      return reply.code(503).send({ status: 'unavailable', database: app.database.kind })
    }
  })
}, { name: 'health', dependencies: ['db'] })
