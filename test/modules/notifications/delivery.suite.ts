import t, { type Test } from 'tap'
import { randomBytes } from 'node:crypto'
import { forEachDatabase, type TestApp } from '../../helper.js'
import { FakeHttpProvider, FakeSmtpServer } from '../../support/fake-providers.js'
import { retryDelaysMs } from '../../../src/rules/webhook-retry.js'

type Msg = { id: string; status: string; reason: string | null; attempts: number; step: number; next_attempt_at: Date | null; sent_at: Date | null; provider_message_id: string | null; last_status_code: number | null; last_error: string | null; channel_id: string | null; latency_ms: number | null }

const envSms = new FakeHttpProvider()
const envSmsUrl = await envSms.start()
t.teardown(() => envSms.stop())

async function customer(ctx: TestApp, phone: string | null, email: string | null): Promise<string> {
  const r = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/customers', { name: `Msg ${randomBytes(3).toString('hex')}`, ...(phone ? { phone } : {}), ...(email ? { email } : {}) })
  if (r.statusCode !== 201) throw new Error(r.body)
  return r.json().id
}

async function channel(ctx: TestApp, input: Record<string, unknown>): Promise<string> {
  const r = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/notification-channels', { name: `ch ${randomBytes(3).toString('hex')}`, ...input })
  if (r.statusCode !== 201) throw new Error(r.body)
  return r.json().id
}

/** A queued message as another area enqueues it (content already rendered). */
async function enqueue(ctx: TestApp, m: { channelId: string | null; kind: string; customerId?: string; userId?: string; teamId?: string; content: Record<string, unknown>; at?: Date }): Promise<string> {
  const [row] = await ctx.sql<{ id: string }>(`insert into messages (id, dedupe_key, channel_id, channel_kind, purpose, recipient_kind, customer_id, user_id, team_id, content, status, next_attempt_at)
    values (gen_random_uuid(), $1, $2, $3, 'service', $4, $5, $6, $7, $8, 'queued', $9) returning id`,
  [`test:${randomBytes(6).toString('hex')}`, m.channelId, m.kind, m.customerId ? 'customer' : m.userId ? 'user' : 'team', m.customerId ?? null, m.userId ?? null, m.teamId ?? null, JSON.stringify(m.content), (m.at ?? new Date()).toISOString()])
  return row.id
}

const msg = async (ctx: TestApp, id: string) => (await ctx.sql<Msg>('select * from messages where id = $1', [id]))[0]
const attempts = (ctx: TestApp, id: string) => ctx.sql<{ status_code: number | null; error: string | null; latency_ms: number; excerpt: string | null }>('select * from message_attempts where message_id = $1 order by attempted_at', [id])

async function fake(t: Test) {
  const f = new FakeHttpProvider()
  const base = await f.start()
  t.teardown(() => f.stop())
  return { f, base }
}

