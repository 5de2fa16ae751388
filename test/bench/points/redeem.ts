/**
 * `npm run bench -- --only points-redeem --db postgres`: sustained 积分抵扣 on PostgreSQL.
 * The app's `POST /api/v1/points/redemptions` (an Idempotency-Key and a unique externalId
 * per request, an ERP order id; autocannon against a server child) against a raw `pg` script
 * doing the same writes in one transaction (redeem-raw.ts), interleaved A B B A, as ratios:
 *   spread   --customers N accounts (default 100,000) with ample points, requests in turn over all of them
 *   hot      every request on ONE account (row-lock contention), unless --no-hot
 * Before timing, one request of each side is counted row by row (the same rows, or no
 * timing); after, every account's balance must equal its ledger and its lots.
 *
 * Standalone: `npx tsx test/bench/points/redeem.ts [--customers 100000] [--duration 10] [--rounds 2]
 *   [--connections 20] [--warmup 2] [--no-hot] [--no-key] [--profile] [--docs]`
 * --no-key: neither side uses an Idempotency-Key (what the key costs; not written to the docs).
 */
import { fork } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import autocannon from 'autocannon'
import pg from 'pg'
import { post, root, startServer, stopServer } from '../children.js'
import type { Measure } from '../load.js'
import { summariseProfiles } from '../profile.js'
import { writeBlock } from '../report.js'
import { createBenchDatabase } from '../seed.js'
import { nthRequest, type RawResult, type RedeemRawSpec } from './redeem-raw.js'
import { seedPoints, withSession } from './seed.js'

export type RedeemOptions = {
  connections: number; duration: number; warmup: number; rounds: number; customers: number
  /** Also measure every request on one account. */
  hot: boolean
  /** Requests carry an Idempotency-Key (false: what the key costs, both sides without it). */
  key: boolean
  log: (line: string) => void; profileDir?: string
}
export type RedeemPair = { app: Measure; raw: Measure; runs: { app: Measure[]; raw: Measure[] } }
export type RedeemResult = { spread: RedeemPair; hot: RedeemPair | null; rows: string; seeded: string; ledger: string }

const PATH = '/api/v1/points/redemptions'

function runRawChild(spec: RedeemRawSpec): Promise<RawResult> {
  const child = fork(fileURLToPath(new URL('./redeem-raw.ts', import.meta.url)), [], {
    cwd: root, execArgv: ['--import', 'tsx'], env: { ...process.env, BENCH_RAW_CHILD: 'points-redeem' }
  })
  child.send(spec)
  return new Promise((resolve, reject) => {
    child.once('message', (m: { result: RawResult }) => resolve(m.result))
    child.once('exit', (code) => { if (code) reject(new Error(`raw script exited with ${code}`)) })
  })
}

const mean = (list: Measure[]): Measure => ({
  rps: list.reduce((s, m) => s + m.rps, 0) / list.length, p50: list.reduce((s, m) => s + m.p50, 0) / list.length,
  p99: list.reduce((s, m) => s + m.p99, 0) / list.length, requests: list.reduce((s, m) => s + m.requests, 0), bad: list.reduce((s, m) => s + m.bad, 0)
})

