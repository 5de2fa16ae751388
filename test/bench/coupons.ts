/**
 * Coupons on PostgreSQL (`npm run bench -- --only coupons --db postgres`):
 *
 * 1. `redeemCoupon` over REST (`POST /api/v1/coupons/redemptions`: the buyer, the coupon by
 *    code, the order by the ERP's id, the rules, the conditional update, the redemption, audit
 *    and outbox in one transaction) against a raw `pg` script doing the same work
 *    (coupons-raw.ts), interleaved A B B A, as a ratio. Goal: ≥ 0.5×.
 * 2. Generating 1,000,000 codes of a batch (the app's job: codes and ids made in memory,
 *    COPY'd in chunks under savepoints, the batch completed, its event) against a single COPY
 *    of 1,000,000 pre-made rows of the same columns, each on an emptied table, interleaved.
 *    Goal: ≤ 2× the time.
 *
 * Standalone: `npx tsx test/bench/coupons.ts [--duration 10] [--rounds 2] [--customers 20000] [--codes 1000000] [--docs]`
 */
import { fork } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { fileURLToPath, pathToFileURL } from 'node:url'
import autocannon from 'autocannon'
import pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import { buildApp } from '../../src/app.js'
import { IdMaker } from '../../src/cli/seed-ids.js'
import { loadConfig } from '../../src/config.js'
import { systemActor } from '../../src/modules/auth/actor.js'
import { randomCodes } from '../../src/modules/coupons/coupons.generate.js'
import { post, root, startServer, stopServer } from './children.js'
import type { Measure } from './load.js'
import type { CouponsRawSpec } from './coupons-raw.js'
import type { RawResult } from './orders-raw.js'
import { createBenchDatabase, defaultSeed, seed } from './seed.js'
import { writeBlock } from './report.js'
import { summariseProfiles } from './profile.js'

export type CouponsOptions = {
  connections: number; duration: number; warmup: number; rounds: number; customers: number
  /** Codes per generation run. */
  codes: number
  log: (line: string) => void; profileDir?: string
}
export type CouponsResult = {
  app: Measure; raw: Measure; runs: { app: Measure[]; raw: Measure[] }; statements: string; seeded: string
  generate: { app: number[]; copy: number[]; codes: number }
}

const COLUMNS = ['id', 'template_id', 'batch_id', 'code', 'issued_at', 'valid_from', 'valid_until']

function runRawChild(spec: CouponsRawSpec): Promise<RawResult> {
  const child = fork(fileURLToPath(new URL('./coupons-raw.ts', import.meta.url)), [], {
    cwd: root, execArgv: ['--import', 'tsx'], env: { ...process.env, BENCH_RAW_SPEC: JSON.stringify(spec) }
  })
  return new Promise((resolve, reject) => {
    child.once('message', (m: { result: RawResult }) => resolve(m.result))
    child.once('exit', (code) => { if (code) reject(new Error(`raw script exited with ${code}`)) })
  })
}

/** COPY `lines` into coupons (`columns`) over `client`, in one transaction. */
async function copyCoupons(client: pg.Client, lines: string[], columns: readonly string[] = COLUMNS): Promise<void> {
  await client.query('begin')
  function* chunks() {
    let buffer = ''
    for (const line of lines) {
      buffer += line
      if (buffer.length >= 65_536) { yield buffer; buffer = '' }
    }
    if (buffer) yield buffer
  }
  await pipeline(Readable.from(chunks(), { objectMode: false }), client.query(copyFrom(`copy coupons (${columns.join(', ')}) from stdin`)))
  await client.query('commit')
}

const HELD = ['id', 'template_id', 'customer_id', 'code', 'issued_at']

/** Coupons held by the given customers (round robin), as COPY lines of HELD; their codes and holders. */
function heldCoupons(templateId: string, customers: string[], n: number): { lines: string[]; codes: [string, string][] } {
  const ids = new IdMaker()
  const codes = randomCodes(n)
  const issued = new Date().toISOString()
  const lines: string[] = []
  const out: [string, string][] = []
  for (let i = 0; i < n; i++) {
    const customer = customers[i % customers.length]
    lines.push(`${ids.next()}\t${templateId}\t${customer}\t${codes[i]}\t${issued}\n`)
    out.push([codes[i], customer])
  }
  return { lines, codes: out }
}