await forEachDatabase(t, async (t, ctx) => {
  const svc = ctx.app.services.messageDelivery

  await t.test('an SMS to a customer goes to the provider with the phone opened at send time, and is recorded as sent', async (t) => {
    const { f, base } = await fake(t)
    f.answer = () => ({ status: 200, body: { messageId: 'p-1' } })
    const ch = await channel(ctx, { kind: 'sms', config: { url: `${base}/sms`, signName: 'CRM' }, secrets: { apiKey: 'key-9' } })
    const cid = await customer(ctx, '13812345678', null)
    const id = await enqueue(ctx, { channelId: ch, kind: 'sms', customerId: cid, content: { text: 'hi', templateCode: 'SMS_1', params: { name: 'A' } } })
    const done = await svc.deliverDue(new Date())
    t.equal(done.length, 1)
    t.same(f.received[0].json, { to: '13812345678', templateCode: 'SMS_1', params: { name: 'A' }, signName: 'CRM' })
    t.equal(f.received[0].headers['x-api-key'], 'key-9')
    t.match(await msg(ctx, id), { status: 'sent', attempts: 1, provider_message_id: 'p-1', last_status_code: 200, next_attempt_at: null })
    t.ok((await msg(ctx, id)).sent_at)
    t.match(await attempts(ctx, id), [{ status_code: 200, error: null }])
    t.same(await svc.deliverDue(new Date()), [], 'nothing left')
  })

  await t.test('a failing robot is retried on the webhook schedule, then succeeds', async (t) => {
    const { f, base } = await fake(t)
    const ch = await channel(ctx, { kind: 'wecom_robot', config: { url: `${base}/send` }, secrets: { key: 'K' } })
    const id = await enqueue(ctx, { channelId: ch, kind: 'wecom_robot', teamId: await ctx.createTeam(), content: { text: 'team news' } })
    f.answer = () => ({ status: 503, body: 'busy' })
    const now = new Date()
    await svc.deliverDue(now)
    const after1 = await msg(ctx, id)
    t.match(after1, { status: 'queued', step: 1, attempts: 1, last_status_code: 503 })
    t.equal(after1.next_attempt_at!.getTime(), now.getTime() + retryDelaysMs[0])
    t.same(await svc.deliverDue(new Date(now.getTime() + 1000)), [], 'not due before its retry time')
    f.answer = () => ({ status: 200, body: { errcode: 0, errmsg: 'ok' } })
    await svc.deliverDue(new Date(now.getTime() + retryDelaysMs[0]))
    t.match(await msg(ctx, id), { status: 'sent', attempts: 2 })
    t.equal(f.received.length, 2)
    t.equal(f.received[1].url, '/send?key=K')
    t.equal((await attempts(ctx, id)).length, 2)
  })

  await t.test('an errcode the robot will not accept fails the message at once, with the reason', async (t) => {
    const { f, base } = await fake(t)
    f.answer = () => ({ status: 200, body: { errcode: 310000, errmsg: 'sign not match' } })
    const ch = await channel(ctx, { kind: 'dingtalk_robot', config: { url: `${base}/robot/send` }, secrets: { accessToken: 'T', signSecret: 'S' } })
    const id = await enqueue(ctx, { channelId: ch, kind: 'dingtalk_robot', teamId: await ctx.createTeam(), content: { text: 'x' } })
    await svc.deliverDue(new Date())
    t.match(await msg(ctx, id), { status: 'failed', reason: 'rejected', last_error: 'errcode 310000: sign not match' })
  })

  await t.test('retries end after the last step of the schedule', async (t) => {
    const { f, base } = await fake(t)
    f.answer = () => ({ status: 500 })
    const ch = await channel(ctx, { kind: 'wecom_robot', config: { url: base }, secrets: { key: 'K' } })
    const id = await enqueue(ctx, { channelId: ch, kind: 'wecom_robot', teamId: await ctx.createTeam(), content: { text: 'x' } })
    await ctx.sql('update messages set step = $1 where id = $2', [retryDelaysMs.length, id])
    await svc.deliverDue(new Date())
    t.match(await msg(ctx, id), { status: 'failed', reason: 'exhausted' })
  })

  await t.test('a message whose channel is deleted or inactive fails with that reason; no address fails as no_address', async (t) => {
    const { f, base } = await fake(t)
    const ch = await channel(ctx, { kind: 'sms', config: { url: base } })
    const cid = await customer(ctx, null, 'only-email@example.com')
    const noPhone = await enqueue(ctx, { channelId: ch, kind: 'sms', customerId: cid, content: { text: 'x', templateCode: 'T' } })
    await ctx.rest(ctx.adminToken, 'PATCH', `/api/v1/notification-channels/${ch}`, { active: false })
    const inactive = await enqueue(ctx, { channelId: ch, kind: 'sms', customerId: cid, content: { text: 'x', templateCode: 'T' } })
    await ctx.rest(ctx.adminToken, 'PATCH', `/api/v1/notification-channels/${ch}`, { active: true })
    await svc.deliverDue(new Date(), 1)
    t.match(await msg(ctx, noPhone), { status: 'failed', reason: 'no_address' })
    await ctx.rest(ctx.adminToken, 'DELETE', `/api/v1/notification-channels/${ch}`)
    await svc.deliverDue(new Date())
    t.match(await msg(ctx, inactive), { status: 'failed', reason: 'channel_inactive' })
    t.equal(f.received.length, 0)
  })

  await t.test('a provider that hangs times out and the message is retried', async (t) => {
    const { f, base } = await fake(t)
    f.answer = () => 'hang'
    const ch = await channel(ctx, { kind: 'wecom_robot', config: { url: base }, secrets: { key: 'K' } })
    const id = await enqueue(ctx, { channelId: ch, kind: 'wecom_robot', teamId: await ctx.createTeam(), content: { text: 'x' } })
    await svc.deliverDue(new Date())
    t.match(await msg(ctx, id), { status: 'queued', step: 1, last_status_code: null, last_error: /timed out after 2000 ms/ })
  })

  await t.test('email to a customer through the SMTP channel', async (t) => {
    const smtp = new FakeSmtpServer()
    const port = await smtp.start()
    t.teardown(() => smtp.stop())
    const ch = await channel(ctx, { kind: 'email', config: { host: '127.0.0.1', port, from: 'crm@example.com' } })
    const cid = await customer(ctx, null, 'buyer@example.com')
    const id = await enqueue(ctx, { channelId: ch, kind: 'email', customerId: cid, content: { subject: 'Hello', text: 'plain', html: '<b>rich</b>' } })
    await svc.deliverDue(new Date())
    t.match(await msg(ctx, id), { status: 'sent', last_status_code: 250 })
    t.same(smtp.mails[0].to, ['buyer@example.com'])
    t.match(smtp.mails[0].data, /<b>rich<\/b>/)
  })

  await t.test('a message naming no channel goes out on the environment default (SMS_PROVIDER_URL)', async (t) => {
    const cid = await customer(ctx, '13912345678', null)
    const id = await enqueue(ctx, { channelId: null, kind: 'sms', customerId: cid, content: { text: 'x', templateCode: 'ENV_T' } })
    const before = envSms.received.length
    await svc.deliverDue(new Date())
    t.match(await msg(ctx, id), { status: 'sent', channel_id: null })
    t.match(envSms.received[before], { headers: { 'x-env-key': 'env-secret' }, json: { to: '13912345678', templateCode: 'ENV_T', signName: 'ENV' } })
  })

  await t.test('several workers at once never send a message twice', async (t) => {
    const { f, base } = await fake(t)
    const ch = await channel(ctx, { kind: 'wecom_robot', config: { url: base }, secrets: { key: 'K' } })
    const team = await ctx.createTeam()
    const ids: string[] = []
    for (let i = 0; i < 30; i++) ids.push(await enqueue(ctx, { channelId: ch, kind: 'wecom_robot', teamId: team, content: { text: `n${i}` } }))
    const now = new Date()
    const runs = await Promise.all([1, 2, 3, 4].map(() => svc.deliverDue(now, 10)))
    const more = await svc.deliverDue(now, 100)
    t.equal(runs.flat().length + more.length, 30, 'each claimed once')
    t.equal(f.received.length, 30)
    t.equal(new Set(f.received.map((r) => JSON.stringify(r.json))).size, 30, 'no duplicates')
    const sent = await ctx.sql<{ n: number }>(`select count(*)::int as n from messages where id = any($1::uuid[]) and status = 'sent' and attempts = 1`, [ids])
    t.equal(sent[0].n, 30)
  })

  await t.test('the worker metrics are exposed per channel kind', async (t) => {
    const res = await ctx.rest(null, 'GET', '/metrics')
    t.match(res.body, /crm_messages_sent_total\{kind="sms"\}/)
    t.match(res.body, /# HELP crm_message_attempt_duration_seconds /)
  })
}, { WEBHOOK_ALLOW_PRIVATE_URLS: 'true', MESSAGE_TIMEOUT_MS: '2000', SMS_PROVIDER_URL: `${envSmsUrl}/env-sms`, SMS_API_KEY: 'env-secret', SMS_API_KEY_HEADER: 'X-Env-Key', SMS_SIGN_NAME: 'ENV' })
