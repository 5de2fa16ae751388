import t, { type Test } from 'tap'
import { Webhook } from 'standardwebhooks'
import { forEachDatabase, type TestApp } from '../../helper.js'
import { WebhookReceiver } from '../../support/webhook-receiver.js'
import { retryDelaysMs } from '../../../src/rules/webhook-retry.js'

const CREATE_ENDPOINT = `mutation($i: CreateWebhookEndpointInput!) {
  createWebhookEndpoint(input: $i) { webhookEndpoint { id } secret userErrors { field message code } } }`
const CREATE_CUSTOMER = `mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } userErrors { message } } }`

async function endpoint(ctx: TestApp, url: string, eventTypes?: string[]): Promise<{ id: string; secret: string }> {
  const r = await ctx.gql(ctx.adminToken, CREATE_ENDPOINT, { i: { url, ...(eventTypes ? { eventTypes } : {}) } })
  const p = r.data.createWebhookEndpoint
  if (!p.webhookEndpoint) throw new Error(`endpoint not created: ${JSON.stringify(r)}`)
  return { id: p.webhookEndpoint.id, secret: p.secret }
}

async function customer(ctx: TestApp, name = 'Webhook Person'): Promise<string> {
  const r = await ctx.gql(ctx.adminToken, CREATE_CUSTOMER, { i: { name } })
  return r.data.createCustomer.customer.id
}

type Delivery = { id: string; status: string; attempts: number; step: number; next_attempt_at: Date | null; event_id: string; last_status_code: number | null; last_error: string | null }
async function deliveriesOf(ctx: TestApp, endpointId: string): Promise<Delivery[]> {
  return ctx.sql<Delivery>('select * from webhook_deliveries where endpoint_id = $1 order by created_at, id', [endpointId])
}

const at = (base: Date, ms: number) => new Date(base.getTime() + ms)

/**
 * Each subtest starts from a published outbox (no event of an earlier subtest is fanned out to
 * its endpoint) and removes its endpoint at the end (its deliveries no longer claimable).
 */
async function scene(t: Test, ctx: TestApp, eventTypes?: string[]) {
  const receiver = new WebhookReceiver()
  const url = await receiver.start()
  await ctx.app.services.webhookDeliveries.dispatch(new Date())
  const ep = await endpoint(ctx, url, eventTypes)
  t.teardown(async () => {
    await ctx.sql('update webhook_endpoints set deleted_at = now() where id = $1', [ep.id])
    await receiver.stop()
  })
  return { receiver, url, ep, svc: ctx.app.services.webhookDeliveries }
}

