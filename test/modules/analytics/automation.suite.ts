import t from 'tap'
import { forEachDatabase, type TestApp } from '../../helper.js'
import { activate, createCustomer, createJourney, engine, recordOrder, tagJourney } from '../automation/support.js'
import { createReferrer, parseCsv, referrerToken } from './leaderboard-kpis-support.js'

const OUTCOMES = 'ran completed skipped held capped blocked failed'
const MESSAGES = 'total queued held sent failed capped blocked dropped'
const REPORT = `query($p: ReportPeriodInput, $j: ID, $d: Int) { automationReport(period: $p, journeyId: $j, conversionDays: $d) {
  period { from to }
  journeys { journeyId name status entered active completed exited failed outcomes { ${OUTCOMES} } messages { ${MESSAGES} }
    conversions { windowDays orderConversions orderConversionRate orders revenue { amount currency } referralConversions referrals }
    steps { stepKey stepType outcomes { ${OUTCOMES} } messages { ${MESSAGES} } } }
  channels { channelId name kind messages { ${MESSAGES} } attempts failedAttempts latency { count averageMs medianMs p95Ms } } } }`

const HOUR = 3_600_000
const DAY = 24 * HOUR

type Report = {
  journeys: { journeyId: string; entered: number; completed: number; outcomes: Record<string, number>; messages: Record<string, number>;
    conversions: { windowDays: number; orderConversions: number; orderConversionRate: number | null; orders: number; revenue: { amount: number; currency: string }[]; referralConversions: number; referrals: number }
    steps: { stepKey: string; stepType: string; outcomes: Record<string, number> }[] }[]
  channels: { channelId: string | null; name: string | null; kind: string; messages: Record<string, number>; attempts: number; failedAttempts: number; latency: { count: number; medianMs: number | null; p95Ms: number | null } }[]
}

async function report(ctx: TestApp, token: string, vars: Record<string, unknown>): Promise<Report> {
  const r = await ctx.gql(token, REPORT, vars)
  if (r.errors) throw new Error(JSON.stringify(r.errors))
  return r.data.automationReport
}

/** A sent and a failed SMS with their attempts, written as the delivery worker writes them. */
async function deliveryLog(ctx: TestApp, customerId: string, channelId: string | null): Promise<void> {
  await ctx.sql(`insert into messages (id, channel_id, channel_kind, purpose, recipient_kind, customer_id, status, reason, attempts, created_at, updated_at, sent_at, latency_ms)
    values (gen_random_uuid(), $1, 'sms', 'service', 'customer', $2, 'sent', null, 1, now(), now(), now(), 120),
           (gen_random_uuid(), $1, 'sms', 'service', 'customer', $2, 'failed', 'exhausted', 2, now(), now(), null, null)`, [channelId, customerId])
  await ctx.sql(`insert into message_attempts (id, message_id, attempted_at, status_code, error, latency_ms)
    select gen_random_uuid(), m.id, now(), case when m.status = 'sent' then 200 else 500 end, null, case when m.status = 'sent' then 100 else 300 end
    from messages m where m.customer_id = $1 and m.channel_kind = 'sms'`, [customerId])
}

