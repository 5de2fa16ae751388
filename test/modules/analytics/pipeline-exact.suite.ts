import t from 'tap'
import fc from 'fast-check'
import { forEachDatabase } from '../../helper.js'
import { expectedPipeline, snapshot, type Filters, type Viewer } from './sales.model.js'
import { buildWorld, periodArb, scenarioArb, writeScenario, type World } from './sales.world.js'
import { cellNumber, differences, fourWays } from './sales.support.js'

type Expected = ReturnType<typeof expectedPipeline>
type Answer = { stages: { averageAgeSeconds: number | null }[] }

/** Ages move with the clock: each must lie between the ages as of just before and just after the call; then it is set to the former. */
function pinAges(got: Answer, before: Expected, after: Expected): string[] {
  const out: string[] = []
  got.stages.forEach((s, i) => {
    const lo = before.stages[i].averageAgeSeconds ?? null
    const hi = after.stages[i].averageAgeSeconds ?? null
    if (lo === null || hi === null) { if (s.averageAgeSeconds !== null) out.push(`stage ${i}: age ${s.averageAgeSeconds} for an empty stage`); return }
    if (s.averageAgeSeconds === null || s.averageAgeSeconds < lo - 1e-6 || s.averageAgeSeconds > hi + 1e-6) out.push(`stage ${i}: age ${s.averageAgeSeconds} not in [${lo}, ${hi}]`)
    s.averageAgeSeconds = lo
  })
  return out
}

/** The CSV: one row per stage × currency (a stage without open opportunities: one row, no currency). */
function csvDifferences(csv: Record<string, string>[], expected: Expected): string[] {
  const out: string[] = []
  const want: Record<string, string | number | null>[] = []
  for (const s of expected.stages) {
    const c = expected.conversion.find((x) => x.stage === s.stage)!
    const common = { count: s.count, entered: c.entered, advanced: c.advanced, won: c.won, lost: c.lost, advanceRate: c.advanceRate, winRate: c.winRate }
    if (s.amount.length === 0) want.push({ stage: s.stage, currency: '', amount: 0, weightedAmount: 0, ...common })
    for (const m of s.amount) want.push({ stage: s.stage, currency: m.currency, amount: m.amount, weightedAmount: s.weightedAmount.find((w) => w.currency === m.currency)!.amount, ...common })
  }
  if (csv.length !== want.length) out.push(`csv rows ${csv.length} != ${want.length}`)
  want.forEach((w, i) => {
    for (const [k, v] of Object.entries(w)) differences(typeof v === 'string' ? csv[i]?.[k] : cellNumber(csv[i]?.[k]), v, `csv[${i}].${k}`, out)
  })
  return out
}

await forEachDatabase(t, async (t, ctx) => {
  const world: World = await buildWorld(ctx)
  const viewers: { name: string; token: string; viewer: Viewer; filters: (w: World) => Filters }[] = [
    { name: 'admin', token: ctx.adminToken, viewer: { reach: 'all' }, filters: () => ({}) },
    { name: 'admin, South only', token: ctx.adminToken, viewer: { reach: 'all' }, filters: (w) => ({ teamId: w.south }) },
    { name: 'marketing, one rep', token: (await ctx.staff('marketing')).token, viewer: { reach: 'all' }, filters: (w) => ({ ownerId: w.northSales.userId }) },
    { name: 'North manager', token: world.northManager.token, viewer: { reach: 'team', userId: world.northManager.userId, teamId: world.north }, filters: () => ({}) },
    { name: 'South sales rep', token: world.southSales.token, viewer: { reach: 'team', userId: world.southSales.userId, teamId: world.south }, filters: () => ({}) }
  ]

  await t.test('pipeline equals the stages and conversion computed from the records, on every transport and in CSV', async (t) => {
    await fc.assert(fc.asyncProperty(periodArb.chain((p) => fc.record({ p: fc.constant(p), s: scenarioArb(p), v: fc.nat(viewers.length - 1) })), async ({ p, s, v }) => {
      await writeScenario(ctx, world, { ...s, leads: [], activities: [] })
      const snap = await snapshot(ctx)
      const { token, viewer, filters } = viewers[v]
      const f = filters(world)
      const before = expectedPipeline(snap, viewer, f, p, Date.now())
      const got = await fourWays(ctx, token, 'pipeline', 'pipeline', { from: new Date(p.from).toISOString(), to: new Date(p.to).toISOString(), ...f })
      const after = expectedPipeline(snap, viewer, f, p, Date.now())
      const problems = [
        ...pinAges(got.vars, before, after), ...pinAges(got.inline, before, after), ...pinAges(got.json, before, after),
        ...differences({ stages: got.vars.stages, conversion: got.vars.conversion }, before).map((d) => `gql ${d}`),
        ...differences({ stages: got.inline.stages, conversion: got.inline.conversion }, before).map((d) => `inline ${d}`),
        ...differences({ stages: got.json.stages, conversion: got.json.conversion }, before).map((d) => `rest ${d}`),
        ...csvDifferences(got.csv, before)
      ]
      if (problems.length) throw new Error(`${viewers[v].name}: ${problems.slice(0, 12).join('\n')}`)
    }), { numRuns: Number(process.env.ANALYTICS_RUNS ?? 8), endOnFailure: true })
    t.pass()
  })
})