const mean = (list: Measure[]): Measure => ({
  rps: list.reduce((s, m) => s + m.rps, 0) / list.length, p50: list.reduce((s, m) => s + m.p50, 0) / list.length,
  p99: list.reduce((s, m) => s + m.p99, 0) / list.length, requests: list.reduce((s, m) => s + m.requests, 0), bad: list.reduce((s, m) => s + m.bad, 0)
})

export async function benchCoupons(opts: CouponsOptions): Promise<CouponsResult> {
  const { log } = opts
  log(`\n== postgres: coupons (seeding ${opts.customers} customers)`)
  const piiKey = randomBytes(32)
  const target = await createBenchDatabase('postgres')
  const db = new pg.Client({ connectionString: target.url })
  let server: Awaited<ReturnType<typeof startServer>> | undefined
  try {
    const seeded = await seed(target, { ...defaultSeed(piiKey), customers: opts.customers, activityCustomers: 0, log })
    await db.connect()
    const customers = (await db.query<{ id: string }>('select id from customers order by id limit 10000')).rows.map((r) => r.id)
    const bootstrapKey = `crm_bench_${randomBytes(16).toString('hex')}`
    server = await startServer({
      role: 'app', url: target.url, poolSize: opts.connections, piiKey: piiKey.toString('base64'),
      jwtSecret: randomBytes(32).toString('base64url'), bootstrapKey
    }, opts.profileDir)
    const appUrl = `http://127.0.0.1:${server.ports.app}`
    const token = (await post(`${appUrl}/api/v1/auth/token`, { apiKey: bootstrapKey })).json.accessToken as string
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }
    const tpl = await post(`${appUrl}/api/v1/coupon-templates`, { name: '满100减20', kind: 'amount_off', amountOff: 2000, minOrderAmount: 10_000, validDays: 365 }, token)
    if (tpl.status !== 201) throw new Error(`template failed: ${JSON.stringify(tpl.json)}`)

    // Coupons for each side, disjoint: far more than either can use in the time given.
    const perSide = Math.max(50_000, Math.ceil(4000 * (opts.warmup + opts.rounds * opts.duration + 2)))
    const app = heldCoupons(tpl.json.id, customers, perSide)
    const raw = heldCoupons(tpl.json.id, customers, perSide)
    for (const side of [app, raw]) await copyCoupons(db, side.lines, HELD)
    await db.query('vacuum analyze coupons')
    await db.query('analyze')
    const codesFile = join(tmpdir(), `crm-bench-coupons-${Date.now()}.json`)
    writeFileSync(codesFile, JSON.stringify(raw.codes))

    let appNext = 0
    const appBody = () => {
      const n = appNext++
      const [code, customerId] = app.codes[n]
      return JSON.stringify({ code, customerId, orderAmount: { amount: 20_000 + (n % 10_000) }, orderExternalId: `APP-SO-${n}` })
    }
    let rawNext = 0
    const counts = async () => (await db.query(`select (select count(*) from coupon_redemptions)::int as redemptions,
      (select count(*) from audit_entries)::int as audit, (select count(*) from outbox_events)::int as outbox,
      (select count(*) from coupons where status = 'redeemed')::int as redeemed`)).rows[0] as Record<string, number>
    const delta = (a: Record<string, number>, b: Record<string, number>) => Object.entries(b).map(([k, v]) => `${k} +${v - a[k]}`).join(', ')

    // Check before timing: each side writes the same rows for one redemption.
    let before = await counts()
    const one = await fetch(`${appUrl}/api/v1/coupons/redemptions`, { method: 'POST', headers, body: appBody() })
    if (one.status !== 201) throw new Error(`redeem did not redeem: ${await one.text()}`)
    const appRows = delta(before, (before = await counts()))
    const rawOne = await runRawChild({ url: target.url!, connections: 1, duration: 0.2, codesFile, start: rawNext })
    rawNext += rawOne.requests + rawOne.bad
    if (rawOne.bad || !rawOne.requests) throw new Error('the raw script failed to redeem')
    const rawRows = `${delta(before, await counts())} (for ${rawOne.requests})`
    log(`  checked: one redemption writes ${appRows} (app); raw script ${rawRows}`)

    const fireApp = async (duration: number): Promise<Measure> => {
      const start = await counts()
      const r = await autocannon({
        url: appUrl, connections: opts.connections, duration,
        requests: [{ method: 'POST', path: '/api/v1/coupons/redemptions', headers, setupRequest: (req) => ({ ...req, body: appBody() }) }]
      })
      const used = (await counts()).redemptions - start.redemptions
      const bad = r.non2xx + r.errors + r.timeouts + Math.max(0, r['2xx'] - used)
      return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, requests: r.requests.total, bad }
    }
    const fireRaw = async (duration: number): Promise<Measure> => {
      const r = await runRawChild({ url: target.url!, connections: opts.connections, duration, codesFile, start: rawNext })
      rawNext += r.requests + r.bad
      return r
    }
    if (opts.warmup > 0) { await fireApp(opts.warmup); await fireRaw(opts.warmup) }
    const runs = { app: [] as Measure[], raw: [] as Measure[] }
    for (let round = 0; round < opts.rounds; round++) {
      for (const side of round % 2 === 0 ? (['app', 'raw'] as const) : (['raw', 'app'] as const)) {
        const m = side === 'app' ? await fireApp(opts.duration) : await fireRaw(opts.duration)
        runs[side].push(m)
        log(`    ${(side === 'app' ? 'REST redeemCoupon' : 'raw pg transaction').padEnd(28)} ${m.rps.toFixed(0).padStart(7)} /s  p50 ${m.p50} ms  p99 ${m.p99} ms${m.bad ? `  BAD ${m.bad}` : ''}`)
      }
    }
    await stopServer(server.child)
    server = undefined

    const generate = await benchGenerate(target.url!, db, opts)
    return {
      app: mean(runs.app), raw: mean(runs.raw), runs, statements: `app ${appRows}; raw ${rawRows}`, generate,
      seeded: `${Object.entries(seeded.counts).map(([k, v]) => `${v.toLocaleString('en')} ${k}`).join(', ')}; ${(perSide * 2).toLocaleString('en')} coupons held by ${customers.length.toLocaleString('en')} customers`
    }
  } finally {
    if (server) await stopServer(server.child)
    await db.end().catch(() => {})
    await target.drop()
  }
}

