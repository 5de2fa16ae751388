import t from 'tap'
import { forEachDatabase, type TestApp } from '../../helper.js'
import { createReferrer, eventsOf, newPhone, YES } from './support.js'

const PER_IP = 6
const PER_CODE = 8

await forEachDatabase(t, async (t, ctx) => {
  const referrer = await createReferrer(ctx, { name: '张三丰', phone: '13900000002' })
  let ipCount = 0
  /** Each subtest from its own client address, so the per-IP limit is the test's own business. */
  const client = () => `10.0.${Math.floor(++ipCount / 250)}.${ipCount % 250}`
  const post = (ip: string, url: string, payload: Record<string, unknown>) =>
    ctx.app.inject({ method: 'POST', url, payload, remoteAddress: ip })
  const form = (ip: string, payload: Record<string, unknown>) => post(ip, '/api/v1/public/referrals', { referralCode: referrer.code, ...payload })
  const latest = async (app: TestApp) =>
    (await app.sql<{ id: string; status: string; rejection_reason: string | null; channel: string; source_ip: string }>(
      'select id, status, rejection_reason, channel, source_ip from referrals order by created_at desc, id desc limit 1'))[0]

  await t.test('answers 202 with the same body for a new person, a duplicate, a customer and the referrer themself', async (t) => {
    const ip = client()
    const phone = newPhone()
    const customerPhone = newPhone()
    await ctx.gql(ctx.adminToken, 'mutation($p: String!) { createCustomer(input: { name: "Already", phone: $p }) { customer { id } } }', { p: customerPhone })
    const answers = []
    const stored = []
    for (const person of [{ name: 'New', phone }, { name: 'Again', phone }, { name: 'Customer', phone: customerPhone }, { name: 'Self', phone: '13900000002' }]) {
      const res = await form(ip, { ...person, channel: 'qr' })
      answers.push([res.statusCode, res.body, res.headers['content-type']])
      stored.push(await latest(ctx))
    }
    t.same(new Set(answers.map((a) => JSON.stringify(a))).size, 1, 'one answer for all')
    t.equal(answers[0][0], 202)
    t.same(JSON.parse(answers[0][1] as string), { status: 'received', message: 'Thank you. The person will be asked to confirm before anyone contacts them.' })
    t.same(stored.map((s) => [s.status, s.rejection_reason, s.channel]), [
      ['pending_consent', null, 'qr'], ['rejected', 'duplicate', 'qr'], ['rejected', 'already_customer', 'qr'], ['rejected', 'self_referral', 'qr']
    ])
    t.equal(stored[0].source_ip, ip, 'the submitter address is kept for abuse review')
    const view = await ctx.rest(ctx.adminToken, 'GET', `/api/v1/referrals/${stored[0].id}`)
    t.notOk('sourceIp' in view.json(), 'but never shown')
    t.same((await eventsOf(ctx, stored[0].id)).map((e) => e.type), ['referral.consent_requested'])
  })

  await t.test('an unknown or inactive code is 404; invalid input is 400; neither stores anything', async (t) => {
    const ip = client()
    const before = (await ctx.sql<{ n: number }>('select count(*)::int as n from referrals'))[0].n
    const unknown = await post(ip, '/api/v1/public/referrals', { referralCode: 'NOSUCHCODE', name: 'x', phone: newPhone() })
    t.equal(unknown.statusCode, 404)
    t.match(unknown.json(), { code: 'CRM_ERR_NOT_FOUND' })
    const suspended = await createReferrer(ctx, { status: 'suspended' })
    t.equal((await post(ip, '/api/v1/public/referrals', { referralCode: suspended.code, name: 'x', phone: newPhone() })).statusCode, 404)
    t.equal((await form(ip, { name: 'x', phone: '123' })).statusCode, 400)
    t.equal((await form(ip, { name: 'x', phone: newPhone(), channel: 'api' })).statusCode, 400, 'the public form is form, link or qr')
    t.equal((await ctx.sql<{ n: number }>('select count(*)::int as n from referrals'))[0].n, before)
  })

  await t.test(`limits each client address to ${PER_IP} requests a minute: 429 RATE_LIMITED problem+json`, async (t) => {
    const ip = client()
    const fresh = await createReferrer(ctx)
    const attempt = (from: string) => post(from, '/api/v1/public/referrals', { referralCode: fresh.code, name: 'x', phone: '123' })
    const codes = []
    for (let i = 0; i <= PER_IP; i++) codes.push((await attempt(ip)).statusCode)
    t.same(codes, [...Array(PER_IP).fill(400), 429], 'even bad requests count')
    const limited = await attempt(ip)
    t.equal(limited.statusCode, 429)
    t.match(limited.headers['content-type'], /application\/problem\+json/)
    t.match(limited.json(), { code: 'CRM_ERR_RATE_LIMITED', status: 429 })
    t.ok(Number(limited.headers['retry-after']) > 0)
    t.equal((await attempt(client())).statusCode, 400, 'another address is not limited')
  })

  await t.test(`limits each referral code to ${PER_CODE} submissions a minute, across addresses`, async (t) => {
    const busy = await createReferrer(ctx)
    const codes = []
    for (let i = 0; i <= PER_CODE; i++) {
      codes.push((await post(client(), '/api/v1/public/referrals', { referralCode: busy.code.toLowerCase(), name: 'x', phone: newPhone() })).statusCode)
    }
    t.same(codes, [...Array(PER_CODE).fill(202), 429])
    const quiet = await createReferrer(ctx)
    t.equal((await post(client(), '/api/v1/public/referrals', { referralCode: quiet.code, name: 'x', phone: newPhone() })).statusCode, 202, 'other codes are not limited')
  })

  await t.test('tells a landing page the display name and the running campaign, nothing personal', async (t) => {
    const ip = client()
    const get = (path: string) => ctx.app.inject({ method: 'GET', url: path, remoteAddress: ip })
    const none = await get(`/api/v1/public/referrers/${referrer.code.toLowerCase()}`)
    t.equal(none.statusCode, 200)
    t.same(none.json(), { code: referrer.code, displayName: '张**', campaign: null })
    const c = await ctx.gql(ctx.adminToken, 'mutation { createCampaign(input: { name: "春季推荐", status: active }) { campaign { id } userErrors { message } } }')
    const campaignId = c.data.createCampaign.campaign.id
    t.same((await get(`/api/v1/public/referrers/${referrer.code}`)).json().campaign, { id: campaignId, name: '春季推荐' })
    t.same((await get(`/api/v1/public/referrers/${referrer.code}?campaignId=01900000-0000-7000-8000-000000000000`)).json().campaign, null)
    const chosen = await createReferrer(ctx, { name: 'Wang Xiao Ming', attributes: { displayName: '小明' } })
    t.equal((await get(`/api/v1/public/referrers/${chosen.code}`)).json().displayName, '小明')
    const latin = await createReferrer(ctx, { name: 'Wang Xiao Ming' })
    t.equal((await get(`/api/v1/public/referrers/${latin.code}`)).json().displayName, 'Wang M.')
    t.equal((await get('/api/v1/public/referrers/NOSUCHCODE')).statusCode, 404)
  })

  await t.test('the public consent twin: the person answers with the token the integrator sent them', async (t) => {
    const ip = client()
    await form(ip, { name: 'Consenting', phone: newPhone() })
    const { id } = await latest(ctx)
    const issued = await ctx.rest(await ctx.keyToken('integration'), 'POST', `/api/v1/referrals/${id}/consent-token`)
    t.equal(issued.statusCode, 200)
    const answer = await post(ip, '/api/v1/public/referrals/consent', { token: issued.json().token, ...YES, channel: 'form' })
    t.equal(answer.statusCode, 200)
    t.same(answer.json(), { status: 'submitted' })
    const view = await ctx.rest(ctx.adminToken, 'GET', `/api/v1/referrals/${id}`)
    t.match(view.json(), { status: 'submitted', consent: { granted: true, channel: 'form', by: 'self', ip } })
    t.ok(view.json().leadId)
    const masked = await ctx.rest((await ctx.staff('marketing')).token, 'GET', `/api/v1/referrals/${id}`)
    t.notOk('ip' in masked.json().consent, 'the IP only for roles that read personal data')
    t.equal((await post(ip, '/api/v1/public/referrals/consent', { token: issued.json().token, ...YES })).statusCode, 404, 'single-use')
  })

  await t.test('documents the public routes in OpenAPI without security', async (t) => {
    const doc = (await ctx.app.inject({ method: 'GET', url: '/openapi.json' })).json()
    for (const [path, method] of [['/api/v1/public/referrals', 'post'], ['/api/v1/public/referrals/consent', 'post'], ['/api/v1/public/referrers/{code}', 'get']]) {
      t.same(doc.paths[path]?.[method]?.security, [], `${method} ${path}`)
    }
    t.ok(doc.paths['/api/v1/referrals/{id}/reject']?.post)
  })
}, { PUBLIC_RATE_LIMIT_PER_IP: String(PER_IP), PUBLIC_RATE_LIMIT_PER_CODE: String(PER_CODE) })
