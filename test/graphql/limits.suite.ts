import t, { type Test } from 'tap'
import { getIntrospectionQuery } from 'graphql'
import { buildTestApp, databaseKinds, type GqlResult } from '../helper.js'
import { createReferrer, referrerToken } from '../modules/referrals/support.js'

const PAGE = 'customers(first: 200) { edges { node { id name phone email } } }'
const aliases = (n: number, field: string): string => Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(' ')

/** Refused before execution: 400, BAD_USER_INPUT with the reason and the limit, and no SQL ran. */
function refused(t: Test, r: GqlResult, reason: string, queriesBefore: number, queriesAfter: number): void {
  t.equal(r.status, 400, `${reason}: HTTP 400`)
  t.equal(r.data ?? null, null, 'no data')
  t.match(r.errors?.[0], { extensions: { code: 'BAD_USER_INPUT', reason, limit: Number, found: Number } }, JSON.stringify(r.errors))
  t.match(r.errors?.[0].message, /the limit is \d+/)
  t.equal(queriesAfter, queriesBefore, 'refused before any SQL ran')
}


for (const kind of databaseKinds) await t.test(kind, async (t) => {
  const ctx = await buildTestApp(t, kind)
  const sales = await ctx.staff('sales', { teamId: await ctx.createTeam() })
  const marketing = await ctx.staff('marketing')
  /** The request, and whether it ran SQL. */
  const send = async (token: string, query: string, variables?: Record<string, unknown>) => {
    const before = ctx.queries
    const r = await ctx.gql(token, query, variables)
    return { r, before, after: ctx.queries }
  }

  await t.test('getIntrospectionQuery() answers for every role; without a token it is still 401', async (t) => {
    const referrer = await createReferrer(ctx, { kind: 'partner', name: 'Introspecting partner' })
    const tokens: Record<string, string> = { admin: ctx.adminToken, sales: sales.token, marketing: marketing.token, referrer: await referrerToken(ctx, referrer.id) }
    for (const role of ['manager', 'service']) tokens[role] = (await ctx.staff(role)).token
    tokens.integration = await ctx.keyToken('integration')
    for (const [role, token] of Object.entries(tokens)) {
      const r = await ctx.gql(token, getIntrospectionQuery())
      t.equal(r.status, 200, role)
      t.same(r.errors, undefined, role)
      t.ok(r.data.__schema.types.some((type: { name: string }) => type.name === 'Customer'), `${role} reads the schema`)
    }
    t.equal((await ctx.gql(null, getIntrospectionQuery())).status, 401)
  })

  await t.test('introspection abuse: nested type lists are refused by graphql, many __schema by the cost', async (t) => {
    const deep = await ctx.gql(sales.token, '{ __schema { types { fields { type { fields { type { fields { type { fields { name } } } } } } } } } }')
    t.equal(deep.status, 400)
    const many = await send(sales.token, `{ ${aliases(20, '__schema { types { name } }')} }`)
    refused(t, many.r, 'QUERY_TOO_COMPLEX', many.before, many.after)
  })

  await t.test('2,000 aliases of a 200-customer page are refused before execution, for marketing and sales', async (t) => {
    for (const token of [marketing.token, sales.token]) {
      const { r, before, after } = await send(token, `{ ${aliases(2000, PAGE)} }`)
      refused(t, r, 'TOO_MANY_ALIASES', before, after)
    }
  })

  await t.test('aliases hidden in named and inline fragments count where they are spread', async (t) => {
    const named = await send(sales.token, `{ customers(first: 1) { ...Many } } fragment Many on CustomerConnection { ${aliases(60, 'edges { node { id } }')} }`)
    refused(t, named.r, 'TOO_MANY_ALIASES', named.before, named.after)
    const inline = await send(sales.token, `{ ... on Query { ${aliases(60, 'customers(first: 1) { totalCount }')} } }`)
    refused(t, inline.r, 'TOO_MANY_ALIASES', inline.before, inline.after)
    // Each level spreads the one below twice: 2^20 copies of two aliases.
    const levels = Array.from({ length: 20 }, (_, i) => `fragment F${i + 1} on Customer { ...F${i} x${i}: referrer { ...F${i} } }`).join(' ')
    const bomb = await send(sales.token, `{ customers(first: 1) { edges { node { ...F20 } } } } fragment F0 on Customer { p: id q: name } ${levels}`)
    t.equal(bomb.r.status, 400)
    t.equal(bomb.after, bomb.before, 'a fragment bomb never runs')
    const cycle = await send(sales.token, '{ customers(first: 1) { edges { node { ...A } } } } fragment A on Customer { referrer { ...B } } fragment B on Referrer { customer { ...A } }')
    t.equal(cycle.r.status, 400, 'a fragment cycle is a 400, not a hang')
    t.equal(cycle.r.errors?.[0].extensions?.code, 'BAD_USER_INPUT')
  })

  await t.test('a page of pages over the cost limit is refused, with no alias at all', async (t) => {
    const { r, before, after } = await send(marketing.token, '{ referrers(first: 200) { edges { node { id referrals(first: 200) { edges { node { id name status } } } } } } }')
    refused(t, r, 'QUERY_TOO_COMPLEX', before, after)
  })

  await t.test('200 aliased createCustomer mutations are refused and write nothing', async (t) => {
    const count = async () => (await ctx.sql<{ n: number }>('select count(*)::int as n from customers'))[0].n
    const customers = await count()
    const { r, before, after } = await send(ctx.adminToken, `mutation { ${aliases(200, 'createCustomer(input: { name: "Spam" }) { customer { id } }')} }`)
    refused(t, r, 'TOO_MANY_MUTATIONS', before, after)
    const viaFragment = await send(ctx.adminToken, `mutation { ...W } fragment W on Mutation { ${aliases(11, 'createCustomer(input: { name: "Spam" }) { customer { id } }')} }`)
    t.match(viaFragment.r.errors?.[0].extensions, { reason: 'TOO_MANY_MUTATIONS' }, 'counted through a fragment too')
    t.equal(await count(), customers, 'nothing written')
    const few = await ctx.gql(ctx.adminToken, `mutation { ${aliases(3, 'createCustomer(input: { name: "Fine" }) { customer { id } }')} }`)
    t.equal(few.status, 200, 'a few mutations in one request still run')
  })

  await t.test('a legitimate nested page runs', async (t) => {
    const r = await ctx.gql(sales.token, `{ customers(first: 50) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node {
      id name phone email owner { id name } referrer { id name } activities(first: 5) { id kind occurredAt }
      opportunities { id name } orders(first: 20) { edges { node { id amount { amount currency } } } } } } } }`)
    t.equal(r.status, 200)
    t.same(r.errors, undefined)
  })

  await t.test('the same query text is counted again for each request\'s $first (parse cache and graphql-jit)', async (t) => {
    // 45 × (customers + edges + $n × (node + 5 fields)): 360 for 1, 13,590 for 50, 54,090 for 200.
    const query = `query($n: Int) { ${aliases(45, 'customers(first: $n) { edges { node { id name phone email company } } }')} }`
    for (let i = 0; i < 3; i++) t.equal((await ctx.gql(sales.token, query, { n: 1 })).status, 200, `small $n, run ${i + 1}`)
    const huge = await send(sales.token, query, { n: 200 })
    refused(t, huge.r, 'QUERY_TOO_COMPLEX', huge.before, huge.after)
    t.equal((await ctx.gql(sales.token, query, { n: 1 })).status, 200, 'small $n again')
    t.equal((await ctx.gql(sales.token, query, {})).status, 200, 'no $n: the default page of 50')
    const defaulted = await send(sales.token, query.replace('$n: Int', '$n: Int = 200'))
    refused(t, defaulted.r, 'QUERY_TOO_COMPLEX', defaulted.before, defaulted.after)
    const skipped = await ctx.gql(sales.token, `query($n: Int, $all: Boolean!) { ${aliases(45, 'customers(first: $n) @include(if: $all) { edges { node { id } } }')} }`, { n: 200, all: false })
    t.equal(skipped.status, 200, '@include(if: false) parts cost nothing')
  })

  await t.test('the limits come from the configuration', async (t) => {
    const strict = await buildTestApp(t, kind, { GRAPHQL_MAX_COST: '100', GRAPHQL_MAX_ALIASES: '1', GRAPHQL_MAX_MUTATIONS: '1', GRAPHQL_MAX_DEPTH: '4' })
    const cost = await strict.gql(strict.adminToken, '{ customers(first: 50) { edges { node { id } } } }')
    t.match(cost.errors?.[0].extensions, { reason: 'QUERY_TOO_COMPLEX', limit: 100, found: 102 })
    t.match((await strict.gql(strict.adminToken, '{ a: customers(first: 1) { totalCount } b: customers(first: 1) { totalCount } }')).errors?.[0].extensions, { reason: 'TOO_MANY_ALIASES', limit: 1, found: 2 })
    t.match((await strict.gql(strict.adminToken, '{ customers(first: 1) { edges { node { owner { id } } } } }')).errors?.[0].extensions, { reason: 'QUERY_TOO_DEEP', limit: 4, found: 5 })
    t.match((await strict.gql(strict.adminToken, 'mutation { createTeam(input: { name: "a" }) { team { id } } createUser(input: { name: "b", role: sales }) { user { id } } }')).errors?.[0].extensions, { reason: 'TOO_MANY_MUTATIONS', limit: 1, found: 2 })
    t.equal((await strict.gql(strict.adminToken, getIntrospectionQuery())).status, 400, 'introspection costs 5,000 over a limit of 100')
  })
})
