import t from 'tap'
import { forEachDatabase, type TestApp } from '../../helper.js'
import { FakeHttpProvider } from '../../support/fake-providers.js'
import { customer, dayTime, enqueue, grant, messageRow, rand, template } from '../notifications/gate-support.js'
import { ARCHIVE, COUNTS, createJourney, activate, engine, ENROLLMENTS, recordOrder } from './support.js'

/**
 * The journeys' message step wired to the guardrails gate: each gate decision becomes the
 * step run's outcome (queued → completed, held, capped, blocked, with the gate's reason),
 * a replayed dedupe key completes with the message already there, and a queued message is
 * delivered to the (fake) SMS provider. Time is driven through `now` (10:00 Shanghai, 2030).
 */

type Step = { stepKey: string; outcome: string; reason: string | null; detail: Record<string, any> | null }
type Node = { id: string; customerId: string; status: string; steps: Step[] }

const REPORT = `query($p: ReportPeriodInput, $j: ID) { automationReport(period: $p, journeyId: $j) {
  journeys { journeyId entered active completed exited failed
    outcomes { ran completed skipped held capped blocked failed }
    messages { total queued held sent failed capped blocked dropped }
    steps { stepKey stepType outcomes { ran completed held capped blocked } messages { total sent held capped blocked } } }
  channels { channelId kind messages { total sent held capped blocked } attempts failedAttempts } } }`

/** A journey on order.recorded for the customers tagged `tag`, whose one step sends `templateId`. */
async function messageJourney(ctx: TestApp, tag: string, templateId: string): Promise<string> {
  const j = await createJourney(ctx, {
    name: `Message ${tag}`, trigger: { type: 'event', eventType: 'order.recorded' }, conditions: { tags: [tag] },
    steps: [{ key: 'sms', type: 'message', templateId }]
  })
  await activate(ctx, j.id)
  return j.id
}

async function enrollments(ctx: TestApp, journeyId: string): Promise<Map<string, Node>> {
  const r = await ctx.gql(ctx.adminToken, ENROLLMENTS, { f: { journeyId } })
  return new Map(r.data.journeyEnrollments.edges.map((e: { node: Node }) => [e.node.customerId, e.node]))
}

