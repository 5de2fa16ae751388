/**
 * Sustained referral submission on PostgreSQL: the app's GraphQL `submitReferral` (dedupe,
 * lead creation, routing, audit and outbox in one transaction; consent off so every
 * submission is accepted at once) against a raw `pg` script doing the same writes in one
 * transaction (submit-raw.ts), interleaved A B B A. Part of `npm run bench` (`--only submit`).
 *
 * Standalone: `npx tsx test/bench/submit.ts [--duration 10] [--rounds 2] [--customers 100000]`.
 */
import { fork } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { fileURLToPath, pathToFileURL } from 'node:url'
import autocannon from 'autocannon'
import pg from 'pg'
import { post, root, startServer, stopServer } from './children.js'
import type { Measure } from './load.js'
import { createBenchDatabase, defaultSeed, seed } from './seed.js'
import type { RawResult, RawSpec } from './submit-raw.js'
import { writeBlock } from './report.js'

export type SubmitOptions = { connections: number; duration: number; warmup: number; rounds: number; customers: number; log: (line: string) => void; profileDir?: string }
export type SubmitResult = { app: Measure; raw: Measure; runs: { app: Measure[]; raw: Measure[] }; statements: string; seeded: string }

export const submitGoal = 0.5
const MUTATION = 'mutation($i: SubmitReferralInput!) { submitReferral(input: $i) { referral { id status } userErrors { code message } } }'

function runRawChild(spec: RawSpec): Promise<RawResult> {
  const child = fork(fileURLToPath(new URL('./submit-raw.ts', import.meta.url)), [], {
    cwd: root, execArgv: ['--import', 'tsx'], env: { ...process.env, BENCH_RAW_SPEC: JSON.stringify(spec) }
  })
  return new Promise((resolve, reject) => {
    child.once('message', (m: { result: RawResult }) => resolve(m.result))
    child.once('exit', (code) => { if (code) reject(new Error(`raw script exited with ${code}`)) })
  })
}

export async function benchSubmit(opts: SubmitOptions): Promise<SubmitResult> {
  const { log } = opts
  log(`\n== postgres: referral submissions (seeding ${opts.customers} customers for the dedupe lookups)`)
  const piiKey = randomBytes(32)
  const target = await createBenchDatabase('postgres')
  const db = new pg.Client({ connectionString: target.url })
  let server: Awaited<ReturnType<typeof startServer>> | undefined
  try {
    const seeded = await seed(target, { ...defaultSeed(piiKey), customers: opts.customers, activityCustomers: 0, log })
    await db.connect()
    const referrers = (await db.query<{ id: string; owner_id: string | null }>('select id, owner_id from referrers order by id limit 1000')).rows
      .map((r) => ({ id: r.id, ownerId: r.owner_id }))
    const bootstrapKey = `crm_bench_${randomBytes(16).toString('hex')}`
    server = await startServer({
      role: 'app', url: target.url, poolSize: opts.connections, piiKey: piiKey.toString('base64'),
      jwtSecret: randomBytes(32).toString('base64url'), bootstrapKey,
      env: { REFERRAL_CONSENT_REQUIRED: 'false', REFERRAL_VELOCITY_PER_HOUR: '1000000', REFERRAL_VELOCITY_PER_DAY: '1000000' }
    }, opts.profileDir)
    const appUrl = `http://127.0.0.1:${server.ports.app}`
    const token = (await post(`${appUrl}/api/v1/auth/token`, { apiKey: bootstrapKey })).json.accessToken as string
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }

    // Phones never seen by the seed (whose suffixes are below 100000) nor by the other side.
    let appNext = 100_000_000
    const appBody = () => {
      const n = appNext++
      return JSON.stringify({ query: MUTATION, variables: { i: { referrerId: referrers[n % referrers.length].id, name: 'Bench Person', phone: `17${n}` } } })
    }
    let rawNext = 100_000_000
    const rawSpec = (duration: number, connections: number): RawSpec => {
      const spec = { url: target.url!, piiKey: piiKey.toString('base64'), connections, duration, phonePrefix: '18', start: rawNext, referrers }
      rawNext += 10_000_000
      return spec
    }

    // Check before timing: each side writes the same rows for one submission.
    const counts = async () => (await db.query(`select (select count(*) from referrals where status = 'submitted')::int as referrals,
      (select count(*) from leads)::int as leads, (select count(*) from lead_history)::int as history,
      (select count(*) from audit_entries)::int as audit, (select count(*) from outbox_events)::int as outbox`)).rows[0] as Record<string, number>
    const delta = (a: Record<string, number>, b: Record<string, number>) => Object.entries(b).map(([k, v]) => `${k} +${v - a[k]}`).join(', ')
    let before = await counts()
    const one = await post(`${appUrl}/graphql`, JSON.parse(appBody()), token)
    if (one.json.data?.submitReferral?.referral?.status !== 'submitted') throw new Error(`submitReferral did not accept: ${JSON.stringify(one.json)}`)
    const appRows = delta(before, (before = await counts()))
    const rawOne = await runRawChild({ ...rawSpec(0.2, 1) })
    if (rawOne.bad || !rawOne.requests) throw new Error('the raw script failed to submit')
    const after = await counts()
    const rawRows = `${delta(before, after)} (for ${rawOne.requests})`
    log(`  checked: one submission writes ${appRows} (app); raw script ${rawRows}`)

    const fireApp = async (duration: number): Promise<Measure> => {
      const start = await counts()
      const r = await autocannon({
        url: appUrl, connections: opts.connections, duration,
        requests: [{ method: 'POST', path: '/graphql', headers, setupRequest: (req) => ({ ...req, body: appBody() }) }]
      })
      const accepted = (await counts()).referrals - start.referrals
      const bad = r.non2xx + r.errors + r.timeouts + Math.max(0, r['2xx'] - accepted)
      return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, requests: r.requests.total, bad }
    }
    const fireRaw = async (duration: number): Promise<Measure> => runRawChild(rawSpec(duration, opts.connections))

    if (opts.warmup > 0) { await fireApp(opts.warmup); await fireRaw(opts.warmup) }
    // The referral tables were empty when the seed analysed them, so each side's prepared
    // statements were planned for tiny tables (sequential scans). In production autovacuum
    // re-analyses a growing table and PostgreSQL re-plans; here the tables grow faster than
    // its one-minute nap, so analyse once after the warm-up, for both sides alike.
    await db.query('analyze')
    const runs = { app: [] as Measure[], raw: [] as Measure[] }
    for (let round = 0; round < opts.rounds; round++) {
      for (const side of round % 2 === 0 ? (['app', 'raw'] as const) : (['raw', 'app'] as const)) {
        const m = side === 'app' ? await fireApp(opts.duration) : await fireRaw(opts.duration)
        runs[side].push(m)
        log(`    ${(side === 'app' ? 'GraphQL submitReferral' : 'raw pg transaction').padEnd(28)} ${m.rps.toFixed(0).padStart(7)} /s  p50 ${m.p50} ms  p99 ${m.p99} ms${m.bad ? `  BAD ${m.bad}` : ''}`)
      }
    }
    const mean = (list: Measure[]): Measure => ({
      rps: list.reduce((s, m) => s + m.rps, 0) / list.length, p50: list.reduce((s, m) => s + m.p50, 0) / list.length,
      p99: list.reduce((s, m) => s + m.p99, 0) / list.length, requests: list.reduce((s, m) => s + m.requests, 0), bad: list.reduce((s, m) => s + m.bad, 0)
    })
    return {
      app: mean(runs.app), raw: mean(runs.raw), runs, statements: `app ${appRows}; raw ${rawRows}`,
      seeded: `${Object.entries(seeded.counts).map(([k, v]) => `${v.toLocaleString('en')} ${k}`).join(', ')}`
    }
  } finally {
    if (server) await stopServer(server.child)
    await db.end().catch(() => {})
    await target.drop()
  }
}

