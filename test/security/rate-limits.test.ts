import { randomBytes } from 'node:crypto'
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { referrers } from '../../src/db/schema/referrers.js'
import { ADMIN_KEY, buildTestApp, databaseKinds, freshPostgresDatabase, type TestApp } from '../helper.js'

/**
 * Rate limits (docs/security.md, "Rate limits"): failed token requests per client address, and
 * requests per API key (or referrer) on REST and GraphQL, counted in the database.
 */
const TOKEN = '/api/v1/auth/token'
const WRONG = (i: number) => `crm_wrong_key_${String(i).padStart(6, '0')}_0123456789abcdef`
const CUSTOMER = 'mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } userErrors { message } } }'

function tokenRequest(app: FastifyInstance, apiKey: string, remoteAddress = '127.0.0.1') {
  return app.inject({ method: 'POST', url: TOKEN, payload: { apiKey }, remoteAddress })
}

async function newReferrer(ctx: TestApp): Promise<string> {
  const code = `R${randomBytes(4).toString('hex').toUpperCase()}`
  const [row] = await ctx.app.db.insert(referrers).values({ kind: 'partner', name: `Referrer ${code}`, code }).returning({ id: referrers.id })
  return row.id
}

/** `"api";r=4;t=60` → { r: 4, t: 60 } (the draft's RateLimit field, one policy). */
function remaining(header: unknown, policy: string): { r: number; t: number } {
  const item = String(header).split(/,\s*/).find((p) => p.startsWith(`"${policy}";`))
  const r = /;r=(\d+)/.exec(item ?? ''), tt = /;t=(\d+)/.exec(item ?? '')
  return { r: Number(r?.[1] ?? NaN), t: Number(tt?.[1] ?? NaN) }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

for (const kind of databaseKinds) await t.test(kind, async (t) => {
  await t.test('defaults: 300 wrong keys quickly get 401 for the first 20, then 429 with Retry-After; a good key elsewhere still works', async (t) => {
    const ctx = await buildTestApp(t, kind)
    const started = Date.now()
    const answers = await Promise.all(Array.from({ length: 300 }, (_, i) => tokenRequest(ctx.app, WRONG(i))))
    const statuses = answers.map((a) => a.statusCode)
    t.equal(statuses.filter((s) => s === 401).length, 20, 'exactly the allowance answered, even all at once')
    t.equal(statuses.filter((s) => s === 429).length, 280, `the rest refused (${Date.now() - started} ms for 300)`)
    const refused = answers.find((a) => a.statusCode === 429)!
    t.match(refused.headers['content-type'], /^application\/problem\+json/)
    t.match(refused.json(), { status: 429, code: 'CRM_ERR_RATE_LIMITED', detail: /^Too many failed requests from this address; retry in \d+ s$/ })
    const retryAfter = Number(refused.headers['retry-after'])
    t.ok(retryAfter > 0 && retryAfter <= 600, `Retry-After ${retryAfter}`)
    t.equal(refused.headers['ratelimit-policy'], '"auth-failures";q=20;w=600')
    t.same(remaining(refused.headers.ratelimit, 'auth-failures'), { r: 0, t: retryAfter })

    // Policy: once an address has spent its failures, no key works from it until the window ends
    // (a 200 for the right key would tell a guesser it found one); other addresses are unaffected,
    // and tokens already issued keep working (they are limited per key, not per address).
    const locked = await tokenRequest(ctx.app, ADMIN_KEY)
    t.equal(locked.statusCode, 429, 'the right key from the locked address too')
    t.ok(Number(locked.headers['retry-after']) > 0)
    const elsewhere = await tokenRequest(ctx.app, ADMIN_KEY, '203.0.113.9')
    t.equal(elsewhere.statusCode, 200, 'the right key from another address')
    t.equal((await ctx.rest(ctx.adminToken, 'GET', '/api/v1/customers')).statusCode, 200, 'an issued token still works')
    const inZh = await ctx.app.inject({ method: 'POST', url: TOKEN, payload: { apiKey: WRONG(0) }, headers: { 'accept-language': 'zh-CN' } })
    t.match(inZh.json(), { code: 'CRM_ERR_RATE_LIMITED', detail: /^来自此地址的失败请求过多；请在 \d+ 秒后重试$/ })
  })

  await t.test('failures are counted per address (IPv6 per /64); successes never count, so re-issuing tokens never locks out', async (t) => {
    const ctx = await buildTestApp(t, kind, { AUTH_FAILURE_LIMIT_PER_IP: '3' })
    for (let i = 0; i < 25; i++) t.equal((await tokenRequest(ctx.app, ADMIN_KEY)).statusCode, 200, `re-issue ${i + 1}`)
    const first = await tokenRequest(ctx.app, WRONG(1))
    t.equal(first.statusCode, 401)
    t.equal(first.headers['ratelimit-policy'], '"auth-failures";q=3;w=600')
    t.equal(remaining(first.headers.ratelimit, 'auth-failures').r, 2)
    t.equal((await tokenRequest(ctx.app, WRONG(2))).statusCode, 401)
    t.equal((await tokenRequest(ctx.app, ADMIN_KEY)).statusCode, 200, 'a success between failures neither counts nor resets')
    t.equal((await ctx.app.inject({ method: 'POST', url: TOKEN, payload: {} })).statusCode, 400, 'a malformed request is a failure too')
    t.equal((await tokenRequest(ctx.app, WRONG(3))).statusCode, 429)

    t.equal((await tokenRequest(ctx.app, WRONG(4), '2001:db8:1:2::1')).statusCode, 401)
    t.equal((await tokenRequest(ctx.app, WRONG(5), '2001:db8:1:2::ffff')).statusCode, 401)
    t.equal((await tokenRequest(ctx.app, WRONG(6), '2001:db8:1:2:aaaa::7')).statusCode, 401)
    t.equal((await tokenRequest(ctx.app, ADMIN_KEY, '2001:db8:1:2::9')).statusCode, 429, 'one /64 is one address')
    t.equal((await tokenRequest(ctx.app, ADMIN_KEY, '2001:db8:1:3::1')).statusCode, 200, 'the next /64 is another')
  })

  await t.test('referrer tokens: failed issuance is counted per address in its own bucket', async (t) => {
    const ctx = await buildTestApp(t, kind, { AUTH_FAILURE_LIMIT_PER_IP: '2' })
    const referrerId = await newReferrer(ctx)
    const issue = (id: string) => ctx.rest(ctx.adminToken, 'POST', '/api/v1/auth/referrer-token', { referrerId: id })
    for (let i = 0; i < 5; i++) t.equal((await issue(referrerId)).statusCode, 200)
    const missing = '01890000-0000-7000-8000-000000000000'
    t.equal((await issue(missing)).statusCode, 404)
    t.equal((await issue(missing)).statusCode, 404)
    const refused = await issue(referrerId)
    t.equal(refused.statusCode, 429)
    t.match(refused.headers['ratelimit-policy'], /"api";q=6000;w=60, "auth-failures";q=2;w=600/)
    t.equal((await tokenRequest(ctx.app, ADMIN_KEY)).statusCode, 200, '/auth/token counts apart')
  })

  await t.test('per key: REST and GraphQL spend one allowance, with RateLimit headers; then 429 on both; other keys are apart', async (t) => {
    const ctx = await buildTestApp(t, kind, { API_RATE_LIMIT_PER_KEY: '6', API_RATE_LIMIT_WINDOW_SECONDS: '60' })
    const token = await ctx.keyToken('admin')
    const seen: number[] = []
    for (let i = 0; i < 3; i++) {
      const res = await ctx.rest(token, 'GET', '/api/v1/customers')
      t.equal(res.statusCode, 200)
      t.equal(res.headers['ratelimit-policy'], '"api";q=6;w=60')
      seen.push(remaining(res.headers.ratelimit, 'api').r)
    }
    for (let i = 0; i < 2; i++) {
      const res = await ctx.app.inject({ method: 'POST', url: '/graphql', payload: { query: '{ customers { totalCount } }' }, headers: { authorization: `Bearer ${token}` } })
      t.equal(res.statusCode, 200)
      t.equal(res.headers['ratelimit-policy'], '"api";q=6;w=60')
      seen.push(remaining(res.headers.ratelimit, 'api').r)
    }
    t.same(seen, [5, 4, 3, 2, 1])
    const last = await ctx.rest(token, 'GET', '/api/v1/customers')
    t.equal(last.statusCode, 200)
    t.same(remaining(last.headers.ratelimit, 'api').r, 0)

    const rest = await ctx.rest(token, 'GET', '/api/v1/customers')
    t.equal(rest.statusCode, 429)
    t.match(rest.headers['content-type'], /^application\/problem\+json/)
    t.match(rest.json(), { status: 429, code: 'CRM_ERR_RATE_LIMITED', detail: /^Too many requests for this API key; retry in \d+ s$/ })
    const retryAfter = Number(rest.headers['retry-after'])
    t.ok(retryAfter > 0 && retryAfter <= 60, `Retry-After ${retryAfter}`)
    t.same(remaining(rest.headers.ratelimit, 'api'), { r: 0, t: retryAfter })
    const gql = await ctx.app.inject({ method: 'POST', url: '/graphql', payload: { query: '{ customers { totalCount } }' }, headers: { authorization: `Bearer ${token}` } })
    t.equal(gql.statusCode, 429)
    t.match(gql.json(), { data: null, errors: [{ message: /^Too many requests for this API key/, extensions: { code: 'RATE_LIMITED' } }] })
    t.ok(Number(gql.headers['retry-after']) > 0)

    t.equal((await ctx.rest(ctx.adminToken, 'GET', '/api/v1/customers')).statusCode, 200, 'another key has its own allowance')
    t.notOk((await ctx.app.inject({ method: 'GET', url: '/healthz' })).headers['ratelimit-policy'], 'public routes are not counted per key')
    t.equal((await tokenRequest(ctx.app, ADMIN_KEY)).statusCode, 200, 'token issuance is not the per-key limit')
  })

  await t.test('a re-issued token spends its key’s allowance; a referrer token spends its referrer’s', async (t) => {
    const ctx = await buildTestApp(t, kind, { API_RATE_LIMIT_PER_KEY: '3' })
    const secret = (await ctx.gql(ctx.adminToken, 'mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }', { i: { name: 'int', role: 'integration' } })).data.createApiKey.secret
    const one = await ctx.tokenFor(secret)
    t.equal((await ctx.rest(one, 'GET', '/api/v1/customers')).statusCode, 200)
    t.equal((await ctx.rest(one, 'GET', '/api/v1/customers')).statusCode, 200)
    const two = await ctx.tokenFor(secret)
    t.equal(remaining((await ctx.rest(two, 'GET', '/api/v1/customers')).headers.ratelimit, 'api').r, 0)
    t.equal((await ctx.rest(two, 'GET', '/api/v1/customers')).statusCode, 429, 'a new token does not reset the key')

    const referrerId = await newReferrer(ctx)
    const referrerToken = async () => (await ctx.rest(ctx.adminToken, 'POST', '/api/v1/auth/referrer-token', { referrerId })).json().accessToken as string
    const a = await referrerToken()
    const b = await referrerToken()
    for (const token of [a, b, a]) t.equal((await ctx.gql(token, '{ me { role } }')).status, 200)
    const over = await ctx.gql(b, '{ me { role } }')
    t.equal(over.status, 429)
    t.match(over.errors, [{ extensions: { code: 'RATE_LIMITED' } }])
  })

  await t.test('a limited request changes nothing: no row, no Idempotency-Key claimed', async (t) => {
    const ctx = await buildTestApp(t, kind, { API_RATE_LIMIT_PER_KEY: '2' })
    const token = await ctx.keyToken('admin')
    const count = async () => Number((await ctx.sql<{ n: string }>("select count(*) as n from customers where name like 'Limited%'"))[0].n)
    t.equal((await ctx.rest(token, 'GET', '/api/v1/customers')).statusCode, 200)
    t.equal((await ctx.rest(token, 'GET', '/api/v1/customers')).statusCode, 200)
    const rest = await ctx.rest(token, 'POST', '/api/v1/customers', { name: 'Limited REST' }, { 'idempotency-key': 'limited-1' })
    t.equal(rest.statusCode, 429)
    const gql = await ctx.gql(token, CUSTOMER, { i: { name: 'Limited GraphQL' } }, { 'idempotency-key': 'limited-2' })
    t.equal(gql.status, 429)
    const inline = await ctx.gql(token, 'mutation { createCustomer(input: { name: "Limited inline" }) { customer { id } } }')
    t.equal(inline.status, 429)
    t.equal(await count(), 0)
    t.same(await ctx.sql("select key from idempotency_keys where key like 'limited-%'"), [])
    t.equal((await ctx.sql("select count(*)::int as n from audit_entries where entity_type = 'customer'"))[0].n, 0)
  })

  await t.test('limits reset after the window', async (t) => {
    const ctx = await buildTestApp(t, kind, {
      API_RATE_LIMIT_PER_KEY: '2', API_RATE_LIMIT_WINDOW_SECONDS: '1',
      AUTH_FAILURE_LIMIT_PER_IP: '1', AUTH_FAILURE_WINDOW_SECONDS: '1'
    })
    const token = await ctx.keyToken('admin')
    t.equal((await ctx.rest(token, 'GET', '/api/v1/customers')).statusCode, 200)
    t.equal((await ctx.rest(token, 'GET', '/api/v1/customers')).statusCode, 200)
    const refused = await ctx.rest(token, 'GET', '/api/v1/customers')
    t.equal(refused.statusCode, 429)
    t.equal(refused.headers['retry-after'], '1')
    t.equal((await tokenRequest(ctx.app, WRONG(1))).statusCode, 401)
    t.equal((await tokenRequest(ctx.app, WRONG(2))).statusCode, 429)
    await sleep(1100)
    const after = await ctx.rest(token, 'GET', '/api/v1/customers')
    t.equal(after.statusCode, 200)
    t.equal(remaining(after.headers.ratelimit, 'api').r, 1, 'a fresh window')
    t.equal((await tokenRequest(ctx.app, WRONG(3))).statusCode, 401, 'a fresh failure window')
    t.equal((await tokenRequest(ctx.app, ADMIN_KEY)).statusCode, 429, 'spent again')
  })

  await t.test('0 turns a limit off: no headers, no 429', async (t) => {
    const ctx = await buildTestApp(t, kind, { API_RATE_LIMIT_PER_KEY: '0', AUTH_FAILURE_LIMIT_PER_IP: '0' })
    for (let i = 0; i < 30; i++) t.equal((await tokenRequest(ctx.app, WRONG(i))).statusCode, 401)
    const res = await ctx.rest(ctx.adminToken, 'GET', '/api/v1/customers')
    t.equal(res.statusCode, 200)
    t.notOk(res.headers['ratelimit-policy'])
    t.notOk(res.headers.ratelimit)
  })

  if (kind === 'postgres') {
    await t.test('two processes on one database share the counts', async (t) => {
      const url = await freshPostgresDatabase(t)
      const config = loadConfig({
        DATA_DIR: 'memory://', DATABASE_URL: url, DATABASE_POOL_SIZE: '4', BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
        JWT_SECRET: 'test-jwt-secret-that-is-long-enough-0123456789', PII_KEY: randomBytes(32).toString('base64'), LOG_LEVEL: 'silent',
        JOBS_ENABLED: 'false', WEBHOOK_WORKER_ENABLED: 'false', MESSAGE_WORKER_ENABLED: 'false', JOURNEY_WORKER_ENABLED: 'false',
        API_RATE_LIMIT_PER_KEY: '4', AUTH_FAILURE_LIMIT_PER_IP: '3'
      })
      const a = await buildApp({ config, logger: false })
      t.teardown(() => a.close())
      const b = await buildApp({ config, logger: false })
      t.teardown(() => b.close())
      const token = (await tokenRequest(a, ADMIN_KEY)).json().accessToken as string
      const get = (app: FastifyInstance) => app.inject({ method: 'GET', url: '/api/v1/customers', headers: { authorization: `Bearer ${token}` } })
      t.same([(await get(a)).statusCode, (await get(b)).statusCode, (await get(a)).statusCode], [200, 200, 200])
      t.equal(remaining((await get(b)).headers.ratelimit, 'api').r, 0, 'B sees A’s requests')
      t.equal((await get(a)).statusCode, 429)
      t.equal((await get(b)).statusCode, 429)

      t.equal((await tokenRequest(a, WRONG(1))).statusCode, 401)
      t.equal((await tokenRequest(b, WRONG(2))).statusCode, 401)
      t.equal((await tokenRequest(a, WRONG(3))).statusCode, 401)
      t.equal((await tokenRequest(b, WRONG(4))).statusCode, 429, 'failures on A count on B')
      t.equal((await tokenRequest(a, ADMIN_KEY)).statusCode, 429)
    })
  }
})
