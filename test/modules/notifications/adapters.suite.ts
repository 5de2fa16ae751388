import t from 'tap'
import { createHmac } from 'node:crypto'
import { adapters, type ChannelSettings, type SendContext } from '../../../src/modules/notifications/adapters/index.js'
import { dingtalkSign } from '../../../src/modules/notifications/adapters/dingtalk.js'
import { FakeHttpProvider, FakeSmtpServer } from '../../support/fake-providers.js'

const ctx = (over: Partial<SendContext> = {}): SendContext => ({ timeoutMs: 2000, allowPrivate: true, now: new Date(1700000000000), ...over })

t.test('DingTalk signature matches the published example and a second formulation', async (t) => {
  // The dingding crate's test vector (docs.rs/crate/dingding, src/signature.rs): timestamp 1700000000000, secret "secret".
  t.equal(dingtalkSign(1700000000000, 'secret'), 'OuzzJR5%2BxZ4%2FEYwqtNt6sMYZQMTa%2FHEGvc9miJe7XzY%3D')
  // Independently: HMAC over the bytes, base64, then percent-encoding of + / = by hand.
  const secret = 'SEC5a3ecf88f2b3eb50db30ecfc00f53033ac909c99bf7f88fd612bda89d7f3a9dc'
  const raw = createHmac('sha256', Buffer.from(secret, 'utf8')).update(Buffer.from(`1712345678901\n${secret}`, 'utf8')).digest('base64')
  t.equal(dingtalkSign(1712345678901, secret), raw.replace(/\+/g, '%2B').replace(/\//g, '%2F').replace(/=/g, '%3D'))
})

t.test('WeCom robot: POST ?key=KEY with the text body and mentions; errcode 0 is success', async (t) => {
  const fake = new FakeHttpProvider()
  const base = await fake.start()
  t.teardown(() => fake.stop())
  const channel: ChannelSettings = { kind: 'wecom_robot', config: { url: `${base}/cgi-bin/webhook/send` }, secrets: { key: 'KEY-123' } }
  const r = await adapters.wecom_robot(channel, {}, { text: '线索已分配', mentionedMobiles: ['13800001111'] }, ctx())
  t.match(r, { ok: true, statusCode: 200, error: null, retryable: false })
  const got = fake.received[0]
  t.equal(got.method, 'POST')
  t.equal(got.url, '/cgi-bin/webhook/send?key=KEY-123')
  t.equal(got.headers['content-type'], 'application/json')
  t.same(got.json, { msgtype: 'text', text: { content: '线索已分配', mentioned_mobile_list: ['13800001111'] } })

  await adapters.wecom_robot(channel, {}, { text: '**bold**', markdown: true }, ctx())
  t.same(fake.received[1].json, { msgtype: 'markdown', markdown: { content: '**bold**' } })

  fake.answer = () => ({ status: 200, body: { errcode: 93000, errmsg: 'invalid webhook url' } })
  t.match(await adapters.wecom_robot(channel, {}, { text: 'x' }, ctx()), { ok: false, statusCode: 200, error: 'errcode 93000: invalid webhook url', retryable: false })
  fake.answer = () => ({ status: 200, body: { errcode: 45009, errmsg: 'api freq out of limit' } })
  t.match(await adapters.wecom_robot(channel, {}, { text: 'x' }, ctx()), { ok: false, retryable: true })
  fake.answer = () => ({ status: 502, body: 'bad gateway' })
  t.match(await adapters.wecom_robot(channel, {}, { text: 'x' }, ctx()), { ok: false, statusCode: 502, error: 'HTTP 502', retryable: true })
})

t.test('DingTalk robot: access_token, timestamp and sign in the query; text and markdown bodies', async (t) => {
  const fake = new FakeHttpProvider()
  const base = await fake.start()
  t.teardown(() => fake.stop())
  const channel: ChannelSettings = { kind: 'dingtalk_robot', config: { url: `${base}/robot/send` }, secrets: { accessToken: 'TOKEN', signSecret: 'SECabc' } }
  const now = new Date(1712345678901)
  t.match(await adapters.dingtalk_robot(channel, {}, { text: 'hello', mentionedMobiles: ['13800001111'] }, ctx({ now })), { ok: true })
  const got = fake.received[0]
  t.equal(got.query.get('access_token'), 'TOKEN')
  t.equal(got.query.get('timestamp'), '1712345678901')
  const expected = createHmac('sha256', 'SECabc').update('1712345678901\nSECabc').digest('base64')
  t.equal(got.query.get('sign'), expected, 'the sign decodes to base64(HMAC-SHA256(secret, timestamp\\nsecret))')
  t.match(got.url, /&sign=[A-Za-z0-9%]+$/, 'sent URL-encoded')
  t.same(got.json, { msgtype: 'text', text: { content: 'hello' }, at: { atMobiles: ['13800001111'], isAtAll: false } })

  await adapters.dingtalk_robot(channel, {}, { text: '## Title\nbody', markdown: true, title: 'Title' }, ctx())
  t.same(fake.received[1].json, { msgtype: 'markdown', markdown: { title: 'Title', text: '## Title\nbody' } })

  const unsigned: ChannelSettings = { ...channel, secrets: { accessToken: 'TOKEN' } }
  await adapters.dingtalk_robot(unsigned, {}, { text: 'x' }, ctx())
  t.equal(fake.received[2].url, '/robot/send?access_token=TOKEN', 'no signing secret: no timestamp or sign')

  fake.answer = () => ({ status: 200, body: { errcode: 310000, errmsg: 'sign not match' } })
  t.match(await adapters.dingtalk_robot(channel, {}, { text: 'x' }, ctx()), { ok: false, error: 'errcode 310000: sign not match', retryable: false })
})

t.test('SMS: JSON {to, templateCode, params, signName} with the API key header; 2xx succeeds', async (t) => {
  const fake = new FakeHttpProvider()
  const base = await fake.start()
  t.teardown(() => fake.stop())
  fake.answer = () => ({ status: 202, body: { messageId: 'sms-789' } })
  const channel: ChannelSettings = { kind: 'sms', config: { url: `${base}/v1/sms`, apiKeyHeader: 'X-Provider-Key', signName: '推荐CRM' }, secrets: { apiKey: 'k-1' } }
  const r = await adapters.sms(channel, { phone: '+8613800001111' }, { text: 'ignored', templateCode: 'SMS_001', params: { name: '张三' } }, ctx())
  t.match(r, { ok: true, statusCode: 202, providerMessageId: 'sms-789' })
  const got = fake.received[0]
  t.equal(got.url, '/v1/sms')
  t.equal(got.headers['x-provider-key'], 'k-1')
  t.same(got.json, { to: '+8613800001111', templateCode: 'SMS_001', params: { name: '张三' }, signName: '推荐CRM' })

  fake.answer = () => ({ status: 400, body: { error: 'bad template' } })
  t.match(await adapters.sms(channel, { phone: '+8613800001111' }, { text: 'x', templateCode: 'S' }, ctx()), { ok: false, statusCode: 400, retryable: false })
  fake.answer = () => ({ status: 429, headers: { 'retry-after': '30' } })
  t.match(await adapters.sms(channel, { phone: '+8613800001111' }, { text: 'x', templateCode: 'S' }, ctx()), { ok: false, statusCode: 429, retryable: true, retryAfter: '30' })
  t.match(await adapters.sms(channel, {}, { text: 'x', templateCode: 'S' }, ctx()), { ok: false, error: 'the recipient has no phone number', retryable: false })
  t.match(await adapters.sms(channel, { phone: '1' }, { text: 'x' }, ctx()), { ok: false, error: 'the message has no SMS template code' })
})

t.test('a provider that does not answer times out, and is retryable', async (t) => {
  const fake = new FakeHttpProvider()
  const base = await fake.start()
  t.teardown(() => fake.stop())
  fake.answer = () => 'hang'
  const r = await adapters.wecom_robot({ kind: 'wecom_robot', config: { url: base }, secrets: { key: 'k' } }, {}, { text: 'x' }, ctx({ timeoutMs: 200 }))
  t.match(r, { ok: false, statusCode: null, error: /timed out after 200 ms/, retryable: true })
  t.ok(r.latencyMs >= 150 && r.latencyMs < 2000)
})

t.test('the SSRF guard refuses private addresses at connect time unless allowed', async (t) => {
  const fake = new FakeHttpProvider()
  const base = await fake.start()
  t.teardown(() => fake.stop())
  const r = await adapters.wecom_robot({ kind: 'wecom_robot', config: { url: base }, secrets: { key: 'k' } }, {}, { text: 'x' }, ctx({ allowPrivate: false }))
  t.match(r, { ok: false, statusCode: null, error: /not globally reachable/ })
  t.equal(fake.received.length, 0, 'nothing reached the server')
  const localhost = await adapters.sms({ kind: 'sms', config: { url: base.replace('127.0.0.1', 'localhost') }, secrets: {} }, { phone: '1' }, { text: 'x', templateCode: 'T' }, ctx({ allowPrivate: false }))
  t.match(localhost, { ok: false, error: /not globally reachable/ }, 'a name resolving to loopback is refused too')
  const mail = await adapters.email({ kind: 'email', config: { host: '127.0.0.1', port: 25, from: 'a@b.c' }, secrets: {} }, { email: 'x@y.z' }, { text: 'x' }, ctx({ allowPrivate: false }))
  t.match(mail, { ok: false, error: /not globally reachable/ })
})

t.test('email over SMTP: envelope, headers, text and html; 5xx fails for good, 4xx retries', async (t) => {
  const smtp = new FakeSmtpServer()
  const port = await smtp.start()
  t.teardown(() => smtp.stop())
  const channel: ChannelSettings = { kind: 'email', config: { host: '127.0.0.1', port, from: 'CRM <crm@example.com>', username: 'crm' }, secrets: { password: 'pw' } }
  const r = await adapters.email(channel, { email: 'rep@example.com' }, { subject: '线索分配 Lead assigned', text: 'plain body', html: '<p>html body</p>' }, ctx())
  t.match(r, { ok: true, statusCode: 250, error: null, excerpt: /queued as FAKE123/ })
  t.ok(r.providerMessageId, 'the Message-ID')
  const mail = smtp.mails[0]
  t.equal(mail.from, 'crm@example.com')
  t.same(mail.to, ['rep@example.com'])
  t.equal(mail.auth, '\u0000crm\u0000pw', 'AUTH PLAIN with the sealed password')
  t.match(mail.data, /Subject: =\?UTF-8\?/)
  t.match(mail.data, /plain body/)
  t.match(mail.data, /<p>html body<\/p>/)
  t.match(mail.data, /multipart\/alternative/)

  smtp.reject.RCPT = '550 5.1.1 no such user'
  t.match(await adapters.email(channel, { email: 'gone@example.com' }, { text: 'x' }, ctx()), { ok: false, statusCode: 550, retryable: false })
  smtp.reject.RCPT = '451 4.3.0 try later'
  t.match(await adapters.email(channel, { email: 'later@example.com' }, { text: 'x' }, ctx()), { ok: false, statusCode: 451, retryable: true })
  smtp.reject = {}
  smtp.hang = true
  t.match(await adapters.email(channel, { email: 'x@example.com' }, { text: 'x' }, ctx({ timeoutMs: 300 })), { ok: false, statusCode: null, retryable: true })
})
