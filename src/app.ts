import { join } from 'node:path'
import Fastify, { type FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { compilersFactory } from './http/schema-compilers.js'
import { graphiqlEnabled, graphqlSuggestions, type Config } from './config.js'
import { PiiCipher } from './lib/pii.js'
import { redactLogLine, requestSerializer } from './lib/log-safety.js'
import { resolveSecrets } from './lib/secrets.js'
import authPlugin from './plugins/auth.js'
import dbPlugin from './plugins/db.js'
import errorsPlugin from './plugins/errors.js'
import graphqlPlugin from './plugins/graphql.js'
import healthPlugin from './plugins/health.js'
import idempotencyPlugin from './plugins/idempotency.js'
import accessAuditPlugin from './plugins/access-audit.js'
import inputLimitsPlugin from './plugins/input-limits.js'
import jobsPlugin from './plugins/jobs.js'
import webhookWorkerPlugin from './plugins/webhook-worker.js'
import messageWorkerPlugin from './plugins/message-worker.js'
import journeyWorkerPlugin from './plugins/journey-worker.js'
import metricsPlugin from './plugins/metrics.js'
import openapiPlugin from './plugins/openapi.js'
import requestTimeoutsPlugin from './plugins/request-timeouts.js'
import securityHeadersPlugin from './plugins/security-headers.js'
import graphiqlPlugin from './plugins/graphiql.js'
import rateLimitsPlugin from './plugins/rate-limits.js'
import { scalarResolvers } from './graphql/scalars.js'
import { AuthService } from './modules/auth/auth.service.js'
import { authRoutes } from './modules/auth/auth.routes.js'
import { mergeGraphql, modules } from './modules/registry.js'
import { createServices, type Services } from './modules/services.js'
import { jobs } from './jobs/index.js'

declare module 'fastify' {
  interface FastifyInstance {
    config: Config
    services: Services
    auth: AuthService
  }
}

export type BuildOptions = {
  config: Config
  /** pino options, or false for silence (tests). */
  logger?: boolean | object
  /** Every SQL statement, for tests that count queries. */
  onQuery?: (sql: string) => void
  /** Start embedded PGlite from this data directory dump (tests use a migrated template). */
  pgliteTemplate?: Blob
}

// Personal data must never reach the logs, whatever object carries it.
const redact = {
  paths: [
    'req.headers.authorization', 'req.headers.cookie', 'apiKey', '*.apiKey',
    'phone', 'email', '*.phone', '*.email', '*.*.phone', '*.*.email', '*.*.*.phone', '*.*.*.email'
  ],
  censor: '[redacted]'
}

/**
 * The listening server's timeouts (docs/security.md, "Request timeouts"): Node cuts a client
 * whose headers take longer than HTTP_HEADERS_TIMEOUT_MS (checked often enough for that
 * limit to hold), closes silent and idle kept-alive connections; the body limit is per
 * request (src/plugins/request-timeouts.ts), Node's whole-request limit only a backstop.
 */
function serverTimeouts(config: Config) {
  const backstop = Math.max(config.HTTP_REQUEST_TIMEOUT_MS, config.IMPORT_REQUEST_TIMEOUT_MS) + config.HTTP_HEADERS_TIMEOUT_MS
  return {
    connectionTimeout: config.HTTP_CONNECTION_TIMEOUT_MS,
    keepAliveTimeout: config.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    requestTimeout: backstop,
    http: {
      headersTimeout: config.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeout: backstop,
      connectionsCheckingInterval: Math.min(5000, Math.max(50, Math.floor(config.HTTP_HEADERS_TIMEOUT_MS / 4)))
    }
  }
}

/** Builds the whole service from a config. Never listens: server.ts does that, tests inject. */
export async function buildApp(options: BuildOptions): Promise<FastifyInstance> {
  const { config } = options
  const app = Fastify({
    logger: options.logger === false ? false : { level: config.LOG_LEVEL, redact, serializers: { req: requestSerializer }, hooks: { streamWrite: redactLogLine }, ...(typeof options.logger === 'object' ? options.logger : {}) },
    genReqId: (req) => {
      const given = req.headers['x-request-id']
      return typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : crypto.randomUUID()
    },
    trustProxy: config.TRUST_PROXY,
    bodyLimit: 1_048_576,
    ...serverTimeouts(config),
    // Opening PGlite and applying migrations on a cold or busy machine can outlast the 10 s default.
    pluginTimeout: 120_000,
    // verbose: each error carries its schema and value, so the message can say what is allowed (src/i18n).
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: true, verbose: true } },
    schemaController: { compilersFactory }
  }).withTypeProvider<TypeBoxTypeProvider>()

  app.decorate('config', config)
  // Callback style and on request: cheaper per request than an async onSend hook.
  app.addHook('onRequest', (request, reply, done) => { reply.header('x-request-id', request.id); done() })

  await app.register(errorsPlugin)
  await app.register(requestTimeoutsPlugin, { bodyTimeoutMs: config.HTTP_REQUEST_TIMEOUT_MS })
  // Before any route: its headers reach every answer, and routes may set their own CSP.
  await app.register(securityHeadersPlugin, { hstsMaxAgeSeconds: config.HSTS_MAX_AGE_SECONDS })
  await app.register(metricsPlugin)
  await app.register(dbPlugin, {
    url: config.DATABASE_URL,
    // PGlite's own files sit in a subfolder, beside secrets.json, not mixed with it.
    dataDir: config.DATA_DIR.startsWith('memory://') ? config.DATA_DIR : join(config.DATA_DIR, 'pglite'),
    poolSize: config.DATABASE_POOL_SIZE,
    connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS,
    onQuery: (sql) => { app.metrics.dbQueries.inc(); options.onQuery?.(sql) },
    loadDataDir: options.pgliteTemplate
  })

  const secrets = resolveSecrets(config)
  if (secrets.generated) app.log.warn(`No JWT_SECRET/PII_KEY given: generated them in ${config.DATA_DIR}/secrets.json (keep that file with the data)`)
  const services = createServices({ db: app.db, raw: app.database.raw, pii: new PiiCipher(secrets.piiKey, secrets.piiKeysPrevious), config })
  app.decorate('services', services)

  const auth = new AuthService(app.db, (claims) => app.jwt.sign(claims), config.JWT_TTL_SECONDS)
  app.decorate('auth', auth)
  await app.register(authPlugin, {
    secret: secrets.jwtSecret,
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    ttlSeconds: config.JWT_TTL_SECONDS,
    keyIsActive: (id) => auth.keyIsActive(id),
    referrerIsActive: (id) => auth.referrerIsActive(id),
    keyStatusTtlMs: config.API_KEY_STATUS_TTL_MS
  })
  // After auth (the limit is per token subject), before any route (its hooks reach REST and GraphQL alike).
  await app.register(rateLimitsPlugin, {
    perKey: { max: config.API_RATE_LIMIT_PER_KEY, windowSeconds: config.API_RATE_LIMIT_WINDOW_SECONDS },
    failuresPerIp: { max: config.AUTH_FAILURE_LIMIT_PER_IP, windowSeconds: config.AUTH_FAILURE_WINDOW_SECONDS }
  })
  // Before the Idempotency-Key claim: a body too deep to hash is refused first (docs/integration.md, limits).
  await app.register(inputLimitsPlugin, { maxDepth: config.INPUT_MAX_DEPTH })
  // Before any route: its hooks must reach REST and GraphQL alike.
  await app.register(idempotencyPlugin, { service: services.idempotency })
  // After the Idempotency-Key plugin: its onSend commits first, so the access entry goes to the pool, not into a closed request transaction.
  await app.register(accessAuditPlugin, { db: app.db, enabled: config.AUDIT_READS })
  await app.register(healthPlugin)
  await app.register(openapiPlugin)

  await app.register(async (api) => {
    await api.register(authRoutes, { auth })
    for (const m of modules) if (m.routes) await api.register(m.routes, { services })
  }, { prefix: '/api/v1' })

  const { resolvers, loaders } = mergeGraphql([
    { name: 'scalars', resolvers: scalarResolvers },
    ...modules
  ])
  const limits = { maxCost: config.GRAPHQL_MAX_COST, maxAliases: config.GRAPHQL_MAX_ALIASES, maxMutations: config.GRAPHQL_MAX_MUTATIONS, maxDepth: config.GRAPHQL_MAX_DEPTH }
  await app.register(graphqlPlugin, { services, resolvers, loaders, limits, suggestions: graphqlSuggestions(config) })
  if (graphiqlEnabled(config)) await app.register(graphiqlPlugin, { assetsUrl: config.GRAPHIQL_ASSETS_URL })
  await app.register(jobsPlugin, { services, jobs })
  await app.register(webhookWorkerPlugin, { services })
  await app.register(messageWorkerPlugin, { services })
  await app.register(journeyWorkerPlugin, { services })

  const key = await auth.bootstrapAdminKey(config.BOOTSTRAP_ADMIN_KEY)
  if (key && !config.BOOTSTRAP_ADMIN_KEY) {
    // Shown once, on the first start: the only way in until other keys are made.
    app.log.warn({ bootstrapAdminKey: key }, 'Created the first admin API key. Store it now: it is not shown again.')
  }
  return app
}