await forEachDatabase(t, async (t, ctx) => {
  const teamA = await ctx.createTeam()
  const teamB = await ctx.createTeam()
  const repA = await ctx.staff('sales', { teamId: teamA })
  const repB = await ctx.staff('sales', { teamId: teamB })
  // The customers enter 12 days ago (the engine runs with that `now`), so what followed has happened by now.
  const entered = new Date(Date.now() - 12 * DAY)
  const period = { from: new Date(entered.getTime() - HOUR).toISOString(), to: new Date(Date.now() + HOUR).toISOString() }

  const j = await createJourney(ctx, tagJourney({ steps: [{ key: 'tag', type: 'tag', add: ['buyer'] }, { key: 'call', type: 'task', title: '回访' }] }))
  await activate(ctx, j.id)
  const a1 = await createCustomer(ctx, { ownerId: repA.userId })
  const a2 = await createCustomer(ctx, { ownerId: repA.userId })
  const b1 = await createCustomer(ctx)
  for (const c of [a1, a2, b1]) await recordOrder(ctx, c.id, 10_000, new Date(entered.getTime() - 2 * HOUR))
  await engine(ctx).drain(entered)
  // What followed: a1 orders 3, 10 and 11.5 days after entering; b1 refers someone now (12 days after).
  await recordOrder(ctx, a1.id, 5_000, new Date(entered.getTime() + 3 * DAY))
  await recordOrder(ctx, a1.id, 7_000, new Date(entered.getTime() + 10 * DAY))
  await recordOrder(ctx, a1.id, 9_000, new Date(entered.getTime() + 11.5 * DAY))
  const referrer = await createReferrer(ctx, { customerId: b1.id, kind: 'customer' })
  // A customer referrer's referral waits for the referred person's consent: made all the same.
  const referral = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/referrals', { referrerId: referrer.id, name: '被推荐人', phone: '13912345678' })
  if (referral.statusCode !== 201) throw new Error(referral.body)
  const channel = await ctx.sql<{ id: string }>(`insert into notification_channels (id, name, kind, config) values (gen_random_uuid(), '短信', 'sms', '{}') returning id`)
  await deliveryLog(ctx, a1.id, channel[0].id)
  await deliveryLog(ctx, b1.id, null)

  await t.test('per journey and step: entered, outcomes, and the orders and referrals that followed within the window', async (t) => {
    const r = await report(ctx, ctx.adminToken, { p: period, j: j.id })
    t.equal(r.journeys.length, 1)
    const f = r.journeys[0]
    t.match(f, { journeyId: j.id, entered: 3, completed: 3 })
    t.match(f.outcomes, { ran: 6, completed: 5, failed: 1 }, 'the task step fails for b1, who has no owner')
    t.same(f.steps.map((s) => [s.stepKey, s.stepType, s.outcomes.ran]), [['call', 'task', 3], ['tag', 'tag', 3]])
    t.same(f.conversions, {
      windowDays: 14, orderConversions: 1, orderConversionRate: 1 / 3, orders: 3, revenue: [{ amount: 21_000, currency: 'CNY' }],
      referralConversions: 1, referrals: 1
    })
    const narrow = await report(ctx, ctx.adminToken, { p: period, j: j.id, d: 5 })
    t.same(narrow.journeys[0].conversions, {
      windowDays: 5, orderConversions: 1, orderConversionRate: 1 / 3, orders: 1, revenue: [{ amount: 5_000, currency: 'CNY' }],
      referralConversions: 0, referrals: 0
    })
  })

  await t.test('per channel: messages by status, attempts and latency', async (t) => {
    const r = await report(ctx, ctx.adminToken, { p: period })
    const named = r.channels.find((c) => c.channelId === channel[0].id)!
    t.match(named, { name: '短信', kind: 'sms', messages: { total: 2, sent: 1, failed: 1 }, attempts: 2, failedAttempts: 1, latency: { count: 2, medianMs: 200 } })
    const env = r.channels.find((c) => c.channelId === null && c.kind === 'sms')!
    t.match(env, { name: null, messages: { total: 2, sent: 1, failed: 1 }, attempts: 2 })
  })

  await t.test('reach: a sales rep counts their team\'s customers only; a referrer is refused', async (t) => {
    const mine = await report(ctx, repA.token, { p: period, j: j.id })
    t.match(mine.journeys[0], { entered: 2, conversions: { orderConversions: 1, orders: 3, referrals: 0 } })
    t.same(mine.channels.map((c) => c.messages.total), [2], 'only the messages of their customers')
    const other = await report(ctx, repB.token, { p: period, j: j.id })
    t.match(other.journeys[0], { entered: 0, outcomes: { ran: 0 } }, 'the journey asked for is listed, with zeros')
    const token = await referrerToken(ctx, referrer.id)
    const refused = await ctx.gql(token, REPORT, { p: period })
    t.equal(refused.errors?.[0]?.extensions?.code, 'FORBIDDEN')
    const rest = await ctx.rest(token, 'GET', '/api/v1/analytics/automation')
    t.equal(rest.statusCode, 403)
  })

  await t.test('REST answers the same as GraphQL, and as CSV', async (t) => {
    const q = `from=${encodeURIComponent(period.from)}&to=${encodeURIComponent(period.to)}&journeyId=${j.id}`
    const rest = await ctx.rest(ctx.adminToken, 'GET', `/api/v1/analytics/automation?${q}`)
    t.equal(rest.statusCode, 200)
    const gql = await report(ctx, ctx.adminToken, { p: period, j: j.id })
    t.same(rest.json().journeys, gql.journeys)
    const csv = await ctx.rest(ctx.adminToken, 'GET', `/api/v1/analytics/automation?${q}&format=csv`)
    t.equal(csv.statusCode, 200)
    const rows = parseCsv(csv.body)
    t.same(rows.filter((r) => r.section === 'step').map((r) => r.stepKey), ['call', 'tag'])
    t.match(rows.find((r) => r.section === 'journey'), { journeyId: j.id, entered: '3', orders: '3', revenue: 'CNY:21000' })
  })

  await t.test('bad arguments are typed errors naming the field, in both languages', async (t) => {
    for (const d of [0, 366]) {
      const r = await ctx.gql(ctx.adminToken, REPORT, { p: period, d })
      t.equal(r.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', `conversionDays ${d}`)
      t.match(r.errors?.[0]?.message, /conversionDays/)
    }
    const inline = await ctx.gql(ctx.adminToken, 'query { automationReport(journeyId: "nope") { journeys { journeyId } } }')
    t.equal(inline.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT')
    const rest = await ctx.rest(ctx.adminToken, 'GET', '/api/v1/analytics/automation?conversionDays=0')
    t.equal(rest.statusCode, 400)
    const zh = await ctx.rest(ctx.adminToken, 'GET', '/api/v1/analytics/automation?journeyId=nope', undefined, { 'accept-language': 'zh-CN' })
    t.equal(zh.statusCode, 400)
    t.match(zh.body, /journeyId/)
  })
})
