/**
 * `--only audit`: the cost of the access audit (docs/privacy.md, "Audit trail of reads and
 * writes"). Two app processes on ONE seeded PostgreSQL database, one with AUDIT_READS on
 * (the default), one with it off, measured interleaved (test/bench/load.ts) on the page a
 * client reads most: 50 customers with phone and email selected, over GraphQL and REST. Each
 * audited request writes one access_entries row (50 ids). Goal: on ≥ 0.9× off.
 */
import { randomBytes } from 'node:crypto'
import type { ChildProcess } from 'node:child_process'
import { createBenchDatabase, defaultSeed, seed } from './seed.js'
import { measurePair, type LoadOptions, type PairResult } from './load.js'
import { post, startServer, stopServer } from './children.js'

export type AuditBenchOptions = LoadOptions & { customers: number; pool: number }
export type AuditBenchResult = { customers: number; graphql: PairResult; rest: PairResult; entries: number }

const pageQuery = '{ customers(first: 50) { edges { node { id name phone email } } } }'

export async function benchAudit(opts: AuditBenchOptions): Promise<AuditBenchResult> {
  const { log } = opts
  const piiKey = randomBytes(32)
  const target = await createBenchDatabase('postgres')
  const children: ChildProcess[] = []
  try {
    log(`\n== audit (postgres): seeding ${opts.customers} customers`)
    await seed(target, { ...defaultSeed(piiKey), customers: opts.customers, activityCustomers: 0, log })
    const base = { role: 'app' as const, url: target.url, poolSize: opts.pool, piiKey: piiKey.toString('base64'), jwtSecret: randomBytes(32).toString('base64url'), bootstrapKey: `crm_bench_${randomBytes(16).toString('hex')}` }
    // One after the other: both apply migrations on start.
    const on = await startServer({ ...base, env: { AUDIT_READS: 'true' } })
    children.push(on.child)
    const off = await startServer({ ...base, env: { AUDIT_READS: 'false' } })
    children.push(off.child)
    const onUrl = `http://127.0.0.1:${on.ports.app}`
    const offUrl = `http://127.0.0.1:${off.ports.app}`
    const token = (await post(`${onUrl}/api/v1/auth/token`, { apiKey: base.bootstrapKey })).json.accessToken as string
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` }
    const check = await post(`${onUrl}/graphql`, { query: pageQuery }, token)
    if (check.json.data?.customers?.edges?.length !== 50) throw new Error(`page check failed: ${JSON.stringify(check.json).slice(0, 300)}`)

    log(`  GraphQL customers(first: 50) with phone and email (${opts.connections} connections, ${opts.duration} s × ${opts.rounds} each)`)
    const gqlBody = JSON.stringify({ query: pageQuery })
    const graphql = await measurePair(
      { name: 'GraphQL page, audit on', url: onUrl, requests: [{ method: 'POST', path: '/graphql', headers, body: gqlBody }] },
      { name: 'GraphQL page, audit off', url: offUrl, requests: [{ method: 'POST', path: '/graphql', headers, body: gqlBody }] },
      opts
    )
    log('  REST GET /api/v1/customers?limit=50')
    const rest = await measurePair(
      { name: 'REST page, audit on', url: onUrl, requests: [{ method: 'GET', path: '/api/v1/customers?limit=50', headers }] },
      { name: 'REST page, audit off', url: offUrl, requests: [{ method: 'GET', path: '/api/v1/customers?limit=50', headers }] },
      opts
    )
    const count = await fetch(`${onUrl}/api/v1/audit?kind=access&limit=1`, { headers })
    if (count.status !== 200) throw new Error(`audit list failed: ${count.status}`)
    return { customers: opts.customers, graphql, rest, entries: graphql.a.requests + rest.a.requests }
  } finally {
    for (const c of children.reverse()) await stopServer(c)
    await target.drop()
  }
}

/** The ratio (on / off) of the means, and of each round, so the noise shows. */
export function reportAudit(r: AuditBenchResult): string {
  const line = (name: string, p: PairResult) => {
    const rounds = p.runs.a.map((a, i) => (a.rps / p.runs.b[i].rps).toFixed(2)).join(', ')
    return `| ${name} | ${p.a.rps.toFixed(0)} | ${p.b.rps.toFixed(0)} | **${(p.a.rps / p.b.rps).toFixed(2)}×** (rounds: ${rounds}) | ${p.a.p99.toFixed(0)} / ${p.b.p99.toFixed(0)} ms |`
  }
  return [
    `Access audit, ${r.customers} customers, page of 50 with phone and email:`,
    '',
    '| read | audit on req/s | audit off req/s | on / off | p99 on / off |',
    '|---|---|---|---|---|',
    line('GraphQL `customers(first: 50)`', r.graphql),
    line('REST `GET /api/v1/customers?limit=50`', r.rest)
  ].join('\n')
}
