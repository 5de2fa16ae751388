import t from 'tap'
import { forEachDatabase } from '../../helper.js'
import { channel, customer, dayTime, enqueue, grant, messageRow, rand, template } from './gate-support.js'

await forEachDatabase(t, async (t, ctx) => {
  const sms = await channel(ctx, 'sms')
  await channel(ctx, 'email')
  const care = await template(ctx)
  const service = await template(ctx, { purpose: 'service', body: '{{customer.name}}，您的工单已更新', providerTemplateCode: 'SMS_2001' })

  await t.test('a consented marketing SMS is queued now, rendered with the customer, owner and an unsubscribe link', async (t) => {
    const c = await customer(ctx, { name: '王小明' })
    await grant(ctx, c)
    const now = dayTime(1)
    const [o] = await enqueue(ctx, [{ customerId: c, templateId: care, dedupeKey: `k-${rand()}` }], now)
    t.match(o, { customerId: c, status: 'queued', reason: null, messageId: /^[0-9a-f-]{36}$/ })
    const row = await messageRow(ctx, o.messageId!)
    t.equal(row.status, 'queued')
    t.equal(new Date(row.next_attempt_at!).toISOString(), now.toISOString())
    t.equal(row.channel_id, sms, 'the default SMS channel')
    t.match(row.content!.text, /^王小明您好，.*为您准备了礼物。退订 http:\/\/localhost:3000\/api\/v1\/public\/unsubscribe\/[0-9a-f-]{36}\.[A-Za-z0-9_-]{32}$/)
    t.same(Object.keys(row.content!.params).sort(), ['customer_name', 'owner_name', 'unsubscribeUrl'])
    t.equal(row.content!.params.customer_name, '王小明')
  })

  await t.test('marketing without consent, after a withdrawal, or on another channel is blocked no_consent; service needs none', async (t) => {
    const none = await customer(ctx)
    const withdrawn = await customer(ctx)
    await grant(ctx, withdrawn, 'any', 'marketing', '2024-01-01T00:00:00Z')
    const w = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/consents/withdrawals', { customerId: withdrawn, purpose: 'marketing', channel: 'sms', note: '电话里说不要短信' })
    t.equal(w.statusCode, 201)
    const emailOnly = await customer(ctx)
    await grant(ctx, emailOnly, 'email')
    const out = await enqueue(ctx, [none, withdrawn, emailOnly].map((c) => ({ customerId: c, templateId: care, dedupeKey: `k-${rand()}` })), dayTime(2))
    t.same(out.map((o) => [o.status, o.reason]), [['blocked', 'no_consent'], ['blocked', 'no_consent'], ['blocked', 'no_consent']])
    t.ok(out.every((o) => o.messageId), 'each decision is recorded')
    const [s] = await enqueue(ctx, [{ customerId: none, templateId: service, dedupeKey: `k-${rand()}` }], dayTime(2))
    t.equal(s.status, 'queued')
  })

  await t.test('no phone is blocked no_address; unknown customer or template gets no row', async (t) => {
    const c = await customer(ctx, { phone: null })
    await grant(ctx, c)
    const out = await enqueue(ctx, [
      { customerId: c, templateId: care, dedupeKey: `k-${rand()}` },
      { customerId: '01900000-0000-7000-8000-000000000001', templateId: care, dedupeKey: `k-${rand()}` },
      { customerId: c, templateId: '01900000-0000-7000-8000-000000000002', dedupeKey: `k-${rand()}` }
    ], dayTime(3))
    t.match(out, [{ status: 'blocked', reason: 'no_address' }, { status: 'blocked', reason: 'unknown_customer', messageId: null }, { status: 'blocked', reason: 'unknown_template', messageId: null }])
  })

  await t.test('frequency caps: one marketing message a day and three a week, service messages not counted', async (t) => {
    const c = await customer(ctx)
    await grant(ctx, c)
    const send = async (day: number, hour = 10, tpl = care) => (await enqueue(ctx, [{ customerId: c, templateId: tpl, dedupeKey: `k-${rand()}` }], dayTime(day, hour)))[0]
    t.equal((await send(10)).status, 'queued')
    t.match(await send(10, 15), { status: 'capped', reason: 'daily_cap' })
    t.equal((await send(10, 16, service)).status, 'queued', 'service is not capped')
    t.equal((await send(11, 11)).status, 'queued')
    t.equal((await send(12, 12)).status, 'queued')
    t.match(await send(13, 13), { status: 'capped', reason: 'weekly_cap' })
    t.equal((await send(17, 11)).status, 'queued', 'a week after the first')
  })

  await t.test('quiet hours: at 22:00 the message is held until 09:00 next morning, content rendered', async (t) => {
    const c = await customer(ctx)
    await grant(ctx, c)
    const [o] = await enqueue(ctx, [{ customerId: c, templateId: care, dedupeKey: `k-${rand()}` }], dayTime(20, 22))
    t.match(o, { status: 'held', reason: 'quiet_hours' })
    const row = await messageRow(ctx, o.messageId!)
    t.equal(new Date(row.send_after!).toISOString(), dayTime(21, 9).toISOString())
    t.equal(row.next_attempt_at, null)
    t.ok(row.content!.text.length > 0)
    const tokyo = await customer(ctx, { attributes: { timeZone: 'Asia/Tokyo' } })
    await grant(ctx, tokyo)
    // 20:30 in Shanghai is 21:30 in Tokyo.
    const [late] = await enqueue(ctx, [{ customerId: tokyo, templateId: care, dedupeKey: `k-${rand()}` }], new Date('2030-01-22T12:30:00Z'))
    t.equal(late.status, 'held', "the customer's own time zone")
  })

  await t.test('a dedupe key enqueues once, in one batch or across batches; journey fields are kept', async (t) => {
    const c = await customer(ctx)
    await grant(ctx, c)
    const key = `k-${rand()}`
    const journey = { journeyId: '01900000-0000-7000-8000-00000000000a', version: 2, enrollmentId: '01900000-0000-7000-8000-00000000000b', stepKey: 'care' }
    const first = await enqueue(ctx, [{ customerId: c, templateId: care, dedupeKey: key, journey }, { customerId: c, templateId: care, dedupeKey: key }], dayTime(25))
    t.match(first, [{ status: 'queued' }, { status: 'duplicate', messageId: first[0].messageId }])
    const again = await enqueue(ctx, [{ customerId: c, templateId: care, dedupeKey: key }], dayTime(25))
    t.match(again, [{ status: 'duplicate', messageId: first[0].messageId, reason: null }])
    t.match(await messageRow(ctx, first[0].messageId!), { journey_id: journey.journeyId, step_key: 'care' })
  })

  await t.test('a variable whose record is not in the context (or is another customer\'s) blocks missing_context', async (t) => {
    const tpl = await template(ctx, { purpose: 'service', body: '订单{{order.externalId}}已付款 {{order.amount}}', providerTemplateCode: 'SMS_3001' })
    const c = await customer(ctx)
    const other = await customer(ctx)
    const order = await ctx.gql(ctx.adminToken, 'mutation($i: RecordOrderInput!) { recordOrder(input: $i) { order { id } } }',
      { i: { customerId: c, amount: { amount: 123450, currency: 'CNY' }, externalId: `SO-${rand()}` } })
    const orderId = order.data.recordOrder.order.id
    const out = await enqueue(ctx, [
      { customerId: c, templateId: tpl, dedupeKey: `k-${rand()}`, context: { orderId } },
      { customerId: c, templateId: tpl, dedupeKey: `k-${rand()}` },
      { customerId: other, templateId: tpl, dedupeKey: `k-${rand()}`, context: { orderId } }
    ], dayTime(26))
    t.match(out, [{ status: 'queued' }, { status: 'blocked', reason: 'missing_context' }, { status: 'blocked', reason: 'missing_context' }])
    t.match((await messageRow(ctx, out[0].messageId!)).content!.text, /^订单SO-\w+已付款 ¥1,234.50$/)
  })

  await t.test('caps hold under concurrency: 200 transactions for one customer, exactly one passes', async (t) => {
    const c = await customer(ctx)
    await grant(ctx, c)
    const now = dayTime(28)
    const out = await Promise.all(Array.from({ length: 200 }, () => enqueue(ctx, [{ customerId: c, templateId: care, dedupeKey: `k-${rand()}` }], now)))
    const statuses = out.map((o) => o[0].status)
    t.equal(statuses.filter((s) => s === 'queued').length, 1)
    t.equal(statuses.filter((s) => s === 'capped').length, 199)
    const [n] = await ctx.sql<{ n: number }>("select count(*)::int as n from messages where customer_id = $1 and status = 'queued'", [c])
    t.equal(n.n, 1)
  })

  await t.test('a batch of 2,000 requests costs a constant number of statements', async (t) => {
    const ids = await Promise.all(Array.from({ length: 20 }, () => customer(ctx)))
    for (const id of ids) await grant(ctx, id)
    const requests = Array.from({ length: 2000 }, (_, i) => ({ customerId: ids[i % 20], templateId: care, dedupeKey: `b-${rand()}-${i}` }))
    const before = ctx.queries
    const out = await enqueue(ctx, requests, dayTime(29))
    t.ok(ctx.queries - before < 20, `${ctx.queries - before} statements`)
    t.equal(out.filter((o) => o.status === 'queued').length, 20, 'one per customer a day')
    t.equal(out.filter((o) => o.status === 'capped').length, 1980)
  })
}, { DATABASE_POOL_SIZE: '20', DATABASE_CONNECT_TIMEOUT_MS: '120000' })
