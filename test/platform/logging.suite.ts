import { randomBytes } from 'node:crypto'
import t from 'tap'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { redactQuery } from '../../src/lib/log-safety.js'

const ADMIN_KEY = 'crm_logging_test_admin_key_0123456789'
const PHONE = '13912345678'
const EMAIL = 'private.person@example.com'

// Every line the app logs, as written.
const lines: string[] = []
const stream = { write: (line: string) => { lines.push(line) } }
const logged = () => lines.join('')

await t.test('logging keeps personal data and secrets out', async (t) => {
  const config = loadConfig({
    DATA_DIR: 'memory://', BOOTSTRAP_ADMIN_KEY: ADMIN_KEY, LOG_LEVEL: 'trace',
    JWT_SECRET: 'test-jwt-secret-that-is-long-enough-0123456789', PII_KEY: randomBytes(32).toString('base64')
  })
  const app = await buildApp({ config, logger: { stream } })
  t.teardown(() => app.close())

  const token: string = (await app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { apiKey: ADMIN_KEY } })).json().accessToken
  const auth = { authorization: `Bearer ${token}` }

  t.test('requests carrying a phone and an email leave neither in the logs', async (t) => {
    lines.length = 0
    const created = await app.inject({ method: 'POST', url: '/api/v1/customers', headers: auth, payload: { name: 'Log Test', phone: PHONE, email: EMAIL } })
    t.equal(created.statusCode, 201)
    await app.inject({ method: 'GET', url: `/api/v1/customers?search=${PHONE}`, headers: auth })
    await app.inject({ method: 'GET', url: `/api/v1/customers?search=${encodeURIComponent(EMAIL)}&limit=5`, headers: auth })
    await app.inject({ method: 'POST', url: '/api/v1/customers', headers: auth, payload: { name: 'Dup', phone: PHONE, email: EMAIL, unknownField: PHONE } })
    await app.inject({
      method: 'POST', url: '/graphql', headers: auth,
      payload: { query: 'mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } } }', variables: { i: { name: 'Gql Log', phone: PHONE, email: EMAIL } } }
    })
    t.ok(lines.length > 5, 'requests were logged')
    t.notMatch(logged(), PHONE)
    t.notMatch(logged(), EMAIL)
    t.notMatch(logged(), encodeURIComponent(EMAIL))
    t.match(logged(), /search=\[redacted\]&limit=5/, 'the rest of the URL stays readable')
  })

  t.test('objects logged with phone or email fields are redacted at any depth', async (t) => {
    lines.length = 0
    app.log.info({ phone: PHONE, email: EMAIL, customer: { phone: PHONE, email: EMAIL }, event: { data: { referral: { phone: PHONE, email: EMAIL } } } }, 'an event')
    app.log.info({ apiKey: ADMIN_KEY, body: { apiKey: ADMIN_KEY } }, 'a key')
    t.notMatch(logged(), PHONE)
    t.notMatch(logged(), EMAIL)
    t.notMatch(logged(), ADMIN_KEY)
    t.match(logged(), '[redacted]')
  })

  t.test('neither the bearer token nor the API key reach the logs', async (t) => {
    lines.length = 0
    await app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { apiKey: ADMIN_KEY } })
    await app.inject({ method: 'GET', url: '/api/v1/customers', headers: auth })
    await app.inject({ method: 'GET', url: '/api/v1/customers', headers: { authorization: 'Bearer secret.looking.token' } })
    t.notMatch(logged(), token)
    t.notMatch(logged(), ADMIN_KEY)
    t.notMatch(logged(), 'secret.looking.token')
  })

  t.test('each request is logged with its request id', async (t) => {
    lines.length = 0
    const res = await app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'trace-me-123' } })
    t.equal(res.headers['x-request-id'], 'trace-me-123')
    const entries = lines.map((l) => JSON.parse(l))
    t.ok(entries.some((e) => e.reqId === 'trace-me-123' && e.req?.url === '/healthz'), 'incoming request logged with reqId')
    t.ok(entries.some((e) => e.reqId === 'trace-me-123' && e.res?.statusCode === 200), 'completed request logged with reqId')
  })

  t.test('a refused request is logged with its request id and error code', async (t) => {
    lines.length = 0
    await app.inject({ method: 'GET', url: '/api/v1/customers', headers: { 'x-request-id': 'refused-1' } })
    const entries = lines.map((l) => JSON.parse(l))
    t.ok(entries.some((e) => e.reqId === 'refused-1' && e.code === 'CRM_ERR_UNAUTHENTICATED'))
  })

  t.test('redactQuery keeps paging parameters and hides personal ones', async (t) => {
    t.equal(redactQuery('/api/v1/customers'), '/api/v1/customers')
    t.equal(redactQuery('/x?limit=10&cursor=abc'), '/x?limit=10&cursor=abc')
    t.equal(redactQuery('/x?search=Zhang&limit=10'), '/x?search=[redacted]&limit=10')
    t.equal(redactQuery('/x?phone=138&email=a'), '/x?phone=[redacted]&email=[redacted]')
    t.equal(redactQuery('/x?note=a%40b.com'), '/x?note=[redacted]')
    t.equal(redactQuery('/x?id=110101199003077777'), '/x?id=[redacted]')
    t.equal(redactQuery('/x?flag&bad=%E0%A4%A'), '/x?flag&bad=%E0%A4%A')
  })
})