export async function benchRedeem(opts: RedeemOptions): Promise<RedeemResult> {
  const { log } = opts
  log(`\n== postgres: points redemption (seeding ${opts.customers.toLocaleString('en')} customers with points)`)
  const piiKey = randomBytes(32)
  const target = await createBenchDatabase('postgres')
  const db = new pg.Client({ connectionString: target.url })
  let server: Awaited<ReturnType<typeof startServer>> | undefined
  try {
    const started = performance.now()
    const seeded = await withSession(target, (exec) => seedPoints(exec, { customers: opts.customers, scale: 1_000_000, now: new Date() }))
    log(`  seeded ${JSON.stringify(seeded)} in ${((performance.now() - started) / 1000).toFixed(0)} s`)
    await db.connect()
    const everyone = (await db.query<{ id: string }>('select customer_id::text as id from points_accounts order by id')).rows.map((r) => r.id)
    const hot = [everyone[Math.floor(everyone.length / 2)]]
    const bootstrapKey = `crm_bench_${randomBytes(16).toString('hex')}`
    server = await startServer({
      role: 'app', url: target.url, poolSize: opts.connections, piiKey: piiKey.toString('base64'),
      jwtSecret: randomBytes(32).toString('base64url'), bootstrapKey
    }, opts.profileDir)
    const appUrl = `http://127.0.0.1:${server.ports.app}`
    const token = (await post(`${appUrl}/api/v1/auth/token`, { apiKey: bootstrapKey })).json.accessToken as string
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }

    let appNext = 0
    const appRequest = (customers: string[]) => {
      const r = nthRequest('A-', appNext++, customers)
      return { headers: opts.key ? { ...headers, 'idempotency-key': r.externalId } : headers, body: JSON.stringify(r) }
    }
    let rawNext = 0
    const rawSpec = (duration: number, connections: number, customers: string[]): RedeemRawSpec => {
      const spec = { url: target.url!, piiKey: piiKey.toString('base64'), connections, duration, prefix: 'R-', start: rawNext, customers, key: opts.key }
      rawNext += 10_000_000
      return spec
    }

    // Check before timing: each side writes the same rows for one redemption.
    const counts = async () => (await db.query(`select (select count(*) from idempotency_keys)::int as "idempotency keys",
      (select count(*) from points_redemptions)::int as redemptions, (select count(*) from points_entries)::int as entries,
      (select count(*) from audit_entries)::int as audit, (select count(*) from outbox_events)::int as outbox`)).rows[0] as Record<string, number>
    const perRequest = (a: Record<string, number>, b: Record<string, number>, n: number) => Object.entries(b).map(([k, v]) => `${k} +${(v - a[k]) / n}`).join(', ')
    let before = await counts()
    const one = appRequest(everyone)
    const res = await fetch(`${appUrl}${PATH}`, { method: 'POST', headers: one.headers, body: one.body })
    if (res.status !== 201) throw new Error(`the redemption failed: ${res.status} ${await res.text()}`)
    const appRows = perRequest(before, (before = await counts()), 1)
    const rawOne = await runRawChild(rawSpec(0.2, 1, everyone))
    if (rawOne.bad || !rawOne.requests) throw new Error('the raw script failed to redeem')
    const rawRows = perRequest(before, await counts(), rawOne.requests)
    if (appRows !== rawRows) throw new Error(`the sides write different rows per redemption: app ${appRows}; raw ${rawRows}`)
    log(`  checked: one redemption writes ${appRows} on both sides (and updates the lots taken and the balance)`)

    // The server's CPU time (its /proc stat, Linux), to tell a busy event loop from waiting on the database.
    const serverPid = server.child.pid!
    const cpuMs = () => { try { const f = readFileSync(`/proc/${serverPid}/stat`, 'utf8').split(') ')[1].split(' '); return (Number(f[11]) + Number(f[12])) * 10 } catch { return 0 } }
    const fireApp = async (duration: number, customers: string[]): Promise<Measure> => {
      const start = (await counts()).redemptions
      const cpu = cpuMs()
      const r = await autocannon({
        url: appUrl, connections: opts.connections, duration,
        requests: [{ method: 'POST', path: PATH, setupRequest: (req) => ({ ...req, ...appRequest(customers) }) }]
      })
      const recorded = (await counts()).redemptions - start
      const bad = r.non2xx + r.errors + r.timeouts + Math.max(0, r['2xx'] - recorded)
      cpuPerRequest.app.push((cpuMs() - cpu) / Math.max(1, r.requests.total))
      return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, requests: r.requests.total, bad }
    }
    const fireRaw = async (duration: number, customers: string[]): Promise<Measure> => {
      const r = await runRawChild(rawSpec(duration, opts.connections, customers))
      cpuPerRequest.raw.push(r.cpuMs / Math.max(1, r.requests + r.bad))
      return r
    }
    const cpuPerRequest = { app: [] as number[], raw: [] as number[] }

    const pair = async (label: string, customers: string[]): Promise<RedeemPair> => {
      log(`  ${label}: ${opts.connections} connections, ${opts.warmup} s warm-up, ${opts.rounds} × ${opts.duration} s per side`)
      if (opts.warmup > 0) { await fireApp(opts.warmup, customers); await fireRaw(opts.warmup, customers) }
      await db.query('analyze')
      const runs = { app: [] as Measure[], raw: [] as Measure[] }
      for (let round = 0; round < opts.rounds; round++) {
        for (const side of round % 2 === 0 ? (['app', 'raw'] as const) : (['raw', 'app'] as const)) {
          const m = side === 'app' ? await fireApp(opts.duration, customers) : await fireRaw(opts.duration, customers)
          runs[side].push(m)
          log(`    ${(side === 'app' ? `POST ${PATH}` : 'raw pg transaction').padEnd(32)} ${m.rps.toFixed(0).padStart(6)} /s  p50 ${m.p50} ms  p99 ${m.p99} ms  ${cpuPerRequest[side].at(-1)!.toFixed(1)} ms CPU/request${m.bad ? `  BAD ${m.bad}` : ''}`)
        }
      }
      return { app: mean(runs.app), raw: mean(runs.raw), runs }
    }
    const spread = await pair(`spread over ${everyone.length.toLocaleString('en')} accounts`, everyone)
    const hotPair = opts.hot ? await pair('one hot account', hot) : null

    // After: no account overdrawn, and every balance equals its ledger and its lots.
    const [ledger] = (await db.query(`select count(*)::int as accounts,
      count(*) filter (where a.balance <> e.total or a.balance <> l.total)::int as wrong, sum(e.redeemed)::bigint::text as redeemed
      from points_accounts a
      join (select account_id, sum(amount) as total, -sum(amount) filter (where kind = 'redeem') as redeemed from points_entries group by account_id) e on e.account_id = a.id
      join (select account_id, sum(remaining) as total from points_lots group by account_id) l on l.account_id = a.id`)).rows as { accounts: number; wrong: number; redeemed: string }[]
    if (ledger.wrong) throw new Error(`${ledger.wrong} accounts' balances differ from their ledger or lots`)
    log(`  after: all ${ledger.accounts.toLocaleString('en')} balances equal their ledger and lots (${Number(ledger.redeemed).toLocaleString('en')} points redeemed)`)
    return {
      spread, hot: hotPair, rows: appRows, ledger: `all ${ledger.accounts.toLocaleString('en')} balances equal their ledger and their lots afterwards`,
      seeded: `${seeded.customers.toLocaleString('en')} customers and accounts, ${seeded.lots.toLocaleString('en')} lots (${seeded['expired lots'].toLocaleString('en')} past expiry, not yet written off), ${seeded.entries.toLocaleString('en')} entries`
    }
  } finally {
    if (server) await stopServer(server.child)
    await db.end().catch(() => {})
    await target.drop()
  }
}

