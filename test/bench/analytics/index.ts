/**
 * `npm run bench -- --only analytics`: each analytics report over REST against the
 * hand-written SQL for the same answer (./queries), on the seed CLI's data, for a 30-day
 * and a 365-day period, in the same run; the dashboard set (six reports at once, default
 * arguments) against the sum of their hand-written queries; the server's peak RSS.
 * The server is the real app in a child process (../children.ts); on PostgreSQL the
 * hand-written SQL goes through `pg` from this process, on PGlite through the server's
 * process (the only one that can open the database). docs/performance.md, "Analytics".
 */
import { randomBytes } from 'node:crypto'
import { lastDays } from '../../../src/rules/report-period.js'
import { post, startServer, stopServer } from '../children.js'
import type { DbKind } from '../seed.js'
import { seededDatabase, sizesFor, type Sizes } from './database.js'
import { discoverQueries, ipcRunner, pgRunner, planShape, seqScans, type QueryParams, type SqlRunner } from './handwritten.js'
import { rssSampler, stats, timedGet, type Stats } from './timing.js'

export type AnalyticsOptions = { kind: DbKind; customers: number; requests: number; rounds: number; reuse: boolean; keep: boolean; log: (line: string) => void }

export type Timing = { report: string; period: '30d' | '365d'; rest: Stats | null; sql: Stats | null; restError?: string; sqlError?: string; handwritten?: string; restRows?: number }
export type PlanSummary = { report: string; shape: string; seqScans: string[]; cost: number | null }
export type AnalyticsResult = {
  kind: DbKind; sizes: Sizes; seedSeconds: number; copySeconds: number; bytes: number; template: string | null
  timings: Timing[]; plans: PlanSummary[]; dashboard: { wall: Stats; reports: string[]; handwrittenSum: number | null; missing: string[]; errors: string[] } | null
  rss: { peakMb: number; idleMb: number }; requests: number; rounds: number
}

/** The reports' REST names, in the order of the issue, and the query parameters each needs beyond the period. */
export const REPORTS = ['referral-funnel', 'referrer-leaderboard', 'campaign-performance', 'campaign-comparison', 'sales-performance', 'pipeline', 'kpis'] as const
const DASHBOARD = ['referral-funnel', 'referrer-leaderboard', 'campaign-performance', 'sales-performance', 'pipeline', 'kpis']