/** The app's batch generation vs a COPY of pre-made rows, each into an emptied coupons table. */
async function benchGenerate(url: string, db: pg.Client, opts: CouponsOptions): Promise<CouponsResult['generate']> {
  const { log } = opts
  const n = opts.codes
  log(`  generating ${n.toLocaleString('en')} codes: the app's batch job vs COPY of pre-made rows (emptied table each run)`)
  const config = loadConfig({
    DATABASE_URL: url, DATABASE_POOL_SIZE: '4', JWT_SECRET: randomBytes(32).toString('base64url'), PII_KEY: randomBytes(32).toString('base64'),
    BOOTSTRAP_ADMIN_KEY: `crm_bench_${randomBytes(16).toString('hex')}`, LOG_LEVEL: 'silent', JOBS_ENABLED: 'false', API_RATE_LIMIT_PER_KEY: '0'
  })
  const app = await buildApp({ config, logger: false })
  try {
    const tpl = await app.services.couponTemplates.create(systemActor, { name: '地推券', kind: 'amount_off', amountOff: 500 })
    const empty = async () => {
      await db.query('truncate coupon_redemptions, coupons, coupon_batches')
      await db.query('update coupon_templates set issued_count = 0')
      await db.query('checkpoint')
    }
    const appRun = async (): Promise<number> => {
      await empty()
      const started = performance.now()
      const batch = await app.services.coupons.issueBatch(systemActor, tpl.id, { quantity: n })
      const pass = await app.services.coupons.runPendingBatches(new Date())
      const seconds = (performance.now() - started) / 1000
      // Up to 10,000 codes are made in the request itself; more by the job's pass.
      const made = batch.status === 'completed' ? batch.issued : pass.codes
      if (made !== n) throw new Error(`the batch made ${made} codes`)
      return seconds
    }
    const copyRun = async (): Promise<number> => {
      await empty()
      // Pre-made rows (not timed): ids, codes and the fixed columns, as the batch writes them.
      const batchId = (await db.query<{ id: string }>(`insert into coupon_batches (id, template_id, quantity, status) values ($1, $2, $3, 'completed') returning id`,
        [new IdMaker().next(), tpl.id, n])).rows[0].id
      const ids = new IdMaker()
      const codes = randomCodes(n)
      const at = new Date().toISOString()
      const lines = codes.map((code) => `${ids.next()}\t${tpl.id}\t${batchId}\t${code}\t${at}\t\\N\t\\N\n`)
      const started = performance.now()
      await copyCoupons(db, lines)
      return (performance.now() - started) / 1000
    }
    const out = { app: [] as number[], copy: [] as number[], codes: n }
    for (let round = 0; round < opts.rounds; round++) {
      for (const side of round % 2 === 0 ? (['app', 'copy'] as const) : (['copy', 'app'] as const)) {
        const s = side === 'app' ? await appRun() : await copyRun()
        out[side].push(s)
        log(`    ${(side === 'app' ? 'app batch job' : 'COPY pre-made rows').padEnd(28)} ${s.toFixed(2).padStart(7)} s  (${Math.round(n / s).toLocaleString('en')} codes/s)`)
      }
    }
    return out
  } finally {
    await app.close()
  }
}