/** The redemption table, on the console and between its markers in docs/performance.md. */
export function reportRedeem(result: RedeemResult, meta: { command: string; opts: RedeemOptions; note?: string }, file?: string): string {
  const row = (what: string, p: RedeemPair) => {
    const ratio = p.app.rps / p.raw.rps
    return `| ${what} | ${p.app.rps.toFixed(0)} | ${p.app.p50.toFixed(0)} / ${p.app.p99.toFixed(0)} ms | ${p.raw.rps.toFixed(0)} | ${p.raw.p50.toFixed(0)} / ${p.raw.p99.toFixed(0)} ms | **${ratio.toFixed(2)}** | ≥ 0.5 ${ratio >= 0.5 ? 'met' : 'NOT met'}${p.app.bad + p.raw.bad ? ` (${p.app.bad + p.raw.bad} bad!)` : ''} |`
  }
  const lines = [
    `Last run: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, \`${meta.command}\`; ${meta.opts.connections} concurrent clients, ${meta.opts.warmup} s warm-up, ${meta.opts.rounds} × ${meta.opts.duration} s per side interleaved (means); seeded ${result.seeded}.`,
    '',
    '| workload | app /s | app p50 / p99 | raw pg /s | raw p50 / p99 | ratio | goal |',
    '|---|---|---|---|---|---|---|',
    row(`POST /api/v1/points/redemptions (${meta.opts.key ? 'Idempotency-Key, ' : 'no Idempotency-Key, '}externalId, ERP order id), requests spread over all accounts, vs raw pg transaction`, result.spread),
    ...(result.hot ? [row('the same, every request on one account (row-lock contention)', result.hot)] : []),
    '',
    `Rows per redemption, both sides (counted before timing): ${result.rows}; plus the lots taken and the balance updated. Then ${result.ledger}.`,
    ...(meta.note ? ['', `Machine: ${meta.note}`] : [])
  ].join('\n')
  // The docs show redemptions as integrators send them: with a key.
  if (file && meta.opts.key) writeBlock(file, 'points-redeem', '### Points redemption', lines)
  return lines
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2)
  const flag = (name: string, fallback: number) => { const i = args.indexOf(`--${name}`); return i >= 0 ? Number(args[i + 1]) : fallback }
  const profileDir = args.includes('--profile') ? join(tmpdir(), `crm-bench-profiles-${Date.now()}`) : undefined
  const opts: RedeemOptions = {
    connections: flag('connections', 20), duration: flag('duration', 10), warmup: flag('warmup', 2), rounds: flag('rounds', 2),
    customers: flag('customers', 100_000), hot: !args.includes('--no-hot'), key: !args.includes('--no-key'), log: (l) => console.log(l), profileDir
  }
  const result = await benchRedeem(opts)
  if (profileDir) console.log(`\n${summariseProfiles(profileDir)}\n(profiles in ${profileDir})`)
  console.log(`\n${reportRedeem(result, { command: `npx tsx test/bench/points/redeem.ts ${args.join(' ')}`.trim(), opts }, args.includes('--docs') ? `${root}docs/performance.md` : undefined)}`)
  process.exitCode = result.spread.app.bad + result.spread.raw.bad + (result.hot ? result.hot.app.bad + result.hot.raw.bad : 0) > 0 ? 1 : 0
}
