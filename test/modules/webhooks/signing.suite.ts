import t from 'tap'
import { Webhook } from 'standardwebhooks'
import { signatures, signedRequest } from '../../../src/modules/webhooks/webhook-sign.js'
import { newWebhookSecret, signingSecrets } from '../../../src/modules/webhooks/webhook-secrets.js'
import { sendWebhook } from '../../../src/modules/webhooks/webhook-send.js'
import { WebhookReceiver } from '../../support/webhook-receiver.js'

// The Standard Webhooks specification's published test vector.
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', id: 'msg_p5jXN8AQM9LWM0D4loKWxJek', timestamp: 1614265330,
  body: '{"test": 2432232314}', signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE='
}

t.test('signing reproduces the specification\'s test vector', async (t) => {
  t.equal(signatures(VECTOR.id, new Date(VECTOR.timestamp * 1000), VECTOR.body, [VECTOR.secret]), VECTOR.signature)
  const two = signatures(VECTOR.id, new Date(VECTOR.timestamp * 1000), VECTOR.body, [VECTOR.secret, newWebhookSecret()])
  t.equal(two.split(' ')[0], VECTOR.signature, 'with two secrets, the first signature is unchanged and a second follows')
  t.equal(two.split(' ').length, 2)
})

t.test('a signed request verifies with standardwebhooks, and tampering is caught', async (t) => {
  const secret = newWebhookSecret()
  t.match(secret, /^whsec_[A-Za-z0-9+/]{32}$/)
  const sentAt = new Date()
  const req = signedRequest({ id: '0190a0b0-0000-7000-8000-000000000001', type: 'order.recorded', occurredAt: new Date('2026-01-02T03:04:05Z'), data: { orderId: 'x', amount: 100 } }, [secret], sentAt)
  t.same(new Webhook(secret).verify(req.body, req.headers), { type: 'order.recorded', timestamp: '2026-01-02T03:04:05.000Z', data: { orderId: 'x', amount: 100 } })
  t.throws(() => new Webhook(secret).verify(req.body.replace('100', '101'), req.headers), 'a changed body fails')
  t.throws(() => new Webhook(secret).verify(req.body, { ...req.headers, 'webhook-id': 'another' }), 'a changed id fails')
  const old = signedRequest({ id: 'e', type: 'x.y', occurredAt: sentAt, data: {} }, [secret], new Date(sentAt.getTime() - 10 * 60_000))
  t.throws(() => new Webhook(secret).verify(old.body, old.headers), 'a timestamp outside the tolerance fails')
})

t.test('the previous secret signs only until its overlap ends', async (t) => {
  const now = new Date('2026-06-01T00:00:00Z')
  const open = (s: string) => s.toUpperCase()
  t.same(signingSecrets({ secretEnc: 'new', previousSecretEnc: 'old', previousSecretExpiresAt: new Date(now.getTime() + 1) }, now, open), ['NEW', 'OLD'])
  t.same(signingSecrets({ secretEnc: 'new', previousSecretEnc: 'old', previousSecretExpiresAt: now }, now, open), ['NEW'])
  t.same(signingSecrets({ secretEnc: 'new', previousSecretEnc: null, previousSecretExpiresAt: null }, now, open), ['NEW'])
})

t.test('the sender refuses private addresses at connect time unless allowed', async (t) => {
  const receiver = new WebhookReceiver()
  const url = await receiver.start()
  t.teardown(() => receiver.stop())
  const viaName = url.replace('127.0.0.1', 'localhost')
  const refused = await sendWebhook(viaName, {}, '{}', { timeoutMs: 2000, allowPrivate: false })
  t.match(refused, { statusCode: null, error: /not globally reachable/ })
  t.equal(receiver.received.length, 0, 'nothing reached the receiver')
  const literal = await sendWebhook(url, {}, '{}', { timeoutMs: 2000, allowPrivate: false })
  t.match(literal, { statusCode: null, error: /not globally reachable/ }, 'an IP literal is checked too')
  const allowed = await sendWebhook(viaName, { 'webhook-id': 'a' }, '{"a":1}', { timeoutMs: 2000, allowPrivate: true })
  t.match(allowed, { statusCode: 200, excerpt: 'ok', error: null })
  t.equal(receiver.received[0].body, '{"a":1}')
})

t.test('the answer excerpt is cut at 256 characters', async (t) => {
  const receiver = new WebhookReceiver()
  receiver.answer = () => ({ status: 500, body: 'x'.repeat(5000) })
  const url = await receiver.start()
  t.teardown(() => receiver.stop())
  const r = await sendWebhook(url, {}, '{}', { timeoutMs: 2000, allowPrivate: true })
  t.equal(r.statusCode, 500)
  t.equal(r.excerpt?.length, 256)
})
