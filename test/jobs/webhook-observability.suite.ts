import t from 'tap'
import { databaseKinds } from '../helper.js'
import { buildLoggedApp, eventually, metric } from '../support/logged-app.js'
import { WebhookReceiver } from '../support/webhook-receiver.js'

/**
 * A receiver that answers 500: the worker logs the failed attempt (ids, event type, status;
 * no URL, secret, payload or answer), counts it, times it, and the oldest-undelivered gauge
 * shows the event waiting; once the receiver recovers and the delivery is replayed, the gauge
 * is back to 0.
 */
const PHONE = '13987654321'
const ANSWER = 'receiver-said-something-private'

for (const kind of databaseKinds) {
  await t.test(`${kind}: webhook attempts are logged and measured`, async (t) => {
    const { ctx, logged, lines } = await buildLoggedApp(t, kind, { WEBHOOK_WORKER_ENABLED: 'true', WEBHOOK_POLL_MS: '50', WEBHOOK_ALLOW_PRIVATE_URLS: 'true' })
    const receiver = new WebhookReceiver()
    const url = await receiver.start()
    t.teardown(() => receiver.stop())
    receiver.answer = () => ({ status: 500, body: ANSWER })
    const failedLines = () => logged().filter((l) => l.msg === 'webhook attempt failed')

    t.equal(await metric(ctx, 'crm_webhook_oldest_undelivered_seconds'), 0, 'nothing waits')
    t.equal(await metric(ctx, 'crm_webhook_attempts_total{outcome="http_error"}'), 0, 'every outcome starts at zero')
    const endpoint = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/webhook-endpoints', { url: `${url}?token=url-secret`, eventTypes: ['customer.created'] })
    t.equal(endpoint.statusCode, 201)
    const { id: endpointId, secret } = endpoint.json()
    const customer = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/customers', { name: 'Hook Person', phone: PHONE })
    t.equal(customer.statusCode, 201)

    await t.test('a 500 is a failed attempt: one log line with the ids, the event type and the status', async (t) => {
      t.ok(await eventually(() => failedLines().length > 0), 'logged')
      const [delivery] = await ctx.sql<{ id: string; event_id: string }>('select id::text as id, event_id::text as event_id from webhook_deliveries where endpoint_id = $1', [endpointId])
      t.match(failedLines()[0], {
        level: 40, endpointId, deliveryId: delivery.id, eventId: delivery.event_id, eventType: 'customer.created',
        outcome: 'http_error', statusCode: 500, error: null, latencyMs: Number, delivery: 'pending', nextAttemptAt: String
      })
      const all = lines.join('')
      for (const hidden of [PHONE, 'Hook Person', secret, 'url-secret', ANSWER]) t.notMatch(all, hidden, 'no personal data, secret, URL or answer in the log')
    })

    await t.test('counted and timed by outcome; the gauge shows the event waiting', async (t) => {
      t.ok((await metric(ctx, 'crm_webhook_attempts_total{outcome="http_error"}'))! >= 1)
      t.equal(await metric(ctx, 'crm_webhook_attempts_total{outcome="success"}'), 0)
      t.ok((await metric(ctx, 'crm_webhook_attempt_duration_seconds_count{outcome="http_error"}'))! >= 1, 'a latency sample')
      t.ok((await metric(ctx, 'crm_webhook_oldest_undelivered_seconds'))! > 0, 'the undelivered event has an age')
    })

    await t.test('delivered after a replay: the gauge is back to 0, the success counted, nothing more logged', async (t) => {
      receiver.answer = () => ({ status: 200, body: 'ok' })
      const [delivery] = await ctx.sql<{ id: string }>('select id::text as id from webhook_deliveries where endpoint_id = $1', [endpointId])
      const replay = await ctx.gql(ctx.adminToken, 'mutation($id: ID!) { replayWebhookDelivery(id: $id) { userErrors { message } } }', { id: delivery.id })
      t.same(replay.data.replayWebhookDelivery.userErrors, [])
      t.ok(await eventually(async () => (await ctx.sql<{ status: string }>('select status from webhook_deliveries where id = $1', [delivery.id]))[0].status === 'succeeded'), 'delivered')
      t.equal(await metric(ctx, 'crm_webhook_oldest_undelivered_seconds'), 0)
      // At least one: a scheduled retry (5 s after the 500) may run beside the replay.
      const successes = (await metric(ctx, 'crm_webhook_attempts_total{outcome="success"}'))!
      t.ok(successes >= 1)
      t.equal(await metric(ctx, 'crm_webhook_attempt_duration_seconds_count{outcome="success"}'), successes, 'a latency sample per attempt')
      t.equal(failedLines().filter((l) => l.endpointId === endpointId).length, (await metric(ctx, 'crm_webhook_attempts_total{outcome="http_error"}'))!, 'one line per failed attempt, none for a success')
    })

    await t.test('an unreachable endpoint is a network_error; a disabled endpoint\'s backlog is not counted', async (t) => {
      const closed = new WebhookReceiver()
      const deadUrl = await closed.start()
      await closed.stop()
      const dead = (await ctx.rest(ctx.adminToken, 'POST', '/api/v1/webhook-endpoints', { url: deadUrl, eventTypes: ['customer.updated'] })).json()
      const id = customer.json().id
      t.equal((await ctx.rest(ctx.adminToken, 'PATCH', `/api/v1/customers/${id}`, { name: 'Hook Person 2' })).statusCode, 200)
      t.ok(await eventually(() => failedLines().some((l) => l.endpointId === dead.id && l.outcome === 'network_error' && l.statusCode === null && typeof l.error === 'string')), 'logged with the error')
      t.ok((await metric(ctx, 'crm_webhook_attempts_total{outcome="network_error"}'))! >= 1)
      t.ok((await metric(ctx, 'crm_webhook_oldest_undelivered_seconds'))! > 0, 'waiting for the dead endpoint')
      const off = await ctx.gql(ctx.adminToken, 'mutation($id: ID!) { updateWebhookEndpoint(id: $id, input: { active: false }) { userErrors { message } } }', { id: dead.id })
      t.same(off.data.updateWebhookEndpoint.userErrors, [])
      t.equal(await metric(ctx, 'crm_webhook_oldest_undelivered_seconds'), 0, 'a disabled endpoint\'s deliveries wait for it, not the alert')
    })
  })
}
