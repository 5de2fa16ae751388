/**
 * Sustained order recording on PostgreSQL: the app's GraphQL `recordOrder` (customer and
 * attribution lookup, the insert idempotent on externalId, audit and outbox in one
 * transaction; for referred customers the incentives too) against a raw `pg` script doing
 * the same writes in one transaction (orders-raw.ts), interleaved A B B A, as a ratio.
 * Part of `npm run bench` (`--only orders`).
 *
 * Standalone: `npx tsx test/bench/orders.ts [--duration 10] [--rounds 2] [--customers 100000]
 *   [--referred 0.2] [--rule] [--connections 20] [--docs]`
 * --referred: the share of customers credited to a referrer (their orders go through the
 * incentives); --rule: an active order_paid rule (5%), so those orders also earn rewards
 * (rows the raw side does not write).
 */
import { fork } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { fileURLToPath, pathToFileURL } from 'node:url'
import autocannon from 'autocannon'
import pg from 'pg'
import { post, root, startServer, stopServer } from './children.js'
import type { Measure } from './load.js'
import type { OrdersRawSpec, RawResult } from './orders-raw.js'
import { createBenchDatabase, defaultSeed, seed } from './seed.js'
import { writeBlock } from './report.js'

export type OrdersOptions = {
  connections: number; duration: number; warmup: number; rounds: number; customers: number
  /** Share (0–1) of customers credited to a referrer. */
  referred: number
  /** Create an active order_paid rule, so referred orders earn rewards. */
  rule: boolean
  log: (line: string) => void; profileDir?: string
}
export type OrdersResult = { app: Measure; raw: Measure; runs: { app: Measure[]; raw: Measure[] }; statements: string; seeded: string }

const MUTATION = 'mutation($i: RecordOrderInput!) { recordOrder(input: $i) { order { id status } created userErrors { code message } } }'
const RULE = 'mutation($i: CreateIncentiveRuleInput!) { createIncentiveRule(input: $i) { incentiveRule { id } userErrors { field message } } }'

function runRawChild(spec: OrdersRawSpec): Promise<RawResult> {
  const child = fork(fileURLToPath(new URL('./orders-raw.ts', import.meta.url)), [], {
    cwd: root, execArgv: ['--import', 'tsx'], env: { ...process.env, BENCH_RAW_SPEC: JSON.stringify(spec) }
  })
  return new Promise((resolve, reject) => {
    child.once('message', (m: { result: RawResult }) => resolve(m.result))
    child.once('exit', (code) => { if (code) reject(new Error(`raw script exited with ${code}`)) })
  })
}

