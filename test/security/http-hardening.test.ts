import t from 'tap'
import type { LightMyRequestResponse } from 'fastify'
import { forEachDatabase, type TestApp } from '../helper.js'
import { loadConfig, graphiqlEnabled, graphqlSuggestions } from '../../src/config.js'
import { graphiqlAssets } from '../../src/http/graphiql-page.js'

/** Every answer a client can get, each kind once: REST, GraphQL, problems, 401, 404, the docs and GraphiQL pages. */
async function answers(ctx: TestApp, headers: Record<string, string> = {}): Promise<[string, LightMyRequestResponse][]> {
  const auth: Record<string, string> = { authorization: `Bearer ${ctx.adminToken}`, ...headers }
  const inject = (method: 'GET' | 'POST', url: string, payload?: unknown, h: Record<string, string> = auth) => ctx.app.inject({ method, url, payload: payload as string, headers: h })
  const docs = await inject('GET', '/docs', undefined, headers)
  return [
    ['REST list', await inject('GET', '/api/v1/customers')],
    ['REST create', await inject('POST', '/api/v1/customers', { name: 'Headers' })],
    ['GraphQL', await inject('POST', '/graphql', { query: '{ customers(first: 1) { totalCount } }' })],
    ['GraphQL error', await inject('POST', '/graphql', { query: '{ nope }' })],
    ['problem 400', await inject('GET', '/api/v1/customers/not-a-uuid')],
    ['problem 401', await inject('GET', '/api/v1/customers', undefined, headers)],
    ['404', await inject('GET', '/no/such/route', undefined, headers)],
    ['token', await inject('POST', '/api/v1/auth/token', { apiKey: 'wrong-key-0000000000000000' }, headers)],
    ['health', await inject('GET', '/healthz', undefined, headers)],
    ['openapi.json', await inject('GET', '/openapi.json', undefined, headers)],
    ['/docs', docs],
    ['/docs page', docs.statusCode === 302 ? await inject('GET', docs.headers.location as string, undefined, headers) : docs],
    ['/graphiql', await inject('GET', '/graphiql', undefined, headers)]
  ]
}

