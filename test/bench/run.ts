/**
 * `npm run bench`: the real app vs a plain Fastify + pg baseline on 100,000 seeded
 * customers, on PostgreSQL and on PGlite. Never part of `npm test`.
 *
 * Flags: --db postgres|pglite|both  --customers N  --activity-customers N
 *        --duration S  --warmup S  --connections C  --rounds R  --pool N
 *        --keep (keep the databases)  --no-docs (don't write docs/performance.md)
 *        --profile (app under --cpu-prof; summary printed, profiles kept in the OS temp dir)
 *        --only point,page,submit,orders,eval (some workloads; submit = referral submissions, orders =
 *        recordOrder (--referred 0.2 share of referred customers, --rule adds a 5% order rule), both PostgreSQL only;
 *        eval = the pure incentive evaluator, in process, no database; not in the default set;
 *        rfm = recomputeRfm beside a raw SQL statement, --customers N --orders M --new-orders K, each --db;
 *        --reuse keeps the seeded PostgreSQL database as a template for the next run at that size;
 *        webhooks = commit-to-delivery latency at --rate 200 events/s for --seconds 30, and the drain rate of a
 *        --backlog 20000 events (PostgreSQL), each --db;
 *        import = psql \\copy of a --customers N CSV vs POST /api/v1/import/customers (--chunk rows per transaction), PostgreSQL;
 *        analytics = each report over REST vs its hand-written SQL (test/bench/analytics/), 30 and 365 days, the dashboard set,
 *        the server's RSS; --customers N (default 1,000,000 on PostgreSQL, 100,000 on PGlite; the rest scaled), --requests N
 *        (per round, 5), --rounds R, --reuse keeps the seeded data as a template);
 *        sla = the ticket SLA breach scan vs hand-written SQL (test/bench/sla/), --tickets N --open M (default 1,000,000 /
 *        100,000 on PostgreSQL, 100,000 / 10,000 on PGlite), --rounds R job runs, each --db);
 *        coupons = redeemCoupon over REST vs a raw pg transaction, and generating --codes N (1,000,000) codes vs a COPY of as
 *        many pre-made rows (test/bench/coupons.ts), --customers N (20,000 here), PostgreSQL only;
 *        points-redeem = POST /api/v1/points/redemptions (Idempotency-Key, externalId) vs a raw pg transaction writing the
 *        same rows (test/bench/points/redeem.ts), spread over --customers N accounts (100,000) and, unless --no-hot, all on
 *        one account; --no-key: neither side uses an Idempotency-Key (what the key costs); --connections, --duration,
 *        --warmup, --rounds as above; PostgreSQL only (the raw side needs a server);
 *        points-expiry = expireDue (the job) vs one hand-written set-based statement, each on a fresh copy of the same seeded
 *        database, --accounts N (default 1,000,000 on PostgreSQL, 100,000 on PGlite), --rounds R per side, --batch B (the
 *        job's batch, 5000), --reuse keeps the seeded PostgreSQL database as the template crm_points_expiry_<N>, each --db)
 *        automation = a segment-entry journey enrolling --customers N (default 1,000,000 on PostgreSQL, 100,000 on PGlite)
 *        with one marketing SMS step: journeyEngine.scan and runDue (--batch B, default JOURNEY_BATCH) vs hand-written
 *        set-based SQL (test/bench/automation/), --rounds R per side, --reuse keeps the seeded PostgreSQL database as a
 *        template; on PostgreSQL also 200 concurrent gate transactions for one customer vs 200 customers, each --db)
 *        rate-limit = GET /api/v1/customers/{id} with the per-key rate limit off vs on (test/bench/rate-limit.ts),
 *        --connections, --duration, --warmup, --rounds, --pool as above, each --db
 * Env: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test).
 */
