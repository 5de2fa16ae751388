/**
 * Child process that serves one side of the benchmark, so load generation (autocannon, in
 * the parent) never shares an event loop with the server it measures.
 * Role `app`: the real app (buildApp). Role `plain`: the plain Fastify + pg baseline.
 * Role `both`: both in this process on one PGlite handle (PGlite is single-process).
 * Reports `{ ports }` over IPC; closes cleanly on SIGTERM or a 'stop' message (so
 * `--cpu-prof` can write its profile).
 */
import pg from 'pg'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { PiiCipher } from '../../src/lib/pii.js'
import { buildPlainServer, pgQuery, type PageShape, type QueryFn } from './plain-server.js'

export type ServerRole = 'app' | 'plain' | 'both'

export type ServerSpec = {
  role: ServerRole
  url?: string
  dataDir?: string
  poolSize: number
  piiKey: string
  jwtSecret: string
  bootstrapKey: string
  /** Role `plain` only; role `both` receives it as a `{ plainShape }` message. */
  shape?: PageShape
  /** Extra configuration for the app (e.g. REFERRAL_CONSENT_REQUIRED). */
  env?: Record<string, string>
}

export type ServerPorts = { app?: number; plain?: number }

const spec = JSON.parse(process.env.BENCH_SERVER_SPEC ?? '{}') as ServerSpec
const pii = new PiiCipher(Buffer.from(spec.piiKey, 'base64'))
const servers: FastifyInstance[] = []
const closers: (() => Promise<void>)[] = []
const ports: ServerPorts = {}

async function listen(app: FastifyInstance): Promise<number> {
  await app.listen({ port: 0, host: '127.0.0.1' })
  servers.push(app)
  const address = app.server.address()
  return typeof address === 'object' && address ? address.port : 0
}

if (spec.role === 'app' || spec.role === 'both') {
  const config = loadConfig({
    ...(spec.url ? { DATABASE_URL: spec.url } : { DATA_DIR: spec.dataDir }),
    DATABASE_POOL_SIZE: String(spec.poolSize),
    JWT_SECRET: spec.jwtSecret,
    PII_KEY: spec.piiKey,
    BOOTSTRAP_ADMIN_KEY: spec.bootstrapKey,
    LOG_LEVEL: 'silent',
    JOBS_ENABLED: 'false',
    // One token at thousands of requests a second: the per-key limit would answer 429 (test/bench/rate-limit.ts measures it on).
    API_RATE_LIMIT_PER_KEY: '0',
    ...spec.env
  })
  const app = await buildApp({ config, logger: false })
  if (process.env.BENCH_EXPERIMENT === 'prepare-all' && app.database.pool) prepareAll(app.database.pool)
  // The analytics bench's hand-written queries on PGlite, which only this process can open (test/bench/analytics/handwritten.ts).
  process.on('message', async (m: { handwritten?: { id: number; text: string; values: unknown[]; mode: 'time' | 'explain' | 'rows' } }) => {
    const h = m.handwritten
    if (!h) return
    try {
      const started = performance.now()
      const rows = await app.database.raw(h.mode === 'explain' ? `explain (format json) ${h.text}` : h.text, h.values)
      const ms = performance.now() - started
      const extra = h.mode === 'explain' ? { plan: rows[0]?.['QUERY PLAN'] } : h.mode === 'rows' ? { data: rows } : {}
      process.send?.({ handwrittenResult: { id: h.id, ms, rows: rows.length, ...extra } })
    } catch (err) {
      process.send?.({ handwrittenResult: { id: h.id, ms: 0, rows: 0, error: String(err) } })
    }
  })
  ports.app = await listen(app)
  if (spec.role === 'both') {
    // The page shape comes from the running app's schema: the parent sends it once it has looked.
    process.on('message', async (m: { plainShape?: PageShape }) => {
      if (!m.plainShape) return
      const lite = app.database.pglite!
      const query: QueryFn = async (_name, text, values) => (await lite.query<Record<string, unknown>>(text, values)).rows
      const port = await listen(buildPlainServer(query, pii, m.plainShape))
      // Closed before the app, which owns the PGlite handle.
      servers.reverse()
      process.send?.({ ports: { plain: port } })
    })
  }
}
if (spec.role === 'plain') {
  const pool = new pg.Pool({ connectionString: spec.url, max: spec.poolSize })
  closers.push(() => pool.end())
  ports.plain = await listen(buildPlainServer(pgQuery(pool), pii, spec.shape!))
}

/**
 * Experiment (BENCH_EXPERIMENT=prepare-all): every statement the app sends becomes a named
 * prepared statement keyed by its text, to measure what PostgreSQL planning costs the app.
 */
function prepareAll(pool: pg.Pool): void {
  const query = pool.query.bind(pool) as (config: unknown, values?: unknown) => Promise<unknown>
  const names = new Map<string, string>()
  ;(pool as unknown as { query: typeof query }).query = (config, values) => {
    if (config && typeof config === 'object' && 'text' in config && !(config as { name?: string }).name) {
      const text = (config as { text: string }).text
      let name = names.get(text)
      if (!name) names.set(text, (name = `bench_${names.size}`))
      return query({ ...config, name }, values)
    }
    return query(config, values)
  }
}

let stopping = false
async function stop(): Promise<void> {
  if (stopping) return
  stopping = true
  for (const s of servers) await s.close()
  for (const c of closers) await c()
  process.exit(0)
}
process.on('SIGTERM', stop)
process.on('message', (m) => { if (m === 'stop') void stop() })
process.send?.({ ports })