/** The submission table, on the console and between its markers in docs/performance.md. */
export function reportSubmit(result: SubmitResult, meta: { command: string; note: string; opts: SubmitOptions }, file?: string): string {
  const ratio = result.app.rps / result.raw.rps
  const lines = [
    `Last run: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, \`${meta.command}\`; ${meta.opts.connections} concurrent clients, ${meta.opts.warmup} s warm-up, ${meta.opts.rounds} × ${meta.opts.duration} s per side interleaved; seeded ${result.seeded}.`,
    '',
    '| workload | app /s | app p99 | raw pg /s | raw p99 | ratio | goal |',
    '|---|---|---|---|---|---|---|',
    `| submitReferral (accepted, lead routed, audit, outbox) vs raw pg transaction | ${result.app.rps.toFixed(0)} | ${result.app.p99.toFixed(0)} ms | ${result.raw.rps.toFixed(0)} | ${result.raw.p99.toFixed(0)} ms | **${ratio.toFixed(2)}** | ≥ ${submitGoal} ${ratio >= submitGoal ? 'met' : 'NOT met'}${result.app.bad + result.raw.bad ? ` (${result.app.bad + result.raw.bad} bad!)` : ''} |`,
    '',
    `Rows per submission: ${result.statements}.`
  ].join('\n')
  if (file) writeBlock(file, 'submit', '### Referral submissions', lines)
  return lines
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2)
  const flag = (name: string, fallback: number) => { const i = args.indexOf(`--${name}`); return i >= 0 ? Number(args[i + 1]) : fallback }
  const opts: SubmitOptions = {
    connections: flag('connections', 20), duration: flag('duration', 10), warmup: flag('warmup', 2),
    rounds: flag('rounds', 2), customers: flag('customers', 100_000), log: (l) => console.log(l)
  }
  const result = await benchSubmit(opts)
  console.log(`\n${reportSubmit(result, { command: `npx tsx test/bench/submit.ts ${args.join(' ')}`.trim(), note: '', opts }, args.includes('--docs') ? `${root}docs/performance.md` : undefined)}`)
  process.exitCode = result.app.bad + result.raw.bad > 0 ? 1 : 0
}