await forEachDatabase(t, async (t, ctx) => {
  const sms = new FakeHttpProvider()
  const base = await sms.start()
  t.teardown(() => sms.stop())
  sms.answer = () => ({ status: 200, body: { messageId: `p-${sms.received.length}` } })
  const ch = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/notification-channels', {
    name: '短信通道', kind: 'sms', isDefault: true, config: { url: `${base}/sms`, signName: '推荐CRM' }, secrets: { apiKey: 'sms-key' }
  })
  t.equal(ch.statusCode, 201)
  const channelId = ch.json().id as string
  const owner = await ctx.staff('sales', { name: '李销售' })
  const care = await template(ctx, { providerTemplateCode: 'SMS_CARE' })
  const svc = ctx.app.services
  const run = async (now: Date) => engine(ctx).drain(now)

  await t.test('a consented customer: the step completes with the queued message, which reaches the SMS provider', async (t) => {
    const tag = `m${rand()}`
    const j = await messageJourney(ctx, tag, care)
    const c = await customer(ctx, { name: '王小明', phone: '13812345678', tags: [tag], ownerId: owner.userId })
    await grant(ctx, c, 'sms')
    await recordOrder(ctx, c)
    const now = dayTime(1)
    await run(now)
    const e = (await enrollments(ctx, j)).get(c)!
    t.equal(e.status, 'completed')
    t.match(e.steps, [{ stepKey: 'sms', outcome: 'completed', reason: null, detail: { status: 'queued', messageId: /^[0-9a-f-]{36}$/ } }])
    const id = e.steps[0].detail!.messageId as string
    t.match(await messageRow(ctx, id), { status: 'queued', journey_id: j, step_key: 'sms', channel_id: channelId })
    const sent = sms.received.length
    await svc.messageDelivery.deliverDue(now)
    t.equal(sms.received.length, sent + 1, 'one request')
    const req = sms.received.at(-1)!
    t.equal(req.headers['x-api-key'], 'sms-key')
    t.match(req.json, { to: '13812345678', templateCode: 'SMS_CARE', signName: '推荐CRM', params: { customer_name: '王小明', owner_name: '李销售' } })
    t.match((req.json as { params: { unsubscribeUrl: string } }).params.unsubscribeUrl, new RegExp(`/api/v1/public/unsubscribe/${id}\\.`))
    t.match(await messageRow(ctx, id), { status: 'sent' })
    t.same(await run(now), { events: 0, steps: 0 }, 'the step never runs twice')
    await ctx.gql(ctx.adminToken, ARCHIVE, { id: j })
  })

  await t.test('no marketing consent: the step is blocked with no_consent, and the message row says why', async (t) => {
    const tag = `m${rand()}`
    const j = await messageJourney(ctx, tag, care)
    const none = await customer(ctx, { tags: [tag], ownerId: owner.userId })
    const emailOnly = await customer(ctx, { tags: [tag], ownerId: owner.userId })
    await grant(ctx, emailOnly, 'email')
    const noPhone = await customer(ctx, { tags: [tag], ownerId: owner.userId, phone: null })
    await grant(ctx, noPhone, 'sms')
    for (const c of [none, emailOnly, noPhone]) await recordOrder(ctx, c)
    await run(dayTime(2))
    const found = await enrollments(ctx, j)
    t.match(found.get(none)!.steps, [{ outcome: 'blocked', reason: 'no_consent', detail: { status: 'blocked' } }])
    t.match(found.get(emailOnly)!.steps, [{ outcome: 'blocked', reason: 'no_consent' }], 'an email consent is not an SMS consent')
    t.match(found.get(noPhone)!.steps, [{ outcome: 'blocked', reason: 'no_address' }])
    for (const e of found.values()) {
      t.equal(e.status, 'completed', 'the enrollment goes on after a refusal')
      t.match(await messageRow(ctx, e.steps[0].detail!.messageId), { status: 'blocked', reason: e.steps[0].reason })
    }
    await ctx.gql(ctx.adminToken, ARCHIVE, { id: j })
  })

  await t.test('quiet hours: the step is held with send_after; the held job releases it at 09:00 and it is delivered', async (t) => {
    const tag = `m${rand()}`
    const j = await messageJourney(ctx, tag, care)
    const c = await customer(ctx, { tags: [tag], ownerId: owner.userId })
    await grant(ctx, c, 'sms')
    await recordOrder(ctx, c)
    await run(dayTime(3, 22))
    const step = (await enrollments(ctx, j)).get(c)!.steps[0]
    const nine = dayTime(4, 9)
    t.match(step, { outcome: 'held', reason: 'quiet_hours', detail: { status: 'held', sendAfter: nine.toISOString() } })
    const row = await messageRow(ctx, step.detail!.messageId)
    t.match(row, { status: 'held', reason: 'quiet_hours' })
    t.equal(new Date(row.send_after!).toISOString(), nine.toISOString())
    t.match(await svc.messageGate.releaseHeld(new Date(nine.getTime() - 60_000)), { released: 0 })
    t.match(await svc.messageGate.releaseHeld(nine), { released: 1 })
    const before = sms.received.length
    await svc.messageDelivery.deliverDue(nine)
    t.equal(sms.received.length, before + 1)
    t.match(await messageRow(ctx, step.detail!.messageId), { status: 'sent' })
    await ctx.gql(ctx.adminToken, ARCHIVE, { id: j })
  })

  await t.test('two journeys racing for the same customers: only the daily cap passes, the other step is capped', async (t) => {
    const tag = `m${rand()}`
    const a = await messageJourney(ctx, tag, care)
    const b = await messageJourney(ctx, tag, await template(ctx, { providerTemplateCode: 'SMS_PROMO' }))
    const people: string[] = []
    for (let i = 0; i < 4; i++) {
      const c = await customer(ctx, { tags: [tag], ownerId: owner.userId })
      await grant(ctx, c, 'sms')
      await recordOrder(ctx, c)
      people.push(c)
    }
    const now = dayTime(5)
    while ((await engine(ctx).consumeEvents(now)).events > 0) { /* enroll in both journeys */ }
    // Eight due steps, taken one per transaction by eight concurrent runners.
    const ran = await Promise.all(Array.from({ length: 8 }, () => engine(ctx).runDue(now, 1)))
    t.equal(ran.reduce((s, r) => s + r.ran, 0) + (await engine(ctx).drain(now)).steps, 8)
    const [ea, eb] = [await enrollments(ctx, a), await enrollments(ctx, b)]
    for (const c of people) {
      const outcomes = [ea.get(c)!.steps[0], eb.get(c)!.steps[0]].map((s) => `${s.outcome}:${s.reason}`).sort()
      t.same(outcomes, ['capped:daily_cap', 'completed:null'], 'one passes, one is capped')
    }
    const [n] = await ctx.sql<{ queued: number; capped: number }>(`select count(*) filter (where status = 'queued')::int as queued, count(*) filter (where status = 'capped')::int as capped
      from messages where journey_id in ($1, $2)`, [a, b])
    t.same(n, { queued: 4, capped: 4 })
    t.equal((await svc.messageDelivery.deliverDue(now)).length, 4, 'the four that passed are delivered')
    for (const id of [a, b]) await ctx.gql(ctx.adminToken, ARCHIVE, { id })
  })

  await t.test('a dedupe key already used (a replay) completes the step with the existing message', async (t) => {
    const tag = `m${rand()}`
    const j = await messageJourney(ctx, tag, care)
    const c = await customer(ctx, { tags: [tag], ownerId: owner.userId })
    await grant(ctx, c, 'sms')
    await recordOrder(ctx, c)
    const now = dayTime(6)
    await engine(ctx).consumeEvents(now)
    const e = (await enrollments(ctx, j)).get(c)!
    const [first] = await enqueue(ctx, [{ customerId: c, templateId: care, dedupeKey: `journey:${e.id}:1`, journey: { journeyId: j, version: 1, enrollmentId: e.id, stepKey: 'sms' } }], now)
    t.equal(first.status, 'queued')
    await run(now)
    t.match((await enrollments(ctx, j)).get(c)!.steps, [{ outcome: 'completed', reason: null, detail: { status: 'duplicate', messageId: first.messageId } }])
    t.equal((await ctx.sql('select 1 from messages where journey_id = $1', [j])).length, 1, 'one message')
    t.equal((await svc.messageDelivery.deliverDue(now)).length, 1)
    await ctx.gql(ctx.adminToken, ARCHIVE, { id: j })
  })

  await t.test('step counts and automationReport give the exact figures of a mixed run', async (t) => {
    const tag = `m${rand()}`
    const j = await messageJourney(ctx, tag, care)
    const day = 8
    const ok = await customer(ctx, { tags: [tag], ownerId: owner.userId })
    const noConsent = await customer(ctx, { tags: [tag], ownerId: owner.userId })
    const night = await customer(ctx, { tags: [tag], ownerId: owner.userId, attributes: { timeZone: 'America/New_York' } })
    const capped = await customer(ctx, { tags: [tag], ownerId: owner.userId })
    for (const c of [ok, night, capped]) await grant(ctx, c, 'sms')
    // The capped customer already had today's marketing message (outside any journey).
    t.equal((await enqueue(ctx, [{ customerId: capped, templateId: care, dedupeKey: `k-${rand()}` }], dayTime(day, 9)))[0].status, 'queued')
    for (const c of [ok, noConsent, night, capped]) await recordOrder(ctx, c)
    const now = dayTime(day)
    await run(now)
    await svc.messageDelivery.deliverDue(now)
    const counts = (await ctx.gql(ctx.adminToken, COUNTS, { id: j })).data.journey.stepCounts
    t.same(counts, [{ version: 1, stepKey: 'sms', stepType: 'message', entered: 4, completed: 1, skipped: 0, held: 1, capped: 1, blocked: 1, failed: 0 }])
    const period = { from: dayTime(day, 0).toISOString(), to: dayTime(day + 1, 0).toISOString() }
    const r = await ctx.gql(ctx.adminToken, REPORT, { p: period, j })
    const jf = r.data.automationReport.journeys
    t.equal(jf.length, 1)
    t.match(jf[0], {
      journeyId: j, entered: 4, active: 0, completed: 4, exited: 0, failed: 0,
      outcomes: { ran: 4, completed: 1, skipped: 0, held: 1, capped: 1, blocked: 1, failed: 0 },
      messages: { total: 4, queued: 0, held: 1, sent: 1, failed: 0, capped: 1, blocked: 1, dropped: 0 },
      steps: [{ stepKey: 'sms', stepType: 'message', outcomes: { ran: 4, completed: 1, held: 1, capped: 1, blocked: 1 }, messages: { total: 4, sent: 1, held: 1, capped: 1, blocked: 1 } }]
    })
    // Per channel: the journey's four plus the capped customer's earlier message, both sent.
    t.match(r.data.automationReport.channels, [{ channelId, kind: 'sms', messages: { total: 5, sent: 2, held: 1, capped: 1, blocked: 1 }, attempts: 2, failedAttempts: 0 }])
    // The held one goes out at 09:00 New York time; the report then counts two sent.
    const release = new Date(Date.UTC(2030, 0, day, 14))
    t.match(await svc.messageGate.releaseHeld(release), { released: 1 })
    await svc.messageDelivery.deliverDue(release)
    const after = await ctx.rest(ctx.adminToken, 'GET', `/api/v1/analytics/automation?from=${encodeURIComponent(period.from)}&to=${encodeURIComponent(period.to)}&journeyId=${j}`)
    t.equal(after.statusCode, 200)
    t.match(after.json().journeys[0], { outcomes: { held: 1 }, messages: { total: 4, held: 0, sent: 2, capped: 1, blocked: 1 } })
    // A rep sees the customers they own; another rep sees none of them.
    const mine = await ctx.gql(owner.token, REPORT, { p: period, j })
    t.match(mine.data.automationReport.journeys[0], { entered: 4 })
    const other = await ctx.staff('sales')
    const theirs = await ctx.gql(other.token, REPORT, { p: period, j })
    t.match(theirs.data.automationReport.journeys, [{ entered: 0, messages: { total: 0 } }])
  })

  await t.test('automationReport refuses a bad window or journey id, in English or Chinese', async (t) => {
    const q = 'query($d: Int, $j: ID) { automationReport(conversionDays: $d, journeyId: $j) { journeys { journeyId } } }'
    const en = await ctx.gql(ctx.adminToken, q, { d: 0 })
    t.match(en.errors, [{ message: /must be a whole number of days from 1 to 365/, extensions: { code: 'BAD_USER_INPUT' } }])
    const zh = await ctx.gql(ctx.adminToken, q, { d: 400 }, { 'accept-language': 'zh-CN' })
    t.match(zh.errors, [{ message: /必须是 1 到 365 之间的整数天数/ }])
    const id = await ctx.gql(ctx.adminToken, q, { j: 'nope' }, { 'accept-language': 'zh-CN' })
    t.match(id.errors, [{ message: /必须是旅程 ID（UUID）/ }])
  })
}, { WEBHOOK_ALLOW_PRIVATE_URLS: 'true' })