export async function benchAnalytics(o: AnalyticsOptions): Promise<AnalyticsResult> {
  const { log } = o
  const sizes = sizesFor(o.customers)
  log(`\n== analytics ${o.kind}: ${o.customers.toLocaleString('en')} customers`)
  const queries = await discoverQueries(log)
  log(`  hand-written queries: ${[...queries.values()].map((q) => `${q.report} (${q.file})`).join(', ') || 'none'}`)
  const db = await seededDatabase(o.kind, sizes, o.reuse, log)
  const bootstrapKey = `crm_bench_${randomBytes(16).toString('hex')}`
  const server = await startServer({
    role: 'app', url: db.url, dataDir: db.dataDir, poolSize: 10, piiKey: db.piiKey.toString('base64'),
    jwtSecret: randomBytes(32).toString('base64url'), bootstrapKey
  })
  const rss = rssSampler(server.child.pid!)
  const base = `http://127.0.0.1:${server.ports.app}`
  let sqlRunner: SqlRunner | null = null
  try {
    const token = await post(`${base}/api/v1/auth/token`, { apiKey: bootstrapKey })
    if (token.status !== 200) throw new Error(`token exchange failed: ${JSON.stringify(token.json)}`)
    const accessToken: string = token.json.accessToken
    const idleMb = rss.lastMb
    sqlRunner = db.kind === 'postgres' ? await pgRunner(db.url!) : ipcRunner(server.child)
    const runner = sqlRunner
    const tz = process.env.REPORTING_TIMEZONE ?? 'Asia/Shanghai'
    // The busiest campaigns of the last year: what campaign-performance and -comparison look at.
    const busiest = (await runner.rows(`select campaign_id::text as id from referrals where campaign_id is not null and submitted_at >= now() - interval '365 days'
      group by campaign_id order by count(*) desc, campaign_id limit 3`, [])).map((r) => String(r.id))
    const extra = (report: string): Record<string, string> =>
      report === 'campaign-performance' ? { campaignId: busiest[0] ?? '' } : report === 'campaign-comparison' ? { ids: busiest.join(',') } : {}
    const url = (report: string, period: { from: Date; to: Date } | null) => {
      const q = new URLSearchParams({ ...(period ? { from: period.from.toISOString(), to: period.to.toISOString() } : {}), ...extra(report) })
      return `${base}/api/v1/analytics/${report}${q.size ? `?${q}` : ''}`
    }
    const paramsOf = (period: { from: Date; to: Date }): QueryParams => ({
      from: period.from.toISOString(), to: period.to.toISOString(), tz, campaignId: busiest[0], campaignIds: busiest
    })
    const now = new Date()
    const periods = { '30d': lastDays(now, 30, tz), '365d': lastDays(now, 365, tz) } as const

    const timings: Timing[] = []
    for (const report of REPORTS) {
      const q = queries.get(report)
      for (const [label, period] of Object.entries(periods) as ['30d' | '365d', { from: Date; to: Date }][]) {
        const t: Timing = { report, period: label, rest: null, sql: null, handwritten: q?.file }
        const statement = q?.sql(paramsOf(period))
        // Warm-up (plans, caches) and a check that both sides answer at all.
        const first = await timedGet(url(report, period), accessToken)
        if (first.status !== 200) t.restError = `HTTP ${first.status}${first.status === 404 ? ' (not on this branch)' : `: ${JSON.stringify(first.body).slice(0, 200)}`}`
        if (statement) await runner.run(statement.text, statement.values).catch((err) => { t.sqlError = String(err).slice(0, 300) })
        const restMs: number[] = []
        const sqlMs: number[] = []
        for (let round = 0; round < o.rounds; round++) {
          // A B, then B A: drift on the shared machine hits both sides alike.
          const sides = [
            async () => { if (!t.restError) for (let i = 0; i < o.requests; i++) restMs.push((await timedGet(url(report, period), accessToken)).ms) },
            async () => { if (statement && !t.sqlError) for (let i = 0; i < o.requests; i++) sqlMs.push((await runner.run(statement.text, statement.values)).ms) }
          ]
          for (const side of round % 2 === 0 ? sides : sides.reverse()) await side()
        }
        if (restMs.length) t.rest = stats(restMs)
        if (sqlMs.length) t.sql = stats(sqlMs)
        timings.push(t)
        log(`  ${report} ${label}: REST ${t.rest ? `${t.rest.median.toFixed(1)} ms (p90 ${t.rest.p90.toFixed(1)})` : t.restError}` +
          ` | hand-written ${t.sql ? `${t.sql.median.toFixed(1)} ms (p90 ${t.sql.p90.toFixed(1)})` : t.sqlError ?? 'none'}` +
          (t.rest && t.sql ? ` | ratio ${(t.rest.median / t.sql.median).toFixed(2)}` : '') + ` | rss ${rss.lastMb} MB`)
      }
    }

    // The dashboard: six reports at once with default arguments, as a home page asks for them.
    const wall: number[] = []
    const errors = new Set<string>()
    for (let round = 0; round < o.rounds * o.requests; round++) {
      const started = performance.now()
      const answers = await Promise.all(DASHBOARD.map((report) => timedGet(url(report, null), accessToken).then((a) => ({ report, ...a }))))
      wall.push(performance.now() - started)
      for (const a of answers) if (a.status !== 200) errors.add(`${a.report}: HTTP ${a.status}`)
    }
    const thirty = timings.filter((t) => t.period === '30d' && DASHBOARD.includes(t.report))
    const missing = DASHBOARD.filter((r) => !thirty.find((t) => t.report === r && t.sql))
    const handwrittenSum = thirty.reduce((sum, t) => sum + (t.sql?.median ?? 0), 0)
    const dashboard = { wall: stats(wall), reports: DASHBOARD, handwrittenSum: missing.length === DASHBOARD.length ? null : handwrittenSum, missing, errors: [...errors] }
    log(`  dashboard set: ${dashboard.wall.median.toFixed(0)} ms wall (p90 ${dashboard.wall.p90.toFixed(0)}) vs hand-written sum ${handwrittenSum.toFixed(0)} ms` +
      (missing.length ? ` (no hand-written query for ${missing.join(', ')})` : '') + (errors.size ? `; errors: ${[...errors].join(', ')}` : ''))

    // Plan shapes of the hand-written queries (365 days: where the data volume shows).
    const plans: PlanSummary[] = []
    for (const q of queries.values()) {
      const statement = q.sql(paramsOf(periods['365d']))
      try {
        const plan = await runner.explain(statement.text, statement.values)
        const top = (Array.isArray(plan) ? plan[0] : plan) as { Plan?: { 'Total Cost'?: number } }
        plans.push({ report: q.report, shape: planShape(plan), seqScans: seqScans(plan), cost: top?.Plan?.['Total Cost'] ?? null })
      } catch (err) {
        plans.push({ report: q.report, shape: `(explain failed: ${String(err).slice(0, 120)})`, seqScans: [], cost: null })
      }
    }
    rss.stop()
    return {
      kind: o.kind, sizes, seedSeconds: db.seedSeconds, copySeconds: db.copySeconds, bytes: db.bytes, template: db.template,
      timings, plans, dashboard, rss: { peakMb: rss.peakMb, idleMb }, requests: o.requests, rounds: o.rounds
    }
  } finally {
    rss.stop()
    await sqlRunner?.close()
    await stopServer(server.child)
    if (o.keep) log(`  kept ${db.url ?? db.dataDir}`)
    else await db.drop()
  }
}
