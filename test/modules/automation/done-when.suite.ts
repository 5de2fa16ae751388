import t from 'tap'
import { createHmac, randomBytes } from 'node:crypto'
import { forEachDatabase, type TestApp } from '../../helper.js'
import { FakeHttpProvider } from '../../support/fake-providers.js'
import { systemActor } from '../../../src/modules/auth/actor.js'

/**
 * Issue 19's "Done when", end to end through the public API (ctx.gql / ctx.rest); only time is
 * driven, by calling the scoring recompute, the journeys engine, the held-messages pass, the
 * staff fan-out and the delivery worker with `now` values (all in the past, as orders must be):
 * "customers who entered At Risk get a care SMS after 1 day, and their owner gets a WeCom task
 * reminder; if no order within 14 days, a coupon".
 */

const DAY = 86_400_000
const ok = <T>(r: { data: Record<string, any>; errors?: unknown }, field: string, key: string): T => {
  const payload = r.data?.[field]
  if (!payload?.[key] || (payload.userErrors ?? []).length) throw new Error(`${field}: ${JSON.stringify(r)}`)
  return payload[key] as T
}
/** 10:00 in Shanghai, `daysAgo` days before today there. */
function tenAm(daysAgo: number): Date {
  const shanghaiMidnight = Math.floor((Date.now() + 8 * 3_600_000) / DAY) * DAY - 8 * 3_600_000
  return new Date(shanghaiMidnight - daysAgo * DAY + 10 * 3_600_000)
}
const pathOf = (url: string) => new URL(url).pathname

async function order(ctx: TestApp, customerId: string, amount: number, paidAt: Date): Promise<void> {
  ok(await ctx.gql(ctx.adminToken, 'mutation($i: RecordOrderInput!) { recordOrder(input: $i) { order { id } userErrors { field message } } }',
    { i: { customerId, amount: { amount, currency: 'CNY' }, externalId: `ERP-${randomBytes(5).toString('hex')}`, paidAt: paidAt.toISOString() } }), 'recordOrder', 'order')
}