await forEachDatabase(t, async (t, ctx) => {
  await t.test('an event is delivered signed, and the standardwebhooks package verifies it unchanged', async (t) => {
    const { receiver, ep, svc } = await scene(t, ctx)
    const id = await customer(ctx, 'Signed Sam')
    const now = new Date()
    t.ok(await svc.dispatch(now) >= 1, 'the outbox event was fanned out')
    t.equal(await svc.deliverDue(now), 1, 'one delivery due')
    t.equal(receiver.received.length, 1)
    const got = receiver.received[0]
    const payload = new Webhook(ep.secret).verify(got.body, got.headers) as { type: string; timestamp: string; data: { customer?: { id: string } } }
    t.equal(payload.type, 'customer.created')
    t.match(payload.timestamp, /^\d{4}-\d{2}-\d{2}T.*Z$/)
    t.same(Object.keys(JSON.parse(got.body)), ['type', 'timestamp', 'data'], 'body is { type, timestamp, data }')
    const [event] = await ctx.sql<{ id: string; published_at: Date | null }>(`select id, published_at from outbox_events where type = 'customer.created' and entity_id = $1`, [id])
    t.equal(got.headers['webhook-id'], event.id, 'webhook-id is the event id')
    t.ok(event.published_at, 'the event is marked published')
    t.equal(got.headers['content-type'], 'application/json')
    t.throws(() => new Webhook(`whsec_${Buffer.from('a-different-secret-of-24b').toString('base64')}`).verify(got.body, got.headers), 'another secret does not verify')
    const [d] = await deliveriesOf(ctx, ep.id)
    t.match(d, { status: 'succeeded', attempts: 1, last_status_code: 200, next_attempt_at: null })
    const attempts = await ctx.sql<{ status_code: number; latency_ms: number; response_excerpt: string; trigger: string }>('select * from webhook_attempts where delivery_id = $1', [d.id])
    t.match(attempts, [{ status_code: 200, response_excerpt: 'ok', trigger: 'schedule' }])
    t.ok(attempts[0].latency_ms >= 0)
    t.equal(await svc.dispatch(new Date()), 0, 'nothing left to fan out')
    t.equal(await svc.deliverDue(new Date()), 0, 'nothing left to send')
  })

  await t.test('only subscribed event types are delivered', async (t) => {
    const { receiver, ep, svc } = await scene(t, ctx, ['order.recorded'])
    await customer(ctx)
    await svc.dispatch(new Date())
    t.equal(await svc.deliverDue(new Date()), 0)
    t.equal(receiver.received.length, 0)
    t.equal((await deliveriesOf(ctx, ep.id)).length, 0)
  })

  await t.test('failures are retried on the Standard Webhooks schedule, then the delivery fails', async (t) => {
    const { receiver, ep, svc } = await scene(t, ctx)
    receiver.answer = () => ({ status: 500, body: 'boom' })
    await customer(ctx)
    const t0 = new Date()
    await svc.dispatch(t0)
    t.equal(await svc.deliverDue(t0), 1, 'first attempt at once')
    let clock = t0
    for (const [i, delay] of retryDelaysMs.entries()) {
      const [d] = await deliveriesOf(ctx, ep.id)
      t.equal(d.status, 'pending')
      t.equal(new Date(d.next_attempt_at!).getTime() - clock.getTime(), delay, `retry ${i + 1} is ${delay / 1000} s after the failure`)
      t.equal(await svc.deliverDue(at(clock, delay - 1)), 0, 'not due a moment before')
      clock = at(clock, delay)
      t.equal(await svc.deliverDue(clock), 1, `retry ${i + 1} is made when due`)
    }
    const [d] = await deliveriesOf(ctx, ep.id)
    t.match(d, { status: 'failed', attempts: 10, last_status_code: 500, next_attempt_at: null })
    t.equal(receiver.received.length, 10)
    t.equal(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size, 1, 'every attempt carries the same webhook-id')
    const [e] = await ctx.sql<{ active: boolean; failing_since: Date }>('select active, failing_since from webhook_endpoints where id = $1', [ep.id])
    t.equal(e.active, true, 'about 3 days of failures do not disable the endpoint')
    t.equal(new Date(e.failing_since).getTime(), t0.getTime(), 'failing since the first failure')

    // Five days after the first failure another failure disables it, and an event says so.
    await customer(ctx)
    const later = at(t0, 5 * 86_400_000)
    await svc.dispatch(later)
    t.equal(await svc.deliverDue(later), 1)
    const [off] = await ctx.sql<{ active: boolean; disabled_reason: string }>('select active, disabled_reason from webhook_endpoints where id = $1', [ep.id])
    t.match(off, { active: false, disabled_reason: 'failing' })
    const [ev] = await ctx.sql<{ data: { id: string; reason: string } }>(`select data from outbox_events where type = 'webhook_endpoint.disabled' and entity_id = $1`, [ep.id])
    t.match(ev.data, { id: ep.id, reason: 'failing' })
    t.equal(await svc.deliverDue(at(later, 86_400_000)), 0, 'a disabled endpoint gets no attempts')
  })

  await t.test('a success ends the failing streak', async (t) => {
    const { receiver, ep, svc } = await scene(t, ctx)
    let fail = true
    receiver.answer = () => (fail ? { status: 503 } : { status: 204 })
    await customer(ctx)
    const t0 = new Date()
    await svc.dispatch(t0)
    await svc.deliverDue(t0)
    t.ok((await ctx.sql<{ failing_since: Date | null }>('select failing_since from webhook_endpoints where id = $1', [ep.id]))[0].failing_since)
    fail = false
    t.equal(await svc.deliverDue(at(t0, 5000)), 1)
    t.equal((await ctx.sql<{ failing_since: Date | null }>('select failing_since from webhook_endpoints where id = $1', [ep.id]))[0].failing_since, null)
    t.equal((await deliveriesOf(ctx, ep.id))[0].status, 'succeeded', '204 is a success')
  })

  await t.test('410 Gone fails the delivery and disables the endpoint', async (t) => {
    const { receiver, ep, svc } = await scene(t, ctx)
    receiver.answer = () => ({ status: 410, body: 'gone' })
    await customer(ctx)
    const now = new Date()
    await svc.dispatch(now)
    await svc.deliverDue(now)
    t.match((await deliveriesOf(ctx, ep.id))[0], { status: 'failed', attempts: 1, last_status_code: 410 })
    const [e] = await ctx.sql<{ active: boolean; disabled_reason: string; disabled_at: Date }>('select * from webhook_endpoints where id = $1', [ep.id])
    t.match(e, { active: false, disabled_reason: 'gone' })
    t.equal((await ctx.sql(`select 1 from outbox_events where type = 'webhook_endpoint.disabled' and entity_id = $1`, [ep.id])).length, 1)
    await customer(ctx)
    await svc.dispatch(new Date())
    t.equal((await deliveriesOf(ctx, ep.id)).length, 1, 'no new deliveries for a disabled endpoint')
  })

  await t.test('Retry-After postpones the retry; 3xx is retried, not followed; other 4xx fail at once', async (t) => {
    const { receiver, ep, svc } = await scene(t, ctx)
    const answers: ({ status: number; headers?: Record<string, string> })[] = [
      { status: 429, headers: { 'retry-after': '120' } },
      { status: 302, headers: { location: 'http://169.254.169.254/' } },
      { status: 503, headers: { 'retry-after': new Date(Date.now() + 3 * 3_600_000).toUTCString() } },
      { status: 400 }
    ]
    receiver.answer = () => answers.shift() ?? { status: 200 }
    await customer(ctx)
    const t0 = new Date()
    await svc.dispatch(t0)
    await svc.deliverDue(t0)
    let [d] = await deliveriesOf(ctx, ep.id)
    t.equal(new Date(d.next_attempt_at!).getTime() - t0.getTime(), 120_000, 'Retry-After: 120 beats the 5 s step')
    const t1 = at(t0, 120_000)
    t.equal(await svc.deliverDue(t1), 1)
    ;[d] = await deliveriesOf(ctx, ep.id)
    t.equal(new Date(d.next_attempt_at!).getTime() - t1.getTime(), 5 * 60_000, '302 is retried on the schedule (5 min)')
    t.equal(receiver.received.length, 2, 'the redirect was not followed')
    const t2 = at(t1, 5 * 60_000)
    await svc.deliverDue(t2)
    ;[d] = await deliveriesOf(ctx, ep.id)
    const wait = new Date(d.next_attempt_at!).getTime() - t2.getTime()
    t.ok(wait > 2.5 * 3_600_000 && wait <= 3 * 3_600_000 + 1000, `an HTTP-date Retry-After (≈3 h) beats the 30 min step: ${wait} ms`)
    await svc.deliverDue(new Date(d.next_attempt_at!))
    ;[d] = await deliveriesOf(ctx, ep.id)
    t.match(d, { status: 'failed', last_status_code: 400, attempts: 4 }, '400 is not retried')
  })

  await t.test('a timeout is a failed attempt, retried', async (t) => {
    const { receiver, ep, svc } = await scene(t, ctx)
    receiver.answer = () => 'hang'
    await customer(ctx)
    const now = new Date()
    await svc.dispatch(now)
    const started = Date.now()
    await svc.deliverDue(now)
    t.ok(Date.now() - started < 5000, 'the attempt gave up at WEBHOOK_TIMEOUT_MS')
    const [d] = await deliveriesOf(ctx, ep.id)
    t.match(d, { status: 'pending', attempts: 1, last_status_code: null, last_error: /timed out/ })
  })

  await t.test('replay sends a delivery again with the same webhook-id, recorded as a replay', async (t) => {
    const { receiver, ep, svc } = await scene(t, ctx)
    await customer(ctx)
    await svc.dispatch(new Date())
    await svc.deliverDue(new Date())
    const [d] = await deliveriesOf(ctx, ep.id)
    const r = await ctx.gql(ctx.adminToken, `mutation($id: ID!) { replayWebhookDelivery(id: $id) { webhookDelivery { id status } userErrors { code } } }`, { id: d.id })
    t.same(r.data.replayWebhookDelivery, { webhookDelivery: { id: d.id, status: 'pending' }, userErrors: [] })
    t.equal(await svc.deliverDue(new Date()), 1)
    t.equal(receiver.received.length, 2)
    t.equal(receiver.received[1].headers['webhook-id'], receiver.received[0].headers['webhook-id'])
    new Webhook(ep.secret).verify(receiver.received[1].body, receiver.received[1].headers)
    const q = await ctx.gql(ctx.adminToken, `query($id: ID!) { webhookDelivery(id: $id) { status attempts attemptLog { statusCode trigger latencyMs responseExcerpt } } }`, { id: d.id })
    t.match(q.data.webhookDelivery, { status: 'succeeded', attempts: 2, attemptLog: [{ statusCode: 200, trigger: 'schedule' }, { statusCode: 200, trigger: 'replay', responseExcerpt: 'ok' }] })

    const rest = await ctx.rest(ctx.adminToken, 'POST', `/api/v1/webhook-deliveries/${d.id}/replay`)
    t.equal(rest.statusCode, 202)
    t.equal(rest.json().status, 'pending')
    const missing = await ctx.gql(ctx.adminToken, `mutation { replayWebhookDelivery(id: "00000000-0000-7000-8000-000000000000") { webhookDelivery { id } userErrors { code } } }`)
    t.ok(missing.errors?.[0]?.extensions?.code === 'NOT_FOUND' || missing.data?.replayWebhookDelivery?.userErrors?.length, 'an unknown delivery is not found')
  })

  await t.test('deliveries are listed per endpoint (GraphQL and REST) and only admins see them', async (t) => {
    const { ep, svc } = await scene(t, ctx)
    await customer(ctx, 'One')
    await customer(ctx, 'Two')
    await svc.dispatch(new Date())
    await svc.deliverDue(new Date())
    const q = await ctx.gql(ctx.adminToken, `query($id: ID!) { webhookEndpoint(id: $id) { deliveries(first: 1) { totalCount edges { node { eventType status attempts } } pageInfo { hasNextPage endCursor } } } }`, { id: ep.id })
    const conn = q.data.webhookEndpoint.deliveries
    t.equal(conn.totalCount, 2)
    t.match(conn.edges, [{ node: { eventType: 'customer.created', status: 'succeeded', attempts: 1 } }])
    t.equal(conn.pageInfo.hasNextPage, true)
    const rest = await ctx.rest(ctx.adminToken, 'GET', `/api/v1/webhook-endpoints/${ep.id}/deliveries?limit=5&status=succeeded`)
    t.equal(rest.statusCode, 200)
    t.equal(rest.json().data.length, 2)
    const one = await ctx.rest(ctx.adminToken, 'GET', `/api/v1/webhook-deliveries/${rest.json().data[0].id}`)
    t.match(one.json(), { status: 'succeeded', attemptLog: [{ statusCode: 200, trigger: 'schedule' }] })
    const sales = await ctx.staff('sales')
    t.equal((await ctx.rest(sales.token, 'GET', `/api/v1/webhook-endpoints/${ep.id}/deliveries`)).statusCode, 403)
    t.equal((await ctx.rest(sales.token, 'POST', `/api/v1/webhook-deliveries/${rest.json().data[0].id}/replay`)).statusCode, 403)
    t.equal((await ctx.rest(ctx.adminToken, 'GET', '/api/v1/webhook-endpoints/00000000-0000-7000-8000-000000000000/deliveries')).statusCode, 404)
  })

  await t.test('two workers claiming at once never take the same delivery', async (t) => {
    const { receiver, svc } = await scene(t, ctx)
    for (let i = 0; i < 12; i++) await customer(ctx, `Parallel ${i}`)
    const now = new Date()
    await svc.dispatch(now)
    const [a, b] = await Promise.all([svc.claim(now, 8), svc.claim(now, 8)])
    const ids = [...a, ...b].map((c) => c.id)
    t.equal(ids.length, 12, 'every due delivery claimed once')
    t.equal(new Set(ids).size, 12, 'no delivery claimed twice')
    t.equal((await svc.claim(now, 8)).length, 0, 'leased deliveries are not claimable again')
    await svc.record(await Promise.all([...a, ...b].map((c) => svc.send(c, now))))
    t.equal(receiver.received.length, 12)
    t.equal((await svc.claim(at(now, 3_600_000), 8)).length, 0, 'a finished delivery is not claimed after its lease')
  })

  await t.test('a dead worker\'s lease ends and the delivery is claimed again', async (t) => {
    const { svc } = await scene(t, ctx)
    await customer(ctx)
    const now = new Date()
    await svc.dispatch(now)
    t.equal((await svc.claim(now, 5)).length, 1, 'claimed, never attempted (the worker died)')
    t.equal((await svc.claim(at(now, 10_000), 5)).length, 0, 'still leased')
    t.equal((await svc.claim(at(now, ctx.app.config.WEBHOOK_TIMEOUT_MS + 16_000), 5)).length, 1, 'due again once the lease ended')
  })

  await t.test('during a rotation both secrets sign', async (t) => {
    const { receiver, ep, svc } = await scene(t, ctx)
    const r = await ctx.gql(ctx.adminToken, `mutation($id: ID!) { rotateWebhookEndpointSecret(id: $id) { secret userErrors { code } } }`, { id: ep.id })
    const fresh: string = r.data.rotateWebhookEndpointSecret.secret
    t.not(fresh, ep.secret)
    await customer(ctx)
    await svc.dispatch(new Date())
    await svc.deliverDue(new Date())
    const got = receiver.received[0]
    t.equal(got.headers['webhook-signature'].split(' ').length, 2, 'two signatures')
    new Webhook(fresh).verify(got.body, got.headers)
    new Webhook(ep.secret).verify(got.body, got.headers)
    t.pass('both the new and the previous secret verify')
  })

  await t.test('an answer PostgreSQL cannot store as text (NUL, a split emoji) is cleaned, and never holds back the batch', async (t) => {
    const { receiver, ep, svc } = await scene(t, ctx)
    receiver.answer = () => ({ status: 500, body: `oops\u0000${'a'.repeat(1018)}😀tail` })
    const healthy = new WebhookReceiver()
    const healthyUrl = await healthy.start()
    const other = await endpoint(ctx, healthyUrl)
    t.teardown(async () => {
      await ctx.sql('update webhook_endpoints set deleted_at = now() where id = $1', [other.id])
      await healthy.stop()
    })
    await customer(ctx)
    const now = new Date()
    await svc.dispatch(now)
    t.equal(await svc.deliverDue(now), 2, 'both deliveries attempted in one batch')
    const [bad] = await ctx.sql<{ response_excerpt: string }>('select a.response_excerpt from webhook_attempts a join webhook_deliveries d on d.id = a.delivery_id where d.endpoint_id = $1', [ep.id])
    t.notOk(bad.response_excerpt.includes('\u0000'), 'no NUL stored')
    t.ok(bad.response_excerpt.startsWith('oops'), 'the rest is kept')
    t.match((await deliveriesOf(ctx, ep.id))[0], { status: 'pending', attempts: 1 }, 'the failing one is recorded and scheduled')
    t.match((await deliveriesOf(ctx, other.id))[0], { status: 'succeeded', attempts: 1 }, 'the healthy one is recorded')
    t.equal(await svc.deliverDue(new Date(now.getTime() + 60_000)), 1, 'a minute later only the failing one is due, on its schedule')
    t.equal(healthy.received.length, 1, 'the healthy endpoint got the event once')
  })

  await t.test('an endpoint failing for days is not disabled by a failure beside a success in the same pass', async (t) => {
    const { receiver, ep, svc } = await scene(t, ctx)
    let n = 0
    receiver.answer = () => (n++ === 0 ? { status: 200 } : { status: 429 })
    await customer(ctx, 'Back One')
    await customer(ctx, 'Back Two')
    const now = new Date()
    await svc.dispatch(now)
    await ctx.sql(`update webhook_endpoints set failing_since = $2 where id = $1`, [ep.id, new Date(now.getTime() - 6 * 86_400_000)])
    t.equal(await svc.deliverDue(now), 2)
    const [e] = await ctx.sql<{ active: boolean; failing_since: Date | null }>('select active, failing_since from webhook_endpoints where id = $1', [ep.id])
    t.match(e, { active: true, failing_since: null }, 'the success ended the streak; no disable')
    t.equal((await ctx.sql(`select 1 from outbox_events where type = 'webhook_endpoint.disabled' and entity_id = $1`, [ep.id])).length, 0)
    const gone = await ctx.rest(ctx.adminToken, 'DELETE', `/api/v1/webhook-endpoints/${ep.id}`)
    t.equal(gone.statusCode, 204)
    t.equal((await ctx.rest(ctx.adminToken, 'GET', `/api/v1/webhook-endpoints/${ep.id}/deliveries`)).statusCode, 404, 'a deleted endpoint\'s deliveries are not found')
  })

  await t.test('finished deliveries are pruned after the retention, pending ones kept', async (t) => {
    const svc = ctx.app.services.webhookDeliveries
    const count = async (where: string) => Number((await ctx.sql<{ n: number }>(`select count(*)::int as n from webhook_deliveries where ${where}`))[0].n)
    const finished = await count(`status <> 'pending'`)
    const pending = await count(`status = 'pending'`)
    t.ok(finished > 0 && pending > 0, `earlier subtests left ${finished} finished and ${pending} pending deliveries`)
    t.same(await svc.prune(new Date()), { deliveries: 0 }, 'nothing is old yet')
    t.same(await svc.prune(new Date(Date.now() + 31 * 86_400_000)), { deliveries: finished })
    t.equal(await count('true'), pending, 'pending deliveries stay')
    const [{ n }] = await ctx.sql<{ n: number }>(`select count(*)::int as n from webhook_attempts a where not exists (select 1 from webhook_deliveries d where d.id = a.delivery_id)`)
    t.equal(n, 0, 'no attempt outlives its delivery')
  })
}, { WEBHOOK_ALLOW_PRIVATE_URLS: 'true', WEBHOOK_TIMEOUT_MS: '400' })

await t.test('the worker delivers on its own, without a request waiting for it', async (t) => {
  await forEachDatabase(t, async (t, ctx) => {
    const receiver = new WebhookReceiver()
    const url = await receiver.start()
    t.teardown(() => receiver.stop())
    const ep = await endpoint(ctx, url, ['customer.created'])
    await customer(ctx, 'Background Bea')
    const deadline = Date.now() + 10_000
    while (receiver.received.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
    t.equal(receiver.received.length, 1, 'delivered by the worker')
    const payload = new Webhook(ep.secret).verify(receiver.received[0].body, receiver.received[0].headers) as { type: string }
    t.equal(payload.type, 'customer.created')
  }, { WEBHOOK_ALLOW_PRIVATE_URLS: 'true', WEBHOOK_WORKER_ENABLED: 'true', WEBHOOK_POLL_MS: '20' })
})
