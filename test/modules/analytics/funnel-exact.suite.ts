import t from 'tap'
import fc from 'fast-check'
import { forEachDatabase } from '../../helper.js'
import { apply, backdate, commandArb, createWorld, midnight, type World } from './funnel-data.js'
import { close, fromCsv, restUrl, viaInline, viaVariables } from './funnel-client.js'
import { expectedFunnel, readTables, type Query, type Viewer } from './funnel-model.js'

/** A random question: period boundaries at local midnights or anywhere, any view, grouping and filter. */
function queryArb(world: World): fc.Arbitrary<Query> {
  const instant = fc.oneof(fc.nat(34).map(midnight), fc.tuple(fc.nat(34), fc.nat(86_399_999)).map(([d, ms]) => new Date(midnight(d).getTime() + ms)))
  const filter = fc.oneof(
    { weight: 4, arbitrary: fc.constant({}) },
    fc.constantFrom(...world.referrers).map((referrerId) => ({ referrerId })),
    fc.constantFrom('partner', 'customer', 'employee').map((referrerKind) => ({ referrerKind })),
    fc.constantFrom('gold', 'standard').map((referrerTier) => ({ referrerTier })),
    fc.constantFrom(...world.campaigns).map((campaignId) => ({ campaignId })),
    fc.constantFrom('api', 'qr').map((channel) => ({ channel })),
    fc.constantFrom(...world.reps.map((r) => r.userId)).map((ownerId) => ({ ownerId })),
    fc.constantFrom(...world.teams).map((teamId) => ({ teamId }))
  )
  return fc.record({
    span: fc.tuple(instant, instant).filter(([a, b]) => a.getTime() !== b.getTime()),
    bucket: fc.constantFrom('day' as const, 'week' as const, 'month' as const),
    compare: fc.boolean(),
    view: fc.constantFrom('cohort' as const, 'activity' as const),
    groupBy: fc.constantFrom(null, 'channel', 'campaign', 'referrerKind', 'referrerTier', 'team', 'bucket'),
    filter
  }).map(({ span, ...rest }) => {
    const [from, to] = span[0] < span[1] ? span : [span[1], span[0]]
    return { from, to, ...rest }
  })
}

await forEachDatabase(t, async (t, ctx) => {
  const world = await createWorld(ctx)
  const viewers: { name: string; token: string; viewer: Viewer }[] = [
    { name: 'admin', token: ctx.adminToken, viewer: { role: 'all' } },
    { name: 'marketing', token: (await ctx.staff('marketing')).token, viewer: { role: 'all' } },
    { name: 'sales', token: world.reps[0].token, viewer: { role: 'team', userId: world.reps[0].userId, teamId: world.reps[0].teamId } },
    { name: 'manager', token: world.manager.token, viewer: { role: 'team', userId: world.manager.userId, teamId: world.manager.teamId } }
  ]

  await t.test('the funnel equals the documented computation on every transport, for random histories, periods and callers', async (t) => {
    const runs = Number(process.env.ANALYTICS_RUNS ?? 5)
    let checked = 0
    const reached = new Set<string>()
    await fc.assert(fc.asyncProperty(
      fc.array(commandArb, { minLength: 10, maxLength: 30 }), fc.integer(), fc.array(fc.tuple(queryArb(world), fc.nat(3)), { minLength: 2, maxLength: 3 }),
      async (commands, seed, questions) => {
        await apply(ctx, world, commands)
        await backdate(ctx, seed)
        const tables = await readTables(ctx)
        // The whole window as well, so every run compares the full funnel once.
        const whole: Query = { from: midnight(0), to: midnight(40), bucket: 'week', compare: false, view: 'cohort', groupBy: null, filter: {} }
        for (const s of expectedFunnel(tables, { role: 'all' }, whole).steps) if (s.duration.count > 0) reached.add(s.step)
        for (const [q, who] of [[whole, 0] as const, ...questions]) {
          const { token, viewer, name } = viewers[who]
          const expected = expectedFunnel(tables, viewer, q)
          const label = `${name} ${JSON.stringify(q)}`
          const vars = await viaVariables(ctx, token, q)
          if (!vars.data?.referralFunnel) throw new Error(`${label}: ${JSON.stringify(vars.errors)}`)
          const got = vars.data.referralFunnel
          for (const [part, value] of [['steps', got.steps], ['groups', got.groups], ['previous', got.previous]] as const) {
            if (!close(value, expected[part])) throw new Error(`${label}: ${part}\n got ${JSON.stringify(value)}\nwant ${JSON.stringify(expected[part])}`)
          }
          // Monotone down the funnel in the cohort view.
          if (q.view === 'cohort' && got.steps.some((s: { count: number }, i: number) => i > 0 && s.count > got.steps[i - 1].count)) throw new Error(`${label}: not monotone`)
          const inline = await viaInline(ctx, token, q)
          if (!close(inline.data?.referralFunnel, got)) throw new Error(`${label}: inline arguments differ: ${JSON.stringify(inline.errors)}`)
          const rest = await ctx.rest(token, 'GET', restUrl(q))
          if (rest.statusCode !== 200) throw new Error(`${label}: REST ${rest.statusCode} ${rest.body}`)
          const json = rest.json()
          if (!close({ ...json, period: null }, { ...got, period: null })) throw new Error(`${label}: REST differs\n${rest.body}`)
          if (new Date(json.period.from).getTime() !== q.from.getTime() || new Date(json.period.to).getTime() !== q.to.getTime()) throw new Error(`${label}: REST period`)
          const csv = await ctx.rest(token, 'GET', restUrl(q, 'csv'))
          const parsed = fromCsv(csv.body)
          if (!parsed.bom || !close({ steps: parsed.steps, groups: parsed.groups, previous: parsed.previous }, { steps: got.steps, groups: got.groups, previous: got.previous })) {
            throw new Error(`${label}: CSV differs\n${csv.body}`)
          }
          checked++
        }
      }), {
      numRuns: runs,
      endOnFailure: true,
      // A history that walks one referral down the whole road runs first, so every step is reached whatever the seed.
      examples: [[
        [{ kind: 'submit', referrer: 0, channel: 'api', campaign: 0 }, { kind: 'advance', target: 0, depth: 6 }], 1,
        [[{ from: midnight(0), to: midnight(40), bucket: 'day', compare: true, view: 'activity', groupBy: 'channel', filter: {} }, 1],
          [{ from: midnight(5), to: midnight(30), bucket: 'month', compare: false, view: 'cohort', groupBy: 'bucket', filter: {} }, 2]]
      ]]
    })
    t.ok(checked >= 2 * runs, `${checked} answers compared`)
    t.same([...reached].sort(), ['consented', 'converted', 'firstPaidOrder', 'leadContacted', 'opportunityOpened', 'qualified'].sort(),
      'the random histories reached every step with a measured duration')
  })
})
