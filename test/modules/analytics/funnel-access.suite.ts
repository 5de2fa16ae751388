import t from 'tap'
import { forEachDatabase } from '../../helper.js'
import { referralFunnelHandwritten } from '../../bench/analytics/queries/referral-funnel.js'
import { referrerToken } from '../referrals/support.js'
import { apply, backdate, createWorld, midnight } from './funnel-data.js'
import { close, FUNNEL_VARS, restUrl } from './funnel-client.js'
import { expectedFunnel, readTables, type Query } from './funnel-model.js'

const URL = '/api/v1/analytics/referral-funnel'
const FIELD_ERRORS = (body: { errors?: { field: string }[] }) => (body.errors ?? []).map((e) => e.field)

await forEachDatabase(t, async (t, ctx) => {
  const world = await createWorld(ctx)
  // A fixed history: two referrals of each referrer taken far down the road, one left waiting.
  await apply(ctx, world, [
    ...[0, 1, 2].flatMap((referrer) => [0, 1].map(() => ({ kind: 'submit' as const, referrer, channel: 'api', campaign: referrer % 3 }))),
    { kind: 'submit', referrer: 0, channel: 'qr', campaign: 2 },
    ...[0, 1, 2, 3, 4, 5].map((target) => ({ kind: 'advance' as const, target, depth: 6 - (target % 3) }))
  ])
  await backdate(ctx, 16)
  const tables = await readTables(ctx)
  const span: Query = { from: midnight(0), to: midnight(40), bucket: 'day', compare: false, view: 'cohort', groupBy: null, filter: {} }

  await t.test('validation: a bad period, bucket, view, grouping, enum or id is 400 / BAD_USER_INPUT naming the field', async (t) => {
    const rest = async (qs: string, field: string) => {
      const res = await ctx.rest(ctx.adminToken, 'GET', `${URL}?${qs}`)
      t.equal(res.statusCode, 400, qs)
      t.ok(FIELD_ERRORS(res.json()).some((f) => f.includes(field)), `${qs} names ${field}: ${res.body}`)
    }
    await rest('from=2026-03-02&to=2026-03-01', 'from')
    await rest('from=2026-03-01&to=2026-03-01', 'from')
    await rest('bucket=year', 'bucket')
    await rest('view=funnel', 'view')
    await rest('groupBy=owner', 'groupBy')
    await rest('channel=fax', 'channel')
    await rest('referrerKind=friend', 'referrerKind')
    for (const field of ['referrerId', 'campaignId', 'ownerId', 'teamId']) await rest(`${field}=not-a-uuid`, field)

    const gql = async (variables: Record<string, unknown>, field: string) => {
      const r = await ctx.gql(ctx.adminToken, FUNNEL_VARS, variables)
      t.equal(r.errors?.[0].extensions?.code, 'BAD_USER_INPUT', JSON.stringify(variables))
      t.ok(JSON.stringify(r.errors).includes(field), `${JSON.stringify(variables)} names ${field}: ${JSON.stringify(r.errors)}`)
    }
    await gql({ p: { from: '2026-03-02T00:00:00+08:00', to: '2026-03-01T00:00:00+08:00' } }, 'from')
    await gql({ p: { bucket: 'year' } }, 'bucket')
    await gql({ v: 'funnel' }, '$v')
    await gql({ f: { channel: 'fax' } }, 'channel')
    for (const field of ['referrerId', 'campaignId', 'ownerId', 'teamId']) await gql({ f: { [field]: 'not-a-uuid' } }, field)
    const inline = await ctx.gql(ctx.adminToken, '{ referralFunnel(filter: { teamId: "nope" }) { steps { count } } }')
    t.equal(inline.errors?.[0].extensions?.code, 'BAD_USER_INPUT')
    t.ok(JSON.stringify(inline.errors).includes('teamId'))
    const inlineBucket = await ctx.gql(ctx.adminToken, '{ referralFunnel(period: { bucket: year }) { steps { count } } }')
    t.ok(inlineBucket.errors?.length && inlineBucket.status < 500, 'an unknown bucket written inline is refused')
  })

  await t.test('reach: admin, marketing, service and integration see all; sales and manager their team; a referrer token is refused', async (t) => {
    const expectAll = expectedFunnel(tables, { role: 'all' }, span)
    t.ok(expectAll.steps[0].count >= 7 && expectAll.steps[5].count > 0, 'the history has submitted and converted referrals')
    const callers: [string, string, ReturnType<typeof expectedFunnel>][] = [
      ['admin', ctx.adminToken, expectAll],
      ['marketing', (await ctx.staff('marketing')).token, expectAll],
      ['service', (await ctx.staff('service')).token, expectAll],
      ['integration', await ctx.keyToken('integration'), expectAll],
      ['sales', world.reps[0].token, expectedFunnel(tables, { role: 'team', userId: world.reps[0].userId, teamId: world.reps[0].teamId }, span)],
      ['sales of the other team', world.reps[1].token, expectedFunnel(tables, { role: 'team', userId: world.reps[1].userId, teamId: world.reps[1].teamId }, span)],
      ['manager', world.manager.token, expectedFunnel(tables, { role: 'team', userId: world.manager.userId, teamId: world.manager.teamId }, span)]
    ]
    for (const [name, token, expected] of callers) {
      const res = await ctx.rest(token, 'GET', restUrl(span))
      t.equal(res.statusCode, 200, name)
      t.ok(close(res.json().steps, expected.steps), `${name} sees what its reach covers`)
    }
    const sales = callers[4][2].steps[0].count
    t.ok(sales > 0 && sales < expectAll.steps[0].count, `a sales rep sees some, not all (${sales} of ${expectAll.steps[0].count})`)
    const noTeam = await ctx.staff('sales')
    const alone = await ctx.rest(noTeam.token, 'GET', restUrl(span))
    t.equal(alone.json().steps[0].count, 0, 'a rep without a team and without referrals sees none')

    const referrer = await referrerToken(ctx, world.referrers[0])
    const rest = await ctx.rest(referrer, 'GET', restUrl(span))
    t.equal(rest.statusCode, 403)
    t.equal((await ctx.rest(referrer, 'GET', restUrl(span, 'csv'))).statusCode, 403)
    const gql = await ctx.gql(referrer, FUNNEL_VARS, {})
    t.equal(gql.errors?.[0].extensions?.code, 'FORBIDDEN')
    t.equal((await ctx.rest(null, 'GET', URL)).statusCode, 401)
  })

  await t.test('the hand-written benchmark query answers the same totals as the report', async (t) => {
    for (const [from, to] of [[midnight(0), midnight(40)], [midnight(3), midnight(17)], [new Date(midnight(5).getTime() + 3_600_000), midnight(30)]]) {
      const { text, values } = referralFunnelHandwritten.sql({ from: from.toISOString(), to: to.toISOString(), tz: 'Asia/Shanghai' })
      const rows = await ctx.sql<{ step: number; count: number; measured: number; median: number | null; p90: number | null }>(text, values)
      const res = await ctx.rest(ctx.adminToken, 'GET', restUrl({ ...span, from, to }))
      const report = res.json().steps as { count: number; duration: { count: number; medianSeconds: number | null; p90Seconds: number | null } }[]
      const hand = report.map((_, i) => {
        const row = rows.find((r) => Number(r.step) === i + 1)
        return { count: row?.count ?? 0, duration: { count: row?.measured ?? 0, medianSeconds: row?.median ?? null, p90Seconds: row?.p90 ?? null } }
      })
      t.ok(close(hand, report.map((s) => ({ count: s.count, duration: s.duration }))), `${from.toISOString()} … ${to.toISOString()}`)
    }
  })

  await t.test('CSV: one row per (group, step), UTF-8 with BOM, names as written', async (t) => {
    const res = await ctx.rest(ctx.adminToken, 'GET', restUrl({ ...span, groupBy: 'campaign', compare: true }, 'csv'))
    t.equal(res.statusCode, 200)
    t.match(res.headers['content-type'], /text\/csv/)
    const lines = res.body.replace(/^\uFEFF/, '').trim().split('\r\n')
    t.equal(lines[0], 'section,groupKey,groupLabel,step,count,rateFromPrevious,overallRate,durationCount,medianSeconds,p90Seconds')
    const groups = new Set(lines.slice(1).filter((l) => l.startsWith('group,')).map((l) => l.split(',')[1])).size
    t.equal(lines.length, 1 + 7 + 7 * groups + 7, 'totals, each group and the previous period: seven rows each')
    t.ok(res.body.includes('春季推荐') && res.body.includes('"Spring, referrals"'), 'campaign names as written, quoted where needed')
  })
})