await forEachDatabase(t, async (t, ctx) => {
  const [sms, wecom, ding] = [new FakeHttpProvider(), new FakeHttpProvider(), new FakeHttpProvider()]
  const [smsUrl, wecomUrl, dingUrl] = [await sms.start(), await wecom.start(), await ding.start()]
  t.teardown(async () => { await sms.stop(); await wecom.stop(); await ding.stop() })
  sms.answer = () => ({ status: 200, body: { bizId: `biz-${sms.received.length}` } })
  const admin = ctx.adminToken
  const marketer = await ctx.staff('marketing', { name: '市场小周' })
  const T0 = tenAm(30)
  const at = (days: number, hours = 0) => new Date(T0.getTime() + days * DAY + hours * 3_600_000)
  const svc = ctx.app.services

  // Teams, reps, channels (admin), and the team robots' subscriptions.
  const east = await ctx.createTeam('华东销售')
  const west = await ctx.createTeam('华西销售')
  const rep = await ctx.staff('sales', { teamId: east, name: '李销售' })
  const westRep = await ctx.staff('sales', { teamId: west, name: '赵销售' })
  const channel = async (input: Record<string, unknown>) => {
    const r = await ctx.rest(admin, 'POST', '/api/v1/notification-channels', input)
    if (r.statusCode !== 201) throw new Error(r.body)
    return r.json().id as string
  }
  const smsChannel = await channel({ name: '营销短信', kind: 'sms', isDefault: true, config: { url: `${smsUrl}/v1/send`, signName: '推荐CRM' }, secrets: { apiKey: 'k-sms' } })
  const eastRobot = await channel({ name: '华东销售群', kind: 'wecom_robot', teamId: east, config: { url: `${wecomUrl}/cgi-bin/webhook/send` }, secrets: { key: 'wecom-key' } })
  const westRobot = await channel({ name: '华西销售群', kind: 'dingtalk_robot', teamId: west, config: { url: `${dingUrl}/robot/send` }, secrets: { accessToken: 'ding-token', signSecret: 'SEC-ding' } })
  const SUB = 'mutation($i: SubscribeNotificationsInput!) { subscribeNotifications(input: $i) { notificationSubscription { id scope } userErrors { field message code } } }'
  t.match(ok(await ctx.gql(admin, SUB, { i: { teamId: east, channelId: eastRobot, eventTypes: ['task.created'] } }), 'subscribeNotifications', 'notificationSubscription'), { scope: 'team' })
  ok(await ctx.gql(admin, SUB, { i: { teamId: west, channelId: westRobot, eventTypes: ['lead.assigned'] } }), 'subscribeNotifications', 'notificationSubscription')

  // The marketer's templates and journeys.
  const TPL = 'mutation($i: CreateMessageTemplateInput!) { createMessageTemplate(input: $i) { template { id variables } userErrors { field message code } } }'
  const care = ok<{ id: string }>(await ctx.gql(marketer.token, TPL, { i: {
    key: 'at-risk-care', name: '流失预警关怀', channelKind: 'sms', purpose: 'marketing', providerTemplateCode: 'SMS_276410001',
    body: '{{customer.name}}您好，好久不见！您的专属顾问{{owner.name}}为您准备了回归礼。退订点 {{unsubscribeUrl}}'
  } }), 'createMessageTemplate', 'template').id
  const promo = ok<{ id: string }>(await ctx.gql(marketer.token, TPL, { i: {
    key: 'spring-promo', name: '春季促销', channelKind: 'sms', purpose: 'marketing', providerTemplateCode: 'SMS_276410002', body: '{{customer.name}}，春季特惠。退订 {{unsubscribeUrl}}'
  } }), 'createMessageTemplate', 'template').id
  const coupon = ok<{ id: string }>(await ctx.gql(marketer.token, 'mutation($i: CreateCouponTemplateInput!) { createCouponTemplate(input: $i) { template { id } userErrors { field message } } }',
    { i: { name: '回归礼券', kind: 'amount_off', amountOff: 2000 } }), 'createCouponTemplate', 'template').id
  const JOURNEY = 'mutation($i: CreateJourneyInput!) { createJourney(input: $i) { journey { id status currentVersion } userErrors { field message code } } }'
  const ACTIVATE = 'mutation($id: ID!) { activateJourney(id: $id) { journey { id status } userErrors { field message code } } }'
  const atRisk = ok<{ id: string }>(await ctx.gql(marketer.token, JOURNEY, { i: {
    name: 'At Risk care', trigger: { type: 'audience', audience: { segment: ['At Risk'] }, on: 'enter' },
    steps: [
      { key: 'wait-1d', type: 'wait', minutes: 1440 },
      { key: 'care-sms', type: 'message', templateId: care },
      { key: 'owner-call', type: 'task', title: '关怀回访：客户进入流失风险', dueInHours: 24, priority: 'high' },
      { key: 'wait-14d', type: 'wait', minutes: 20160 },
      { key: 'ordered', type: 'branch', condition: { noOrderWithinDays: 14 }, then: 'comeback', else: null },
      { key: 'comeback', type: 'coupon', templateId: coupon }
    ]
  } }), 'createJourney', 'journey').id
  const spring = ok<{ id: string }>(await ctx.gql(marketer.token, JOURNEY, { i: {
    name: 'Spring promo', trigger: { type: 'event', eventType: 'customer.updated', changedFields: ['tags'] }, conditions: { tags: ['spring'] },
    steps: [{ key: 'promo-sms', type: 'message', templateId: promo }]
  } }), 'createJourney', 'journey').id
  for (const id of [atRisk, spring]) t.equal(ok<{ status: string }>(await ctx.gql(marketer.token, ACTIVATE, { id }), 'activateJourney', 'journey').status, 'active')

  // Customers: four who bought three small orders 200 days ago (At Risk once scored), six recent buyers.
  const customer = async (name: string, phone: string, extra: Record<string, unknown> = {}) => {
    const r = await ctx.rest(admin, 'POST', '/api/v1/customers', { name, phone, ownerId: rep.userId, ...extra })
    if (r.statusCode !== 201) throw new Error(r.body)
    return r.json().id as string
  }
  const wang = await customer('王小明', '13912340001')
  const chen = await customer('陈静', '13912340002')
  const liu = await customer('刘洋', '13912340003')
  const zhou = await customer('周婷', '13912340004', { attributes: { timeZone: 'America/New_York' } })
  for (const c of [wang, chen, liu, zhou]) for (const d of [260, 230, 200]) await order(ctx, c, 100, at(-d))
  for (let i = 0; i < 6; i++) await order(ctx, await customer(`近期客户${i}`, `1391234010${i}`), 10_000, at(-5))
  const formKey = await ctx.keyToken('integration')
  for (const c of [wang, chen, zhou]) {
    // Recorded by the web form's integration (marketing may not write customers' records).
    const r = await ctx.rest(formKey, 'POST', '/api/v1/consents', { customerId: c, purpose: 'marketing', channel: 'sms', granted: true, source: 'form', textVersion: 'privacy-v3' })
    t.equal(r.statusCode, 201, r.body)
  }

  await t.test('the RFM recompute moves four customers into At Risk and the scan enrolls them; one day later the care SMS goes through the gate', async (t) => {
    const run = await svc.scoring.recompute(systemActor, 'incremental', T0)
    t.equal(run.segments['At Risk'], 4, JSON.stringify(run.segments))
    t.match(await svc.journeyEngine.scan(T0), { enrolled: 4 })
    await svc.journeyEngine.drain(T0)
    t.same(sms.received, [], 'nothing before the day has passed')
    await svc.journeyEngine.drain(at(1))
    await svc.messageDelivery.deliverDue(at(1))
    t.equal(sms.received.length, 2, 'the two consented customers awake in Shanghai')
    const toWang = sms.received.find((r) => (r.json as { to: string }).to === '13912340001')!
    const url = (toWang.json as { params: { unsubscribeUrl: string } }).params.unsubscribeUrl
    t.same(toWang.json, { to: '13912340001', templateCode: 'SMS_276410001', signName: '推荐CRM', params: { customer_name: '王小明', owner_name: '李销售', unsubscribeUrl: url } })
    t.match(url, /^http:\/\/localhost:3000\/api\/v1\/public\/unsubscribe\/[0-9a-f-]{36}\.[A-Za-z0-9_-]+$/)
    t.equal(toWang.headers['x-api-key'], 'k-sms')
    const e = await ctx.gql(admin, `query($f: JourneyEnrollmentFilter) { journeyEnrollments(first: 10, filter: $f) { totalCount edges { node { customerId stepKey steps { stepKey outcome reason detail } } } } }`, { f: { journeyId: atRisk } })
    t.equal(e.data.journeyEnrollments.totalCount, 4)
    const sms1 = new Map(e.data.journeyEnrollments.edges.map((x: any) => [x.node.customerId, x.node.steps.find((s: any) => s.stepKey === 'care-sms')]))
    t.match(sms1.get(liu), { outcome: 'blocked', reason: 'no_consent' }, 'no consent: blocked')
    t.match(sms1.get(zhou), { outcome: 'held', reason: 'quiet_hours' }, 'night in New York: held')
    t.match(sms1.get(wang), { outcome: 'completed', reason: null })
    // Zhou's SMS goes out at 09:00 New York time.
    const nine = new Date((sms1.get(zhou) as any).detail.sendAfter)
    t.ok(nine > at(1) && nine < at(2))
    t.match(await svc.messageGate.releaseHeld(nine), { released: 1 })
    await svc.messageDelivery.deliverDue(nine)
    t.same(sms.received.map((r) => (r.json as { to: string }).to).sort(), ['13912340001', '13912340002', '13912340004'])
  })

  await t.test("the owner's team robot gets each task reminder, with the phone masked", async (t) => {
    await svc.staffNotifications.fanOut(at(1, 1))
    await svc.messageDelivery.deliverDue(at(1, 1))
    t.equal(wecom.received.length, 4, 'one reminder per enrolled customer')
    t.ok(wecom.received.every((r) => r.url === '/cgi-bin/webhook/send?key=wecom-key'))
    const texts = wecom.received.map((r) => (r.json as { msgtype: string; text: { content: string } }).text.content)
    t.ok(texts.every((x) => x.startsWith('【新任务】New task\n关怀回访：客户进入流失风险') && x.includes('执行人 assignee: 李销售')))
    t.ok(texts.some((x) => x.includes('客户 customer: 王小明 (139****0001)')))
    t.notOk(texts.some((x) => /1391234000\d/.test(x)), 'never a clear phone in the group')
    t.same(ding.received, [], 'the other team hears nothing of it')
  })

  await t.test('a second marketing message the same day is capped; after the unsubscribe link the next one is blocked', async (t) => {
    const tag = (id: string) => ctx.rest(rep.token, 'PATCH', `/api/v1/customers/${id}`, { tags: ['spring'] })
    t.equal((await tag(chen)).statusCode, 200)
    await svc.journeyEngine.drain(at(1, 3))
    const unsub = sms.received.find((r) => (r.json as { to: string }).to === '13912340001')!
    const link = pathOf((unsub.json as { params: { unsubscribeUrl: string } }).params.unsubscribeUrl)
    const u = await ctx.rest(null, 'GET', link)
    t.equal(u.statusCode, 200, u.body)
    t.equal(u.json().status, 'unsubscribed')
    t.equal((await tag(wang)).statusCode, 200)
    await svc.journeyEngine.drain(at(3))
    const e = await ctx.gql(admin, `query($f: JourneyEnrollmentFilter) { journeyEnrollments(first: 10, filter: $f) { edges { node { customerId steps { outcome reason } } } } }`, { f: { journeyId: spring } })
    const by = new Map(e.data.journeyEnrollments.edges.map((x: any) => [x.node.customerId, x.node.steps[0]]))
    t.match(by.get(chen), { outcome: 'capped', reason: 'daily_cap' })
    t.match(by.get(wang), { outcome: 'blocked', reason: 'no_consent' })
    const before = sms.received.length
    await svc.messageDelivery.deliverDue(at(3))
    t.equal(sms.received.length, before, 'nothing more was sent')
  })

  await t.test('after 14 days the customer who ordered gets no coupon, the others get one', async (t) => {
    await order(ctx, chen, 50_000, at(6))
    await svc.journeyEngine.drain(at(15))
    const coupons = async (id: string) => (await ctx.gql(admin, 'query($id: ID!) { customer(id: $id) { coupons { templateId status } } }', { id })).data.customer.coupons
    t.same(await coupons(chen), [])
    for (const c of [wang, liu, zhou]) t.match(await coupons(c), [{ templateId: coupon, status: 'issued' }])
  })

  await t.test("DingTalk: the other team's robot gets lead.assigned, signed", async (t) => {
    const lead = ok<{ id: string }>(await ctx.gql(admin, 'mutation($i: CreateLeadInput!) { createLead(input: $i) { lead { id } userErrors { field message } } }',
      { i: { source: 'event', name: '展会线索' } }), 'createLead', 'lead')
    ok(await ctx.gql(admin, 'mutation($id: ID!, $o: ID) { assignLead(id: $id, ownerId: $o) { lead { id } userErrors { field message } } }', { id: lead.id, o: westRep.userId }), 'assignLead', 'lead')
    const now = at(16)
    await svc.staffNotifications.fanOut(now)
    await svc.messageDelivery.deliverDue(now)
    t.equal(ding.received.length, 1)
    const q = ding.received[0].query
    t.equal(q.get('access_token'), 'ding-token')
    const ts = q.get('timestamp')!
    t.equal(q.get('sign'), createHmac('sha256', 'SEC-ding').update(`${ts}\nSEC-ding`).digest('base64'), 'HMAC-SHA256 of timestamp\\nsecret')
    t.match((ding.received[0].json as { text: { content: string } }).text.content, new RegExp(`线索已分配.*Lead assigned[\\s\\S]*${lead.id}.*赵销售`))
    t.equal(wecom.received.length, 4, 'the WeCom team subscribed to tasks only')
  })

  await t.test('automationReport shows the exact numbers', async (t) => {
    const Q = `query($p: ReportPeriodInput, $j: ID) { automationReport(period: $p, journeyId: $j) { journeys { entered active completed exited failed
      outcomes { ran completed skipped held capped blocked failed } messages { total queued held sent failed capped blocked dropped }
      conversions { orderConversions orders revenue { amount currency } }
      steps { stepKey outcomes { ran completed held capped blocked failed } } } } }`
    const r = await ctx.gql(marketer.token, Q, { p: { from: at(-1).toISOString(), to: at(20).toISOString() }, j: atRisk })
    t.same(r.data.automationReport.journeys, [{
      entered: 4, active: 0, completed: 4, exited: 0, failed: 0,
      outcomes: { ran: 23, completed: 21, skipped: 0, held: 1, capped: 0, blocked: 1, failed: 0 },
      messages: { total: 4, queued: 0, held: 0, sent: 3, failed: 0, capped: 0, blocked: 1, dropped: 0 },
      conversions: { orderConversions: 1, orders: 1, revenue: [{ amount: 50_000, currency: 'CNY' }] },
      steps: [
        { stepKey: 'care-sms', outcomes: { ran: 4, completed: 2, held: 1, capped: 0, blocked: 1, failed: 0 } },
        { stepKey: 'comeback', outcomes: { ran: 3, completed: 3, held: 0, capped: 0, blocked: 0, failed: 0 } },
        { stepKey: 'ordered', outcomes: { ran: 4, completed: 4, held: 0, capped: 0, blocked: 0, failed: 0 } },
        { stepKey: 'owner-call', outcomes: { ran: 4, completed: 4, held: 0, capped: 0, blocked: 0, failed: 0 } },
        { stepKey: 'wait-14d', outcomes: { ran: 4, completed: 4, held: 0, capped: 0, blocked: 0, failed: 0 } },
        { stepKey: 'wait-1d', outcomes: { ran: 4, completed: 4, held: 0, capped: 0, blocked: 0, failed: 0 } }
      ]
    }])
    const s = await ctx.gql(marketer.token, Q, { p: { from: at(-1).toISOString(), to: at(20).toISOString() }, j: spring })
    t.match(s.data.automationReport.journeys[0], { entered: 2, outcomes: { ran: 2, capped: 1, blocked: 1 }, messages: { total: 2, capped: 1, blocked: 1, sent: 0 } })
  })
}, { WEBHOOK_ALLOW_PRIVATE_URLS: 'true' })