import type { ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createBenchDatabase, defaultSeed, seed, type DbKind } from './seed.js'
import { measurePair, rotating, type PairResult } from './load.js'
import { buildWorkloads, checkPage, checkPoint, pointQuery, toTypeFields, typeQuery } from './workloads.js'
import { machineNote, printTable, writeDocs, type DbResult } from './report.js'
import { summariseProfiles } from './profile.js'
import { benchSubmit, reportSubmit, type SubmitResult } from './submit.js'
import { benchOrders, reportOrders, type OrdersResult } from './orders.js'
import { benchEval, defaultEvalOptions, reportEval, type EvalResult } from './incentives-eval.js'
import { benchRfm, reportRfm, type RfmResult } from './rfm.js'
import { benchWebhooks, reportWebhooks, type WebhookBenchResult } from './webhooks.js'
import { benchImport, reportImport } from './import.js'
import { benchAnalytics, type AnalyticsResult } from './analytics/index.js'
import { reportAnalytics } from './analytics/report.js'
import { benchSla, reportSla, type SlaBenchResult } from './sla/index.js'
import { benchCoupons, reportCoupons, type CouponsResult } from './coupons.js'
import { benchRedeem, reportRedeem, type RedeemOptions, type RedeemResult } from './points/redeem.js'
import { benchExpiry, reportExpiry, type ExpiryBenchResult } from './points/expiry.js'
import { benchAutomation, type AutomationResult } from './automation/index.js'
import { reportAutomation } from './automation/report.js'
import { benchRateLimit, reportRateLimit, type RateLimitBenchResult } from './rate-limit.js'
import { benchAudit, reportAudit, type AuditBenchResult } from './audit.js'
import type { ServerSpec } from './server-process.js'
import { nextPorts, post, root, startServer, stopServer } from './children.js'

const args = process.argv.slice(2)
const flag = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback
}
const opts = {
  db: flag('db', 'both'),
  customers: Number(flag('customers', '100000')),
  activityCustomers: Number(flag('activity-customers', flag('customers', '100000'))),
  duration: Number(flag('duration', '10')),
  warmup: Number(flag('warmup', '2')),
  connections: Number(flag('connections', '20')),
  rounds: Number(flag('rounds', '2')),
  pool: Number(flag('pool', '10')),
  keep: args.includes('--keep'),
  docs: !args.includes('--no-docs'),
  profile: args.includes('--profile'),
  only: flag('only', 'point,page,submit').split(',')
}
const kinds: DbKind[] = opts.db === 'both' ? ['postgres', 'pglite'] : [opts.db as DbKind]
const log = (line: string) => console.log(line)
const profileDir = join(tmpdir(), `crm-bench-profiles-${Date.now()}`)

async function getJson(url: string): Promise<any> {
  return (await fetch(url)).json()
}

