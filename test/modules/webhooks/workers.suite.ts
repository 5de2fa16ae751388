import t from 'tap'
import { Webhook } from 'standardwebhooks'
import { buildApp } from '../../../src/app.js'
import { buildTestApp } from '../../helper.js'
import { WebhookReceiver } from '../../support/webhook-receiver.js'

// Several API processes on one PostgreSQL database share the delivery work: every event once, none twice.
t.test('three processes\' workers share the deliveries', { skip: process.env.TEST_DATABASE_URL ? false : 'needs TEST_DATABASE_URL' }, async (t) => {
  const env = { WEBHOOK_ALLOW_PRIVATE_URLS: 'true', WEBHOOK_WORKER_ENABLED: 'true', WEBHOOK_POLL_MS: '20', WEBHOOK_CONCURRENCY: '4' }
  const ctx = await buildTestApp(t, 'postgres', env)
  const others = await Promise.all([1, 2].map(() => buildApp({ config: ctx.app.config, logger: false })))
  t.teardown(() => Promise.all(others.map((a) => a.close())))
  await Promise.all(others.map((a) => a.ready()))
  const receiver = new WebhookReceiver()
  const url = await receiver.start()
  t.teardown(() => receiver.stop())
  const created = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/webhook-endpoints', { url, eventTypes: ['customer.created'] })
  const secret: string = created.json().secret
  const apps = [ctx.app, ...others]
  const N = 60
  await Promise.all(Array.from({ length: N }, (_, i) => apps[i % 3].inject({
    method: 'POST', url: '/api/v1/customers', payload: { name: `Shared ${i}` }, headers: { authorization: `Bearer ${ctx.adminToken}` }
  })))
  const deadline = Date.now() + 20_000
  while (receiver.received.length < N && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25))
  await new Promise((r) => setTimeout(r, 300))
  const ids = receiver.received.map((r) => r.headers['webhook-id'])
  t.equal(ids.length, N, 'every event delivered')
  t.equal(new Set(ids).size, N, 'none delivered twice')
  for (const r of receiver.received) new Webhook(secret).verify(r.body, r.headers)
  const [{ n }] = await ctx.sql<{ n: number }>(`select count(*)::int as n from webhook_attempts`)
  t.equal(n, N, 'one attempt per delivery')
})
