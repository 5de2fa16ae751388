import fp from 'fastify-plugin'
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client'

declare module 'fastify' {
  interface FastifyInstance {
    metrics: { registry: Registry; dbQueries: Counter }
  }
}

/** Prometheus metrics at /metrics: process defaults, HTTP latency by route, SQL statements. */
export default fp(async (app) => {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by method, route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry]
  })
  const dbQueries = new Counter({ name: 'db_queries_total', help: 'SQL statements sent', registers: [registry] })
  app.decorate('metrics', { registry, dbQueries })

  // One labelled child per (method, route, status), kept: prom-client hashes the label
  // object on every observe otherwise.
  const children = new Map<string, ReturnType<typeof httpDuration.labels>>()
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched'
    const key = `${request.method} ${route} ${reply.statusCode}`
    let child = children.get(key)
    if (!child) children.set(key, (child = httpDuration.labels(request.method, route, String(reply.statusCode))))
    child.observe(reply.elapsedTime / 1000)
    done()
  })
  app.get('/metrics', { schema: { hide: true }, config: { public: true } }, async (_req, reply) => {
    reply.header('content-type', registry.contentType)
    return registry.metrics()
  })
}, { name: 'metrics' })
