/**
 * The per-key rate limit's cost per request, in one process and without HTTP or autocannon, so a
 * busy shared machine hits both sides alike: two apps (limit off, limit on with a quota never
 * reached) answer `GET /api/v1/customers/{id}` through `inject`, 10 at a time, in alternating
 * batches of 300; the mean time per request of each side and their ratio.
 *
 * `npx tsx test/bench/rate-limit-inject.ts [--db postgres|pglite|both] [--batches 20]`
 */
import { randomBytes } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { createBenchDatabase, type BenchDatabase, type DbKind } from './seed.js'

const args = process.argv.slice(2)
const flag = (name: string, fallback: string) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : fallback }
const db = flag('db', 'both')
const kinds: DbKind[] = db === 'both' ? ['postgres', 'pglite'] : [db as DbKind]
const batches = Number(flag('batches', '20'))
const BATCH = 300
const CONCURRENCY = 10
const KEY = `crm_bench_${randomBytes(16).toString('hex')}`

async function app(target: BenchDatabase | null, env: Record<string, string>): Promise<{ app: FastifyInstance; token: string }> {
  const config = loadConfig({
    ...(target?.url ? { DATABASE_URL: target.url, DATABASE_POOL_SIZE: '10' } : { DATA_DIR: 'memory://' }),
    PII_KEY: randomBytes(32).toString('base64'), JWT_SECRET: randomBytes(32).toString('hex'), BOOTSTRAP_ADMIN_KEY: KEY,
    LOG_LEVEL: 'silent', JOBS_ENABLED: 'false', WEBHOOK_WORKER_ENABLED: 'false', MESSAGE_WORKER_ENABLED: 'false', JOURNEY_WORKER_ENABLED: 'false', ...env
  })
  const a = await buildApp({ config, logger: false })
  const token = (await a.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { apiKey: KEY } })).json().accessToken as string
  return { app: a, token }
}

async function customers(a: { app: FastifyInstance; token: string }): Promise<string[]> {
  const ids: string[] = []
  for (let i = 0; i < 50; i++) {
    const res = await a.app.inject({ method: 'POST', url: '/api/v1/customers', payload: { name: `Bench ${i}` }, headers: { authorization: `Bearer ${a.token}` } })
    ids.push(res.json().id)
  }
  return ids
}

async function batch(a: { app: FastifyInstance; token: string }, ids: string[]): Promise<number> {
  let next = 0
  let bad = 0
  const started = performance.now()
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < BATCH) {
      const id = ids[next++ % ids.length]
      const res = await a.app.inject({ method: 'GET', url: `/api/v1/customers/${id}`, headers: { authorization: `Bearer ${a.token}` } })
      if (res.statusCode !== 200) bad++
    }
  }))
  if (bad) throw new Error(`${bad} answers were not 200`)
  return (performance.now() - started) / BATCH
}

for (const kind of kinds) {
  const target = kind === 'postgres' ? await createBenchDatabase('postgres') : null
  try {
    const off = await app(target, { API_RATE_LIMIT_PER_KEY: '0' })
    const on = await app(target, { API_RATE_LIMIT_PER_KEY: '1000000000' })
    const offIds = await customers(off)
    const onIds = kind === 'postgres' ? offIds : await customers(on)
    const check = await on.app.inject({ method: 'GET', url: `/api/v1/customers/${onIds[0]}`, headers: { authorization: `Bearer ${on.token}` } })
    if (!check.headers.ratelimit) throw new Error('the limited app does not limit')
    await batch(off, offIds)
    await batch(on, onIds)
    const times = { off: [] as number[], on: [] as number[] }
    for (let i = 0; i < batches; i++) {
      for (const side of i % 2 === 0 ? ['off', 'on'] as const : ['on', 'off'] as const) {
        times[side].push(await batch(side === 'off' ? off : on, side === 'off' ? offIds : onIds))
      }
    }
    const median = (l: number[]) => [...l].sort((a, b) => a - b)[Math.floor(l.length / 2)]
    const m = { off: median(times.off), on: median(times.on) }
    console.log(`${kind}: ${batches} batches of ${BATCH} × GET /api/v1/customers/{id}, ${CONCURRENCY} at a time; median per request: off ${(m.off * 1000).toFixed(0)} µs, on ${(m.on * 1000).toFixed(0)} µs; on costs +${((m.on - m.off) * 1000).toFixed(0)} µs (${(m.off / m.on).toFixed(2)}× the throughput)`)
    await off.app.close()
    await on.app.close()
  } finally {
    await target?.drop()
  }
}
