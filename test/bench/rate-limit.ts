/**
 * What the per-key rate limit costs a request (docs/security.md, "Rate limits"): the same
 * `GET /api/v1/customers/{id}` (a point read, the cheapest authenticated request, so the
 * counter's statement weighs the most) against an app with the limit off and one with it on
 * (a quota never reached), on one database. PostgreSQL: both servers up, measured interleaved
 * A B B A; PGlite (one process per data directory): each server started in turn per round.
 * Part of `npm run bench` (`--only rate-limit`, each --db).
 */
import { randomBytes } from 'node:crypto'
import { post, startServer, stopServer } from './children.js'
import { measurePair, rotating, type Measure, type Target } from './load.js'
import { createBenchDatabase, type DbKind } from './seed.js'
import { writeBlock } from './report.js'

export type RateLimitBenchOptions = { kinds: DbKind[]; connections: number; duration: number; warmup: number; rounds: number; pool: number; log: (line: string) => void }
export type RateLimitBenchResult = { kind: DbKind; off: Measure; on: Measure; runs: { off: Measure[]; on: Measure[] } }

const OFF = { API_RATE_LIMIT_PER_KEY: '0' }
const ON = { API_RATE_LIMIT_PER_KEY: '1000000000', API_RATE_LIMIT_WINDOW_SECONDS: '60' }
const CUSTOMERS = 50

export async function benchRateLimit(opts: RateLimitBenchOptions): Promise<RateLimitBenchResult[]> {
  const results: RateLimitBenchResult[] = []
  for (const kind of opts.kinds) results.push(await benchOne(kind, opts))
  return results
}

async function benchOne(kind: DbKind, opts: RateLimitBenchOptions): Promise<RateLimitBenchResult> {
  const { log } = opts
  log(`\n== ${kind}: rate limit off vs on, GET /api/v1/customers/{id} (${opts.connections} connections, ${opts.duration} s × ${opts.rounds} each)`)
  const target = await createBenchDatabase(kind)
  const base = {
    role: 'app' as const, url: target.url, dataDir: target.dataDir, poolSize: opts.pool,
    piiKey: randomBytes(32).toString('base64'), jwtSecret: randomBytes(32).toString('base64url'), bootstrapKey: `crm_bench_${randomBytes(16).toString('hex')}`
  }
  const start = async (env: Record<string, string>) => {
    const server = await startServer({ ...base, env })
    const url = `http://127.0.0.1:${server.ports.app}`
    const token = (await post(`${url}/api/v1/auth/token`, { apiKey: base.bootstrapKey })).json.accessToken as string
    return { ...server, url, token }
  }
  const targetOf = (name: string, s: { url: string; token: string }, ids: string[]): Target => ({
    name, url: s.url, requests: rotating(ids, (id) => ({ method: 'GET', path: `/api/v1/customers/${id}`, headers: { authorization: `Bearer ${s.token}` } }))
  })
  try {
    // The customers to read, made through the API by the first server.
    let first = await start(OFF)
    const ids: string[] = []
    for (let i = 0; i < CUSTOMERS; i++) {
      ids.push((await post(`${first.url}/api/v1/customers`, { name: `Bench ${i}`, phone: `139${String(10_000_000 + i)}` }, first.token)).json.id as string)
    }
    if (ids.some((id) => typeof id !== 'string')) throw new Error('could not create the customers to read')
    const load = { connections: opts.connections, duration: opts.duration, warmup: opts.warmup, rounds: opts.rounds, log }
    if (kind === 'postgres') {
      const on = await start(ON)
      try {
        const check = await fetch(`${on.url}/api/v1/customers/${ids[0]}`, { headers: { authorization: `Bearer ${on.token}` } })
        if (check.status !== 200 || !check.headers.get('ratelimit')) throw new Error(`the limited server does not limit: ${check.status}`)
        const pair = await measurePair(targetOf('limit off', first, ids), targetOf('limit on', on, ids), load)
        return { kind, off: pair.a, on: pair.b, runs: { off: pair.runs.a, on: pair.runs.b } }
      } finally {
        await stopServer(on.child)
      }
    }
    // PGlite: one server at a time on the data directory, in turn A B B A, each warmed.
    await stopServer(first.child)
    const runs = { off: [] as Measure[], on: [] as Measure[] }
    for (let round = 0; round < opts.rounds; round++) {
      for (const side of round % 2 === 0 ? ['off', 'on'] as const : ['on', 'off'] as const) {
        first = await start(side === 'on' ? ON : OFF)
        try {
          const pair = await measurePair(targetOf(`limit ${side}`, first, ids), targetOf(`limit ${side} (again)`, first, ids), { ...load, rounds: 1 })
          runs[side].push(pair.a, pair.b)
        } finally {
          await stopServer(first.child)
        }
      }
    }
    return { kind, off: mean(runs.off), on: mean(runs.on), runs }
  } finally {
    await target.drop()
  }
}

function mean(list: Measure[]): Measure {
  const avg = (f: (m: Measure) => number) => list.reduce((s, m) => s + f(m), 0) / list.length
  return { rps: avg((m) => m.rps), p50: avg((m) => m.p50), p99: avg((m) => m.p99), requests: list.reduce((s, m) => s + m.requests, 0), bad: list.reduce((s, m) => s + m.bad, 0) }
}

/** The result as a markdown table, written into docs/performance.md when `file` is given. */
export function reportRateLimit(results: RateLimitBenchResult[], meta: { command: string; note: string }, file?: string): string {
  const rows = results.map((r) => {
    const ratio = r.on.rps / r.off.rps
    return `| ${r.kind} | ${r.off.rps.toFixed(0)} | ${r.on.rps.toFixed(0)} | ${ratio.toFixed(2)}× | ${r.off.p99.toFixed(1)} → ${r.on.p99.toFixed(1)} ms |${r.off.bad + r.on.bad ? ` ${r.off.bad + r.on.bad} bad` : ''}`
  })
  const body = [
    `\`${meta.command}\`: \`GET /api/v1/customers/{id}\` (a point read, the cheapest authenticated request) with the per-key limit off`,
    '(`API_RATE_LIMIT_PER_KEY=0`) and on (a quota never reached, so every request writes its counter).',
    '',
    '| database | off req/s | on req/s | on / off | p99 |',
    '|---|---|---|---|---|',
    ...rows,
    '',
    meta.note
  ].join('\n')
  if (file) writeBlock(file, 'rate-limit', '## Rate limits', body)
  return body
}