await forEachDatabase(t, async (t, ctx) => {
  await t.test('every answer carries nosniff, a Referrer-Policy and a CSP; no HSTS over plain HTTP', async (t) => {
    for (const [label, res] of await answers(ctx)) {
      t.equal(res.headers['x-content-type-options'], 'nosniff', `${label} (${res.statusCode}): nosniff`)
      t.equal(res.headers['referrer-policy'], 'no-referrer', `${label}: Referrer-Policy`)
      t.match(res.headers['content-security-policy'], /default-src '(none|self)'/, `${label}: CSP`)
      t.match(res.headers['x-frame-options'], /SAMEORIGIN|DENY/, `${label}: X-Frame-Options`)
      t.notOk(res.headers['strict-transport-security'], `${label}: no HSTS over plain HTTP`)
    }
  })

  await t.test('an API answer may load nothing; the pages get what they need', async (t) => {
    const got = Object.fromEntries(await answers(ctx))
    t.match(got['REST list'].headers['content-security-policy'], /^default-src 'none';.*frame-ancestors 'none'/)
    t.match(got.GraphQL.headers['content-security-policy'], /^default-src 'none'/)
    const docs = got['/docs page']
    t.equal(docs.statusCode, 200)
    t.match(docs.headers['content-security-policy'], /script-src 'self'/, 'Swagger UI: its own scripts')
    const gi = got['/graphiql']
    t.equal(gi.statusCode, 200)
    const csp = gi.headers['content-security-policy'] as string
    t.match(csp, /script-src 'self' https:\/\/unpkg\.com;/, 'GraphiQL: this server and the pinned asset origin only')
    t.match(csp, /connect-src 'self'/)
    t.notMatch(csp, /unsafe-eval/)
    t.notMatch(csp, /script-src[^;]*unsafe-inline/, 'no inline script allowed')
  })

  await t.test('GraphiQL\'s assets are pinned with Subresource Integrity; its own script is served here', async (t) => {
    const page = (await ctx.app.inject({ method: 'GET', url: '/graphiql' })).body
    const external = [...page.matchAll(/<(?:script src|link rel="stylesheet" href)="(https?:[^"]+)"([^>]*)>/g)]
    t.equal(external.length, graphiqlAssets.js.length + graphiqlAssets.css.length)
    for (const [, url, rest] of external) {
      t.match(rest, /integrity="sha384-[A-Za-z0-9+/]{64}" crossorigin="anonymous"/, `${url} has an integrity hash`)
      t.match(url, /@\d+\.\d+\.\d+\//, `${url} names an exact version`)
    }
    t.notMatch(page, /<script>/, 'no inline script')
    t.match(page, /<script src="\/graphiql\/main\.js"><\/script>/)
    const main = await ctx.app.inject({ method: 'GET', url: '/graphiql/main.js' })
    t.equal(main.statusCode, 200)
    t.match(main.headers['content-type'], /^text\/javascript/)
    t.match(main.body, /GraphiQL\.createFetcher/)
    t.notMatch(main.body, /unpkg|esm\.sh/, 'nothing fetched from elsewhere at run time')
  })

  await t.test('development: GraphQL suggests the field meant', async (t) => {
    const r = await ctx.gql(ctx.adminToken, '{ customers(first: 1) { edges { node { nmae } } } }')
    t.match(r.errors?.[0]?.message, /Did you mean "name"\?/)
  })
})

await t.test('behind TLS (X-Forwarded-Proto: https with TRUST_PROXY) every answer carries Strict-Transport-Security', async (t) => {
  await forEachDatabase(t, async (t, ctx) => {
    for (const [label, res] of await answers(ctx, { 'x-forwarded-proto': 'https' })) {
      t.equal(res.headers['strict-transport-security'], 'max-age=15552000; includeSubDomains', label)
    }
  }, { TRUST_PROXY: 'true' })
})

t.test('without TRUST_PROXY a client\'s X-Forwarded-Proto is not believed', async (t) => {
  await forEachDatabase(t, async (t, ctx) => {
    const res = await ctx.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-forwarded-proto': 'https' } })
    t.notOk(res.headers['strict-transport-security'])
  })
})

await t.test('production: GraphiQL is off and GraphQL suggests nothing, unless configured', async (t) => {
  await forEachDatabase(t, async (t, ctx) => {
    for (const url of ['/graphiql', '/graphiql/main.js']) {
      const res = await ctx.app.inject({ method: 'GET', url })
      t.equal(res.statusCode, 404, `${url}: 404`)
      t.equal(res.headers['x-content-type-options'], 'nosniff')
    }
    const queries = [
      '{ customers(first: 1) { edges { node { nmae } } } }',
      '{ custmers(first: 1) { totalCount } }',
      'mutation { createCustomer(input: { nmae: "x" }) { customer { id } } }'
    ]
    for (const q of queries) {
      const r = await ctx.gql(ctx.adminToken, q)
      t.ok(r.errors?.length, q)
      t.notMatch(JSON.stringify(r.errors), /Did you mean|"name"|"customers"/, `${q}: no suggestion`)
    }
    const v = await ctx.gql(ctx.adminToken, 'mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } } }', { i: { nmae: 'x' } })
    t.notMatch(JSON.stringify(v.errors), /Did you mean/, 'variables: no suggestion')
    const zh = await ctx.app.inject({ method: 'POST', url: '/graphql', headers: { authorization: `Bearer ${ctx.adminToken}`, 'accept-language': 'zh-CN' }, payload: { query: queries[0] } })
    t.notMatch(zh.body, /Did you mean/)
  }, { NODE_ENV: 'production' })

  await forEachDatabase(t, async (t, ctx) => {
    t.equal((await ctx.app.inject({ method: 'GET', url: '/graphiql' })).statusCode, 200, 'GRAPHIQL_ENABLED=true turns it on')
    t.match((await ctx.gql(ctx.adminToken, '{ customers(first: 1) { edges { node { nmae } } } }')).errors?.[0]?.message, /Did you mean "name"/, 'GRAPHQL_SUGGESTIONS=true too')
  }, { NODE_ENV: 'production', GRAPHIQL_ENABLED: 'true', GRAPHQL_SUGGESTIONS: 'true' })
})

t.test('the switches follow NODE_ENV unless set', async (t) => {
  t.equal(graphiqlEnabled(loadConfig({})), true)
  t.equal(graphqlSuggestions(loadConfig({})), true)
  t.equal(graphiqlEnabled(loadConfig({ NODE_ENV: 'production' })), false)
  t.equal(graphqlSuggestions(loadConfig({ NODE_ENV: 'production' })), false)
  t.equal(graphiqlEnabled(loadConfig({ GRAPHIQL_ENABLED: 'false' })), false)
  t.equal(graphqlSuggestions(loadConfig({ NODE_ENV: 'production', GRAPHQL_SUGGESTIONS: 'true' })), true)
  t.throws(() => loadConfig({ GRAPHIQL_ASSETS_URL: 'javascript:alert(1)' }), /GRAPHIQL_ASSETS_URL/)
})