export async function benchOrders(opts: OrdersOptions): Promise<OrdersResult> {
  const { log } = opts
  log(`\n== postgres: recordOrder (seeding ${opts.customers} customers, ${Math.round(opts.referred * 100)}% referred${opts.rule ? ', an order_paid rule' : ''})`)
  const piiKey = randomBytes(32)
  const target = await createBenchDatabase('postgres')
  const db = new pg.Client({ connectionString: target.url })
  let server: Awaited<ReturnType<typeof startServer>> | undefined
  try {
    const seeded = await seed(target, { ...defaultSeed(piiKey), customers: opts.customers, activityCustomers: 0, log })
    await db.connect()
    // The seed credits every customer to a referrer; keep the asked share (by a hash of the id, so it is stable).
    await db.query('update customers set referrer_id = null where abs(hashtext(id::text)) % 1000 >= $1', [Math.round(opts.referred * 1000)])
    await db.query('vacuum analyze customers')
    const customers = (await db.query<{ id: string }>('select id from customers order by id limit 1000')).rows.map((r) => r.id)
    const referredShown = (await db.query<{ n: number }>('select count(*)::int as n from customers where referrer_id is not null and id = any($1::uuid[])', [customers])).rows[0].n
    const bootstrapKey = `crm_bench_${randomBytes(16).toString('hex')}`
    server = await startServer({
      role: 'app', url: target.url, poolSize: opts.connections, piiKey: piiKey.toString('base64'),
      jwtSecret: randomBytes(32).toString('base64url'), bootstrapKey
    }, opts.profileDir)
    const appUrl = `http://127.0.0.1:${server.ports.app}`
    const token = (await post(`${appUrl}/api/v1/auth/token`, { apiKey: bootstrapKey })).json.accessToken as string
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }
    if (opts.rule) {
      const r = await post(`${appUrl}/graphql`, { query: RULE, variables: { i: { name: 'Bench 5%', trigger: 'order_paid', calc: 'percentage', percentBp: 500, rewardType: 'cash' } } }, token)
      if (!r.json.data?.createIncentiveRule?.incentiveRule) throw new Error(`createIncentiveRule failed: ${JSON.stringify(r.json)}`)
    }

    let appNext = 0
    const appBody = () => {
      const n = appNext++
      return JSON.stringify({ query: MUTATION, variables: { i: { customerId: customers[n % customers.length], externalId: `A-${n}`, amount: { amount: 1000 + (n % 100_000) } } } })
    }
    let rawNext = 0
    const rawSpec = (duration: number, connections: number): OrdersRawSpec => {
      const spec = { url: target.url!, connections, duration, prefix: 'R-', start: rawNext, customers }
      rawNext += 10_000_000
      return spec
    }

    // Check before timing: each side writes the same rows for one order.
    const counts = async () => (await db.query(`select (select count(*) from orders)::int as orders,
      (select count(*) from audit_entries)::int as audit, (select count(*) from outbox_events)::int as outbox,
      (select count(*) from rewards)::int as rewards`)).rows[0] as Record<string, number>
    const delta = (a: Record<string, number>, b: Record<string, number>) => Object.entries(b).map(([k, v]) => `${k} +${v - a[k]}`).join(', ')
    let before = await counts()
    const one = await post(`${appUrl}/graphql`, JSON.parse(appBody()), token)
    if (one.json.data?.recordOrder?.created !== true) throw new Error(`recordOrder did not record: ${JSON.stringify(one.json)}`)
    const appRows = delta(before, (before = await counts()))
    const rawOne = await runRawChild(rawSpec(0.2, 1))
    if (rawOne.bad || !rawOne.requests) throw new Error('the raw script failed to record')
    const rawRows = `${delta(before, await counts())} (for ${rawOne.requests})`
    log(`  checked: one order writes ${appRows} (app); raw script ${rawRows}; ${referredShown} of the ${customers.length} customers ordering are referred`)

    const fireApp = async (duration: number): Promise<Measure> => {
      const start = await counts()
      const r = await autocannon({
        url: appUrl, connections: opts.connections, duration,
        requests: [{ method: 'POST', path: '/graphql', headers, setupRequest: (req) => ({ ...req, body: appBody() }) }]
      })
      const recorded = (await counts()).orders - start.orders
      const bad = r.non2xx + r.errors + r.timeouts + Math.max(0, r['2xx'] - recorded)
      return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, requests: r.requests.total, bad }
    }
    const fireRaw = (duration: number): Promise<Measure> => runRawChild(rawSpec(duration, opts.connections))

    if (opts.warmup > 0) { await fireApp(opts.warmup); await fireRaw(opts.warmup) }
    // The orders table was empty when the seed analysed it: plan both sides' statements for its real size.
    await db.query('analyze')
    const runs = { app: [] as Measure[], raw: [] as Measure[] }
    for (let round = 0; round < opts.rounds; round++) {
      for (const side of round % 2 === 0 ? (['app', 'raw'] as const) : (['raw', 'app'] as const)) {
        const m = side === 'app' ? await fireApp(opts.duration) : await fireRaw(opts.duration)
        runs[side].push(m)
        log(`    ${(side === 'app' ? 'GraphQL recordOrder' : 'raw pg transaction').padEnd(28)} ${m.rps.toFixed(0).padStart(7)} /s  p50 ${m.p50} ms  p99 ${m.p99} ms${m.bad ? `  BAD ${m.bad}` : ''}`)
      }
    }
    const mean = (list: Measure[]): Measure => ({
      rps: list.reduce((s, m) => s + m.rps, 0) / list.length, p50: list.reduce((s, m) => s + m.p50, 0) / list.length,
      p99: list.reduce((s, m) => s + m.p99, 0) / list.length, requests: list.reduce((s, m) => s + m.requests, 0), bad: list.reduce((s, m) => s + m.bad, 0)
    })
    return {
      app: mean(runs.app), raw: mean(runs.raw), runs, statements: `app ${appRows}; raw ${rawRows}`,
      seeded: `${Object.entries(seeded.counts).map(([k, v]) => `${v.toLocaleString('en')} ${k}`).join(', ')}; ${Math.round(opts.referred * 100)}% of customers referred${opts.rule ? ', one order_paid rule' : ''}`
    }
  } finally {
    if (server) await stopServer(server.child)
    await db.end().catch(() => {})
    await target.drop()
  }
}

/** The order table, on the console and between its markers in docs/performance.md. */
export function reportOrders(result: OrdersResult, meta: { command: string; note: string; opts: OrdersOptions }, file?: string): string {
  const ratio = result.app.rps / result.raw.rps
  const lines = [
    `Last run: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, \`${meta.command}\`; ${meta.opts.connections} concurrent clients, ${meta.opts.warmup} s warm-up, ${meta.opts.rounds} × ${meta.opts.duration} s per side interleaved; seeded ${result.seeded}.`,
    '',
    '| workload | app /s | app p99 | raw pg /s | raw p99 | ratio | note |',
    '|---|---|---|---|---|---|---|',
    `| recordOrder (attribution, order, audit, outbox) vs raw pg transaction | ${result.app.rps.toFixed(0)} | ${result.app.p99.toFixed(0)} ms | ${result.raw.rps.toFixed(0)} | ${result.raw.p99.toFixed(0)} ms | **${ratio.toFixed(2)}** | reported (the issue sets no goal); the app also writes the referred orders' rewards${result.app.bad + result.raw.bad ? ` (${result.app.bad + result.raw.bad} bad!)` : ''} |`,
    '',
    `Rows per order: ${result.statements}.`
  ].join('\n')
  if (file) writeBlock(file, 'orders', '### Order recording', lines)
  return lines
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2)
  const flag = (name: string, fallback: number) => { const i = args.indexOf(`--${name}`); return i >= 0 ? Number(args[i + 1]) : fallback }
  const opts: OrdersOptions = {
    connections: flag('connections', 20), duration: flag('duration', 10), warmup: flag('warmup', 2),
    rounds: flag('rounds', 2), customers: flag('customers', 100_000), referred: flag('referred', 0.2), rule: args.includes('--rule'),
    log: (l) => console.log(l)
  }
  const result = await benchOrders(opts)
  console.log(`\n${reportOrders(result, { command: `npx tsx test/bench/orders.ts ${args.join(' ')}`.trim(), note: '', opts }, args.includes('--docs') ? `${root}docs/performance.md` : undefined)}`)
  process.exitCode = result.app.bad + result.raw.bad > 0 ? 1 : 0
}