async function benchDatabase(kind: DbKind): Promise<DbResult> {
  log(`\n== ${kind}: seeding ${opts.customers} customers`)
  const piiKey = randomBytes(32)
  const target = await createBenchDatabase(kind)
  const children: ChildProcess[] = []
  try {
    const seeded = await seed(target, { ...defaultSeed(piiKey), customers: opts.customers, activityCustomers: opts.activityCustomers, log })
    log(`  seeded ${JSON.stringify(seeded.counts)} in ${seeded.seconds} s`)

    const spec: ServerSpec = {
      role: kind === 'pglite' ? 'both' : 'app', url: target.url, dataDir: target.dataDir, poolSize: opts.pool,
      piiKey: piiKey.toString('base64'), jwtSecret: randomBytes(32).toString('base64url'),
      bootstrapKey: `crm_bench_${randomBytes(16).toString('hex')}`
    }
    const app = await startServer(spec, opts.profile ? profileDir : undefined)
    children.push(app.child)
    const appUrl = `http://127.0.0.1:${app.ports.app}`
    const token = await post(`${appUrl}/api/v1/auth/token`, { apiKey: spec.bootstrapKey })
    if (token.status !== 200) throw new Error(`token exchange failed: ${JSON.stringify(token.json)}`)
    const accessToken: string = token.json.accessToken
    const workloads = await buildWorkloads(async (name) => toTypeFields((await post(`${appUrl}/graphql`, { query: typeQuery, variables: { name } }, accessToken)).json))
    if (workloads.missing.length) log(`  schema has no ${workloads.missing.join(', ')} yet: the nested page (both sides) leaves them out`)

    let plainPort: number
    if (kind === 'pglite') {
      const ports = nextPorts(app.child)
      app.child.send({ plainShape: workloads.shape })
      plainPort = (await ports).plain!
    } else {
      const plain = await startServer({ ...spec, role: 'plain', shape: workloads.shape })
      children.push(plain.child)
      plainPort = plain.ports.plain!
    }
    const plainUrl = `http://127.0.0.1:${plainPort}`

    // Correctness first: a broken query must not look fast.
    const problems: string[] = []
    for (const id of seeded.sampleIds.slice(0, 5)) {
      const g = await post(`${appUrl}/graphql`, { query: pointQuery, variables: { id } }, accessToken)
      problems.push(...checkPoint(g.json, await getJson(`${plainUrl}/customer/${id}`)))
    }
    const gPage = await post(`${appUrl}/graphql`, { query: workloads.pageQuery }, accessToken)
    problems.push(...checkPage(workloads.shape, gPage.json, await getJson(`${plainUrl}/page`)))
    if (problems.length) throw new Error(`workloads disagree, not timing them:\n  ${problems.join('\n  ')}`)
    log(`  checked: point reads equal, page of 50 with ${describeShape(workloads.shape)} equal on both sides`)

    const auth = { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' }
    const pageBody = JSON.stringify({ query: workloads.pageQuery })
    const load = { connections: opts.connections, duration: opts.duration, warmup: opts.warmup, rounds: opts.rounds, log }
    const skipped: PairResult = { a: none, b: none, runs: { a: [], b: [] } }
    let point = skipped
    if (opts.only.includes('point')) {
      log(`  point read (${opts.connections} connections, ${opts.duration} s × ${opts.rounds} each, ids rotating over ${seeded.sampleIds.length})`)
      point = await measurePair(
        { name: 'GraphQL customer(id)', url: appUrl, requests: rotating(seeded.sampleIds, (id) => ({ method: 'POST', path: '/graphql', headers: auth, body: JSON.stringify({ query: pointQuery, variables: { id } }) })) },
        { name: 'plain GET /customer/:id', url: plainUrl, requests: rotating(seeded.sampleIds, (id) => ({ method: 'GET', path: `/customer/${id}` })) },
        load
      )
    }
    let page = skipped
    if (opts.only.includes('page')) {
      log('  nested page')
      page = await measurePair(
        { name: 'GraphQL customers(first: 50)', url: appUrl, requests: [{ method: 'POST', path: '/graphql', headers: auth, body: pageBody }] },
        { name: 'plain GET /page', url: plainUrl, requests: [{ method: 'GET', path: '/page' }] },
        load
      )
    }
    return { kind, seeded, point, page, shape: describeShape(workloads.shape), pageQuery: workloads.pageQuery }
  } finally {
    for (const c of children.reverse()) await stopServer(c)
    if (opts.keep) log(`  kept ${target.url ?? target.dataDir}`)
    else await target.drop()
  }
}

const none = { rps: 0, p50: 0, p99: 0, requests: 0, bad: 0 }

function describeShape(shape: { referrer: boolean; activities: number }): string {
  return ['owner', ...(shape.referrer ? ['referrer'] : []), ...(shape.activities ? [`${shape.activities} activities`] : [])].join(', ')
}

const started = Date.now()
const results: DbResult[] = []
const reads = opts.only.includes('point') || opts.only.includes('page')
if (reads) for (const kind of kinds) results.push(await benchDatabase(kind))
let submit: SubmitResult | undefined
if (opts.only.includes('submit') && kinds.includes('postgres')) submit = await benchSubmit({ ...opts, log, profileDir: opts.profile ? profileDir : undefined })
const orderOpts = { referred: Number(flag('referred', '0.2')), rule: args.includes('--rule') }
const orders: OrdersResult | undefined = opts.only.includes('orders') && kinds.includes('postgres')
  ? await benchOrders({ ...opts, ...orderOpts, log, profileDir: opts.profile ? profileDir : undefined }) : undefined
let evaluation: EvalResult | undefined
if (opts.only.includes('eval')) evaluation = benchEval({ ...defaultEvalOptions, log })
const scoring: RfmResult[] = []
if (opts.only.includes('rfm')) {
  for (const kind of kinds) {
    scoring.push(await benchRfm({ kind, customers: opts.customers, orders: Number(flag('orders', String(opts.customers * 10))), newOrders: Number(flag('new-orders', '5000')), rounds: opts.rounds, reuse: args.includes('--reuse'), log }))
  }
}
let webhooks: WebhookBenchResult[] = []
if (opts.only.includes('webhooks')) {
  webhooks = await benchWebhooks({ kinds, seconds: Number(flag('seconds', '30')), rate: Number(flag('rate', '200')), backlog: Number(flag('backlog', '20000')), log })
}
// Bulk import: psql \\copy of one CSV vs POST /api/v1/import/customers, PostgreSQL only (--customers, --chunk).
const imported = opts.only.includes('import') && kinds.includes('postgres')
  ? await benchImport({ customers: opts.customers, chunk: Number(flag('chunk', '10000')), log }) : undefined
// Analytics reports vs hand-written SQL on the seed CLI's data (test/bench/analytics/), each --db.
const analytics: AnalyticsResult[] = []
if (opts.only.includes('analytics')) {
  for (const kind of kinds) {
    const customers = Number(flag('customers', kind === 'postgres' ? '1000000' : '100000'))
    analytics.push(await benchAnalytics({
      kind, customers, requests: Number(flag('requests', '5')), rounds: opts.rounds, reuse: args.includes('--reuse'), keep: opts.keep, log
    }))
  }
}
// The ticket SLA breach scan vs hand-written SQL at 1M tickets (test/bench/sla/), each --db.
const sla: SlaBenchResult[] = []
if (opts.only.includes('sla')) {
  for (const kind of kinds) {
    sla.push(await benchSla({
      kind, tickets: Number(flag('tickets', kind === 'postgres' ? '1000000' : '100000')), open: Number(flag('open', kind === 'postgres' ? '100000' : '10000')),
      rounds: opts.rounds, keep: opts.keep, log
    }))
  }
}
// Coupons: redeemCoupon vs raw pg, and 1,000,000 codes vs COPY (test/bench/coupons.ts), PostgreSQL only.
const couponOpts = { ...opts, customers: Number(flag('customers', '20000')), codes: Number(flag('codes', '1000000')), log, profileDir: opts.profile ? profileDir : undefined }
const couponResult: CouponsResult | undefined = opts.only.includes('coupons') && kinds.includes('postgres') ? await benchCoupons(couponOpts) : undefined
// Points: redemption over REST vs a raw pg transaction (PostgreSQL), and the expiry job vs hand-written SQL, each --db.
const redeemOpts: RedeemOptions = { ...opts, hot: !args.includes('--no-hot'), key: !args.includes('--no-key'), log, profileDir: opts.profile ? profileDir : undefined }
const redeemed: RedeemResult | undefined = opts.only.includes('points-redeem') && kinds.includes('postgres') ? await benchRedeem(redeemOpts) : undefined
const expiries: ExpiryBenchResult[] = []
if (opts.only.includes('points-expiry')) {
  for (const kind of kinds) {
    expiries.push(await benchExpiry({
      kind, accounts: Number(flag('accounts', kind === 'postgres' ? '1000000' : '100000')), rounds: opts.rounds,
      batch: Number(flag('batch', '5000')), reuse: args.includes('--reuse'), log
    }))
  }
}
// audit = a 50-customer page (phone selected) over GraphQL and REST with AUDIT_READS on vs off (test/bench/audit.ts), PostgreSQL only.
const audited: AuditBenchResult | undefined = opts.only.includes('audit') && kinds.includes('postgres')
  ? await benchAudit({ ...opts, customers: Number(flag('customers', '20000')), log }) : undefined
const automation: AutomationResult[] = []
if (opts.only.includes('automation')) {
  for (const kind of kinds) {
    automation.push(await benchAutomation({
      kind, customers: Number(flag('customers', kind === 'postgres' ? '1000000' : '100000')), rounds: opts.rounds,
      batch: args.includes('--batch') ? Number(flag('batch', '1000')) : null, reuse: args.includes('--reuse'), log
    }))
  }
}
// The per-key rate limit off vs on (test/bench/rate-limit.ts), each --db.
const rateLimits: RateLimitBenchResult[] = opts.only.includes('rate-limit') ? await benchRateLimit({ ...opts, kinds, log }) : []
const note = await machineNote()
if (reads) printTable(results, log)
log(`\n${note}\ntotal ${((Date.now() - started) / 1000).toFixed(0)} s`)
if (opts.profile) log(`\n${summariseProfiles(profileDir)}\n(profiles in ${profileDir})`)
const command = `npm run bench${args.length ? ` -- ${args.join(' ')}` : ''}`
if (submit) log(`\n${reportSubmit(submit, { command, note, opts: { ...opts, log } }, opts.docs ? `${root}docs/performance.md` : undefined)}`)
if (orders) log(`\n${reportOrders(orders, { command, note, opts: { ...opts, ...orderOpts, log } }, opts.docs ? `${root}docs/performance.md` : undefined)}`)
if (evaluation) log(`\n${reportEval(evaluation, { command, note: '' }, opts.docs ? `${root}docs/performance.md` : undefined)}`)
for (const r of scoring) log(`\n${reportRfm(r, command, opts.docs ? `${root}docs/performance.md` : undefined)}`)
if (webhooks.length && opts.docs) reportWebhooks(webhooks, { command, note })
if (imported) log(`\n${reportImport(imported, { command, note }, opts.docs ? `${root}docs/performance.md` : undefined)}`)
for (const r of analytics) log(`\n${reportAnalytics(r, { command, note }, opts.docs ? `${root}docs/performance.md` : undefined)}`)
for (const r of sla) log(`\n${reportSla(r, command, opts.docs ? `${root}docs/performance.md` : undefined)}`)
if (couponResult) log(`\n${reportCoupons(couponResult, { command, note, opts: couponOpts }, opts.docs ? `${root}docs/performance.md` : undefined)}`)
if (redeemed) log(`\n${reportRedeem(redeemed, { command, opts: redeemOpts, note }, opts.docs ? `${root}docs/performance.md` : undefined)}`)
if (audited) log(`\n${reportAudit(audited)}`)
for (const r of automation) log(`\n${reportAutomation(r, command, opts.docs ? `${root}docs/performance.md` : undefined, note)}`)
for (const r of expiries) log(`\n${reportExpiry(r, command, opts.docs ? `${root}docs/performance.md` : undefined, note)}`)
if (rateLimits.length) log(`\n${reportRateLimit(rateLimits, { command, note }, opts.docs ? `${root}docs/performance.md` : undefined)}`)
if (opts.docs && reads) writeDocs(`${root}docs/performance.md`, results, { note, command, opts })
if (opts.docs) log('wrote docs/performance.md')
const failed = results.some((r) => r.point.a.bad + r.point.b.bad + r.page.a.bad + r.page.b.bad > 0) || (submit !== undefined && submit.app.bad + submit.raw.bad > 0)
  || (orders !== undefined && orders.app.bad + orders.raw.bad > 0)
  || (audited !== undefined && audited.graphql.a.bad + audited.graphql.b.bad + audited.rest.a.bad + audited.rest.b.bad > 0)
  || (couponResult !== undefined && couponResult.app.bad + couponResult.raw.bad > 0)
  || (redeemed !== undefined && [redeemed.spread, ...(redeemed.hot ? [redeemed.hot] : [])].some((p) => p.app.bad + p.raw.bad > 0))
  || rateLimits.some((r) => r.off.bad + r.on.bad > 0)
  || analytics.some((r) => r.timings.some((t) => t.sqlError) || (r.dashboard?.errors.length ?? 0) > 0)
process.exitCode = failed ? 1 : 0

export type { PairResult }