/** The coupons table, on the console and between its markers in docs/performance.md. */
export function reportCoupons(result: CouponsResult, meta: { command: string; note: string; opts: CouponsOptions }, file?: string): string {
  const ratio = result.app.rps / result.raw.rps
  const avg = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length
  const gen = avg(result.generate.app)
  const copy = avg(result.generate.copy)
  const lines = [
    `Last run: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, \`${meta.command}\`; ${meta.opts.connections} concurrent clients, ${meta.opts.warmup} s warm-up, ${meta.opts.rounds} × ${meta.opts.duration} s per side interleaved; seeded ${result.seeded}. ${meta.note}`,
    '',
    '| workload | app | raw pg / COPY | ratio | goal |',
    '|---|---|---|---|---|',
    `| redeemCoupon over REST (buyer, coupon by code, order link, rules, conditional update, redemption, audit, outbox) vs raw pg transaction | ${result.app.rps.toFixed(0)} /s, p99 ${result.app.p99.toFixed(0)} ms | ${result.raw.rps.toFixed(0)} /s, p99 ${result.raw.p99.toFixed(0)} ms | **${ratio.toFixed(2)}** | ≥ 0.5 ${ratio >= 0.5 ? 'met' : '**not met**'}${result.app.bad + result.raw.bad ? ` (${result.app.bad + result.raw.bad} bad!)` : ''} |`,
    `| generating ${result.generate.codes.toLocaleString('en')} codes (batch job: codes and ids in memory, COPY in chunks, batch completed) vs COPY of as many pre-made rows | ${gen.toFixed(2)} s | ${copy.toFixed(2)} s | **${(gen / copy).toFixed(2)}×** the time | ≤ 2× ${gen / copy <= 2 ? 'met' : '**not met**'} |`,
    '',
    `Rows per redemption: ${result.statements}. Generation runs: app ${result.generate.app.map((s) => s.toFixed(2)).join(', ')} s; COPY ${result.generate.copy.map((s) => s.toFixed(2)).join(', ')} s.`
  ].join('\n')
  if (file) writeBlock(file, 'coupons', '## Coupons', lines)
  return lines
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2)
  const flag = (name: string, fallback: number) => { const i = args.indexOf(`--${name}`); return i >= 0 ? Number(args[i + 1]) : fallback }
  const opts: CouponsOptions = {
    connections: flag('connections', 20), duration: flag('duration', 10), warmup: flag('warmup', 2),
    rounds: flag('rounds', 2), customers: flag('customers', 20_000), codes: flag('codes', 1_000_000), log: (l) => console.log(l),
    ...(args.includes('--profile') ? { profileDir: join(tmpdir(), `crm-bench-profiles-${Date.now()}`) } : {})
  }
  const result = await benchCoupons(opts)
  console.log(`\n${reportCoupons(result, { command: `npx tsx test/bench/coupons.ts ${args.join(' ')}`.trim(), note: '', opts }, args.includes('--docs') ? `${root}docs/performance.md` : undefined)}`)
  if (opts.profileDir) console.log(`\n${summariseProfiles(opts.profileDir)}`)
  process.exitCode = result.app.bad + result.raw.bad > 0 ? 1 : 0
}
