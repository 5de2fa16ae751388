import t from 'tap'
import fc from 'fast-check'
import { forEachDatabase } from '../../helper.js'
import { pipelineHandwritten } from '../../bench/analytics/queries/pipeline.js'
import { salesPerformanceHandwritten } from '../../bench/analytics/queries/sales-performance.js'
import { buildWorld, periodArb, scenarioArb, writeScenario } from './sales.world.js'
import { differences } from './sales.support.js'

const OPEN = ['initial_contact', 'needs_assessment', 'proposal', 'negotiation']
const KINDS = ['call', 'email', 'meeting', 'visit', 'wechat', 'dingtalk', 'sms', 'note']
const rate = (n: number, d: number) => (d === 0 ? null : n / d)
const money = (list: { currency: string; amount: unknown }[]) => list.map((m) => ({ amount: Number(m.amount), currency: m.currency }))
const num = (v: unknown) => (v === null ? null : Number(v))

/** A row of the hand-written sales query in the report's shape. */
function salesRow(r: any) {
  const stages = r.open_stages as { stage: string; currency: string; count: number; amount: string; weighted: string }[]
  return {
    leadsAssigned: r.leads_assigned,
    firstResponse: { count: r.first_response_count, medianSeconds: num(r.median), p90Seconds: num(r.p90) },
    followUpDue: r.follow_up_due, followUpMet: r.follow_up_met, followUpCompliance: rate(r.follow_up_met, r.follow_up_due),
    opportunitiesOpened: r.opened, won: r.won, wonAmount: money(r.won_amount), lost: r.lost, topLostReasons: r.lost_reasons,
    winRate: rate(r.won, r.won + r.lost), averageSalesCycleSeconds: num(r.cycle),
    openPipeline: OPEN.map((stage) => {
      const mine = stages.filter((s) => s.stage === stage)
      return {
        stage, count: mine.reduce((n, s) => n + s.count, 0),
        amount: money(mine), weightedAmount: mine.map((s) => ({ amount: Number(s.weighted), currency: s.currency }))
      }
    }),
    activities: Object.values(r.activities as Record<string, number>).reduce((n, c) => n + c, 0),
    activitiesByKind: KINDS.map((kind) => ({ kind, count: r.activities[kind] ?? 0 })),
    customersOwned: r.customers_owned
  }
}

await forEachDatabase(t, async (t, ctx) => {
  const world = await buildWorld(ctx)
  const [{ p, s }] = fc.sample(periodArb.chain((p) => fc.record({ p: fc.constant(p), s: scenarioArb(p) })), { numRuns: 1, seed: 16 })
  for (const more of fc.sample(scenarioArb(p), { numRuns: 4, seed: 17 })) await writeScenario(ctx, world, more)
  await writeScenario(ctx, world, s)
  const period = { from: new Date(p.from).toISOString(), to: new Date(p.to).toISOString(), tz: 'Asia/Shanghai' }

  await t.test('the hand-written sales query (benchmark) answers what the report answers', async (t) => {
    const q = salesPerformanceHandwritten.sql(period)
    const found = await ctx.sql<any>(q.text, q.values)
    const report = (await ctx.rest(ctx.adminToken, 'GET', `/api/v1/analytics/sales-performance?from=${period.from}&to=${period.to}`)).json()
    t.equal(found.length, report.reps.length + report.teams.length)
    t.ok(report.reps.some((r: any) => r.won + r.lost + r.leadsAssigned > 0), 'the data set has figures')
    for (const rep of report.reps) {
      const { userId, name, active, teamId, teamName, ...figures } = rep
      const row = found.find((r) => r.level === 'rep' && r.user_id === userId)
      t.same(differences(row && salesRow(row), figures), [], `rep ${name}`)
    }
    for (const team of report.teams) {
      const { teamId, name, reps, ...figures } = team
      const row = found.find((r) => r.level === 'team' && r.team_id === teamId)
      t.same(differences(row && salesRow(row), figures), [], `team ${name}`)
    }
  })

  await t.test('the hand-written pipeline query (benchmark) answers what the report answers', async (t) => {
    const q = pipelineHandwritten.sql(period)
    const found = await ctx.sql<any>(q.text, q.values)
    const report = (await ctx.rest(ctx.adminToken, 'GET', `/api/v1/analytics/pipeline?from=${period.from}&to=${period.to}`)).json()
    t.ok(report.stages.some((s: any) => s.count > 0) && report.conversion.some((c: any) => c.entered > 0), 'the data set has figures')
    const stages = found.map((r) => ({
      stage: r.stage, count: r.count, amount: money(r.amount), weightedAmount: money(r.weighted_amount), averageAgeSeconds: num(r.average_age)
    }))
    // Ages move with the clock between the two reads: equal to the second.
    report.stages.forEach((s: any, i: number) => {
      t.ok(Math.abs((s.averageAgeSeconds ?? 0) - (stages[i].averageAgeSeconds ?? 0)) < 5, `age of ${s.stage}`)
      s.averageAgeSeconds = stages[i].averageAgeSeconds
    })
    const conversion = found.map((r) => ({
      stage: r.stage, entered: r.entered, advanced: r.advanced, won: r.won, lost: r.lost, advanceRate: rate(r.advanced, r.entered), winRate: rate(r.won, r.entered)
    }))
    t.same(differences({ stages, conversion }, { stages: report.stages, conversion: report.conversion }), [])
  })
})
