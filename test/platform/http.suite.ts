import t from 'tap'
import { buildTestApp, databaseKinds } from '../helper.js'

const PROBLEM = /^application\/problem\+json/

for (const kind of databaseKinds) await t.test(kind, async (t) => {
  const ctx = await buildTestApp(t, kind)

  await t.test('GET /healthz answers 200 without a token', async (t) => {
    const res = await ctx.app.inject({ method: 'GET', url: '/healthz' })
    t.equal(res.statusCode, 200)
    t.same(res.json(), { status: 'ok' })
  })

  await t.test('GET /readyz answers 200 and names the database kind', async (t) => {
    const res = await ctx.app.inject({ method: 'GET', url: '/readyz' })
    t.equal(res.statusCode, 200)
    t.same(res.json(), { status: 'ready', database: kind })
  })

  await t.test('GET /metrics is Prometheus text with HTTP latency and SQL counts', async (t) => {
    await ctx.rest(ctx.adminToken, 'GET', '/api/v1/customers')
    const res = await ctx.app.inject({ method: 'GET', url: '/metrics' })
    t.equal(res.statusCode, 200)
    t.match(res.headers['content-type'], /^text\/plain/)
    t.match(res.body, /^# TYPE http_request_duration_seconds histogram$/m)
    t.match(res.body, /^http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/customers",status="200"\} \d+$/m)
    t.match(res.body, /^# TYPE db_queries_total counter$/m)
    const queries = Number(/^db_queries_total (\d+)$/m.exec(res.body)?.[1])
    t.ok(queries > 0, 'counts SQL statements')
    t.match(res.body, /^process_cpu_user_seconds_total /m)
  })

  await t.test('an unknown route is a 404 problem', async (t) => {
    const res = await ctx.rest(ctx.adminToken, 'GET', '/api/v1/no-such-thing')
    t.equal(res.statusCode, 404)
    t.match(res.headers['content-type'], PROBLEM)
    t.match(res.json(), { status: 404, code: 'CRM_ERR_NOT_FOUND', detail: 'No route GET /api/v1/no-such-thing' })
    const anonymous = await ctx.app.inject({ method: 'GET', url: '/nothing-here?x=1' })
    t.equal(anonymous.statusCode, 404)
    t.match(anonymous.headers['content-type'], PROBLEM)
  })

  await t.test('a malformed JSON body is a 400 problem, not a 500', async (t) => {
    const res = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/customers', '{"name": "broken', { 'content-type': 'application/json' })
    t.equal(res.statusCode, 400)
    t.match(res.headers['content-type'], PROBLEM)
    t.equal(res.json().code, 'CRM_ERR_VALIDATION')
    const empty = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/customers', '', { 'content-type': 'application/json' })
    t.equal(empty.statusCode, 400)
    t.match(empty.headers['content-type'], PROBLEM)
  })

  await t.test('a body of the wrong content type is a 415 problem', async (t) => {
    const res = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/customers', 'name=x', { 'content-type': 'application/x-www-form-urlencoded' })
    t.equal(res.statusCode, 415)
    t.match(res.headers['content-type'], PROBLEM)
    t.match(res.json(), { status: 415, code: 'CRM_ERR_UNSUPPORTED_MEDIA_TYPE' })
  })

  await t.test('a body over the size limit is a 413 problem', async (t) => {
    const res = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/customers', JSON.stringify({ name: 'x'.repeat(1_100_000) }), { 'content-type': 'application/json' })
    t.equal(res.statusCode, 413)
    t.match(res.headers['content-type'], PROBLEM)
    t.match(res.json(), { status: 413, code: 'CRM_ERR_PAYLOAD_TOO_LARGE' })
  })

  await t.test('an unknown field in a REST body is a 400 naming the field', async (t) => {
    const res = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/customers', { name: 'Field Test', favouriteColour: 'blue' })
    t.equal(res.statusCode, 400)
    t.match(res.headers['content-type'], PROBLEM)
    t.match(res.json(), { code: 'CRM_ERR_VALIDATION', errors: [{ field: 'favouriteColour', message: 'is not a known field' }] })
  })

  await t.test('a malformed id in a REST path is a 400 or 404, never a 500', async (t) => {
    const res = await ctx.rest(ctx.adminToken, 'GET', '/api/v1/customers/not-a-uuid')
    t.ok([400, 404].includes(res.statusCode), `got ${res.statusCode}`)
    t.match(res.headers['content-type'], PROBLEM)
  })

  await t.test('a GraphQL syntax error is a 400 with BAD_USER_INPUT', async (t) => {
    const r = await ctx.gql(ctx.adminToken, '{ me { role ')
    t.equal(r.status, 400)
    t.match(r.errors, [{ message: /Syntax Error/, extensions: { code: 'BAD_USER_INPUT' } }])
  })

  await t.test('a GraphQL query for an unknown field is a 400 with BAD_USER_INPUT', async (t) => {
    const r = await ctx.gql(ctx.adminToken, '{ me { shoeSize } }')
    t.equal(r.status, 400)
    t.match(r.errors, [{ extensions: { code: 'BAD_USER_INPUT' } }])
  })

  await t.test('a malformed JSON body on /graphql is a 400, not a 500', async (t) => {
    const res = await ctx.rest(ctx.adminToken, 'POST', '/graphql', '{"query": ', { 'content-type': 'application/json' })
    t.equal(res.statusCode, 400)
    t.match(res.json(), { errors: [{ extensions: { code: 'BAD_USER_INPUT' } }] })
  })

  await t.test('a POST to /graphql without a query is a 400', async (t) => {
    const res = await ctx.rest(ctx.adminToken, 'POST', '/graphql', {})
    t.equal(res.statusCode, 400)
    t.match(res.json(), { errors: [{ extensions: { code: 'BAD_USER_INPUT' } }] })
  })

  await t.test('an over-deep GraphQL query is refused, not run', async (t) => {
    const deep = `{ me { user { team { members { team { members { team { members { team { members { team { members { team { members { id } } } } } } } } } } } } } } }`
    const r = await ctx.gql(ctx.adminToken, deep)
    t.equal(r.status, 400)
    t.match(r.errors, [{ extensions: { code: 'BAD_USER_INPUT' } }])
  })

  await t.test('every response carries an x-request-id, echoing a sane given one', async (t) => {
    const fresh = await ctx.app.inject({ method: 'GET', url: '/healthz' })
    t.match(fresh.headers['x-request-id'], /^[0-9a-f-]{36}$/)
    const given = await ctx.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'req-abc.123:xyz' } })
    t.equal(given.headers['x-request-id'], 'req-abc.123:xyz')
    const refused = await ctx.rest(null, 'GET', '/api/v1/customers', undefined, { 'x-request-id': 'trace-401' })
    t.equal(refused.statusCode, 401)
    t.equal(refused.headers['x-request-id'], 'trace-401')
    const gql = await ctx.rest(ctx.adminToken, 'POST', '/graphql', { query: '{ me { role } }' }, { 'x-request-id': 'trace-gql' })
    t.equal(gql.headers['x-request-id'], 'trace-gql')
    const hostile = await ctx.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'bad id\twith spaces' } })
    t.not(hostile.headers['x-request-id'], 'bad id\twith spaces')
    t.match(hostile.headers['x-request-id'], /^[0-9a-f-]{36}$/)
  })

  await t.test('an unexpected failure is a 500 that hides its internals, on REST and GraphQL', async (t) => {
    const users = ctx.app.services.users
    const original = users.listTeams
    users.listTeams = async () => { throw new Error('connection refused: secret-host:5432') }
    try {
      const rest = await ctx.rest(ctx.adminToken, 'GET', '/api/v1/teams')
      t.equal(rest.statusCode, 500)
      t.match(rest.headers['content-type'], PROBLEM)
      t.match(rest.json(), { status: 500, code: 'CRM_ERR_INTERNAL', detail: 'An internal error occurred' })
      t.notMatch(rest.body, 'secret-host')
      const gql = await ctx.gql(ctx.adminToken, '{ teams { id } }')
      t.match(gql.errors, [{ extensions: { code: 'INTERNAL' } }])
      t.notMatch(JSON.stringify(gql), 'secret-host')
    } finally {
      users.listTeams = original
    }
  })

  await t.test('GET /readyz answers 503 when the database does not answer, with the reason but no details', async (t) => {
    const database = ctx.app.database
    const original = database.raw
    database.raw = async () => { throw Object.assign(new Error('connect ECONNREFUSED secret-host:5432'), { code: 'ECONNREFUSED' }) }
    try {
      const res = await ctx.app.inject({ method: 'GET', url: '/readyz' })
      t.equal(res.statusCode, 503)
      t.same(res.json(), { status: 'unavailable', database: kind, reason: 'database_unreachable' })
    } finally {
      database.raw = original
    }
  })
})
