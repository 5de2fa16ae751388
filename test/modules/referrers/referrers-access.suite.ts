import t from 'tap'
import { forEachDatabase, type GqlResult } from '../../helper.js'

const CREATE = `mutation($i: CreateReferrerInput!) { createReferrer(input: $i) { referrer { id code phone owner { id } } userErrors { field message code } } }`
const GET = 'query($id: ID!) { referrer(id: $id) { id name phone owner { id } } }'
const LIST = '{ referrers(first: 200) { totalCount edges { node { id } } } }'
const ids = (r: GqlResult) => r.data.referrers.edges.map((e: { node: { id: string } }) => e.node.id)

await forEachDatabase(t, async (t, ctx) => {
  const north = await ctx.createTeam('North')
  const south = await ctx.createTeam('South')
  const alice = await ctx.staff('sales', { teamId: north, name: 'Alice' })
  const bob = await ctx.staff('sales', { teamId: north, name: 'Bob' })
  const carol = await ctx.staff('sales', { teamId: south, name: 'Carol' })
  const marketing = await ctx.staff('marketing', { teamId: south })

  const make = async (token: string, i: Record<string, unknown>) => {
    const r = await ctx.gql(token, CREATE, { i })
    t.same(r.data.createReferrer.userErrors, [])
    return r.data.createReferrer.referrer as { id: string; code: string; phone: string | null; owner: { id: string } }
  }
  const aliceRef = await make(alice.token, { kind: 'customer', name: 'Alice referrer', phone: '13600001111' })
  const carolRef = await make(carol.token, { kind: 'partner', name: 'Carol referrer', phone: '13600002222' })

  const referrerToken = async (referrerId: string, issuer = ctx.adminToken) => {
    const res = await ctx.rest(issuer, 'POST', '/api/v1/auth/referrer-token', { referrerId })
    t.equal(res.statusCode, 200)
    return res.json().accessToken as string
  }

  await t.test('a sales rep owns the referrers they create', async (t) => {
    t.equal(aliceRef.owner.id, alice.userId)
    t.equal(carolRef.owner.id, carol.userId)
  })

  await t.test('a referrer token sees its own referrer, with personal data masked', async (t) => {
    const token = await referrerToken(aliceRef.id)
    const me = await ctx.gql(token, '{ me { role referrer { id name phone } } }')
    t.same(me.data.me, { role: 'referrer', referrer: { id: aliceRef.id, name: 'Alice referrer', phone: '136****1111' } })
    const own = await ctx.gql(token, GET, { id: aliceRef.id })
    t.same(own.data.referrer, { id: aliceRef.id, name: 'Alice referrer', phone: '136****1111', owner: null })
    t.notOk(own.errors, 'the owner it may not see is null, not an error')
    const rest = await ctx.rest(token, 'GET', `/api/v1/referrers/${aliceRef.id}`)
    t.equal(rest.statusCode, 200)
    t.equal(rest.json().phone, '136****1111')
  })

  await t.test("a referrer token never sees another referrer: null, 404, and a list of one", async (t) => {
    const token = await referrerToken(aliceRef.id, await ctx.keyToken('integration'))
    const other = await ctx.gql(token, GET, { id: carolRef.id })
    t.equal(other.data.referrer, null)
    t.notOk(other.errors)
    t.equal((await ctx.rest(token, 'GET', `/api/v1/referrers/${carolRef.id}`)).statusCode, 404)
    const byCode = await ctx.gql(token, 'query($c: String!) { referrerByCode(code: $c) { id } }', { c: carolRef.code })
    t.equal(byCode.data.referrerByCode, null)
    t.equal((await ctx.rest(token, 'GET', `/api/v1/referrers/by-code/${carolRef.code}`)).statusCode, 404)
    const list = await ctx.gql(token, LIST)
    t.same(ids(list), [aliceRef.id])
    t.equal(list.data.referrers.totalCount, 1)
    const restList = await ctx.rest(token, 'GET', '/api/v1/referrers')
    t.same(restList.json().data.map((r: { id: string }) => r.id), [aliceRef.id])
  })

  await t.test('a referrer token cannot write referrers', async (t) => {
    const token = await referrerToken(aliceRef.id)
    const w = await ctx.gql(token, 'mutation($id: ID!) { updateReferrer(id: $id, input: { name: "Me!" }) { userErrors { code } } }', { id: aliceRef.id })
    t.equal(w.errors?.[0].extensions?.code, 'FORBIDDEN')
    t.equal((await ctx.rest(token, 'POST', '/api/v1/referrers', { kind: 'other', name: 'Sneaky' })).statusCode, 403)
  })

  await t.test("a sales rep reads every referrer but cannot change another team's: NOT_FOUND / 404", async (t) => {
    const read = await ctx.gql(carol.token, GET, { id: aliceRef.id })
    t.match(read.data.referrer, { id: aliceRef.id, phone: '13600001111', owner: { id: alice.userId } })
    t.same(ids(await ctx.gql(carol.token, LIST)).sort(), [aliceRef.id, carolRef.id].sort())
    const gql = await ctx.gql(carol.token, 'mutation($id: ID!) { updateReferrer(id: $id, input: { company: "Hijack" }) { referrer { id } userErrors { code } } }', { id: aliceRef.id })
    t.equal(gql.errors?.[0].extensions?.code, 'NOT_FOUND')
    t.equal((await ctx.rest(carol.token, 'PATCH', `/api/v1/referrers/${aliceRef.id}`, { company: 'Hijack' })).statusCode, 404)
    t.equal((await ctx.rest(carol.token, 'DELETE', `/api/v1/referrers/${aliceRef.id}`)).statusCode, 404)
    const unchanged = await ctx.rest(ctx.adminToken, 'GET', `/api/v1/referrers/${aliceRef.id}`)
    t.match(unchanged.json(), { company: null, version: 1 })
  })

  await t.test("a team mate may change the team's referrers", async (t) => {
    const r = await ctx.rest(bob.token, 'PATCH', `/api/v1/referrers/${aliceRef.id}`, { tier: 'gold' })
    t.equal(r.statusCode, 200)
    t.equal(r.json().tier, 'gold')
  })

  await t.test('a sales rep cannot hand a referrer to another team', async (t) => {
    const r = await ctx.gql(alice.token, CREATE, { i: { kind: 'other', name: 'Gift', ownerId: carol.userId } })
    t.equal(r.errors?.[0].extensions?.code, 'FORBIDDEN')
  })

  await t.test('marketing reads with personal data masked and may write', async (t) => {
    const r = await ctx.gql(marketing.token, GET, { id: carolRef.id })
    t.equal(r.data.referrer.phone, '136****2222')
    const created = await make(marketing.token, { kind: 'influencer', name: 'Marketing made' })
    t.equal(created.owner.id, marketing.userId)
  })

  await t.test('Customer.referrer and Me.referrer resolve through one batched query', async (t) => {
    for (const [i, ref] of [aliceRef, carolRef, aliceRef, carolRef].entries()) {
      await ctx.gql(ctx.adminToken, 'mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } } }',
        { i: { name: `Referred ${i}`, referrerId: ref.id } })
    }
    const q = (fields: string) => `{ customers(first: 200, filter: { search: "referred" }) { edges { node { name ${fields} } } } }`
    const before = ctx.queries
    await ctx.gql(ctx.adminToken, q(''))
    const plain = ctx.queries - before
    const start = ctx.queries
    const r = await ctx.gql(ctx.adminToken, q('referrer { id code owner { id } }'))
    t.equal(ctx.queries - start, plain + 2, 'one query for the referrers, one for their owners')
    const byName = Object.fromEntries(r.data.customers.edges.map((e: { node: { name: string; referrer: { id: string } } }) => [e.node.name, e.node.referrer.id]))
    t.same(byName, { 'Referred 0': aliceRef.id, 'Referred 1': carolRef.id, 'Referred 2': aliceRef.id, 'Referred 3': carolRef.id })
    const staffMe = await ctx.gql(alice.token, '{ me { referrer { id } } }')
    t.equal(staffMe.data.me.referrer, null)
  })

  await t.test('a list of referrers loads owners, customers and users in constant queries', async (t) => {
    const fields = '{ referrers(first: 200) { edges { node { id owner { id } customer { id } user { id } } } } }'
    const start = ctx.queries
    await ctx.gql(ctx.adminToken, '{ referrers(first: 200) { edges { node { id } } } }')
    const plain = ctx.queries - start
    const next = ctx.queries
    await ctx.gql(ctx.adminToken, fields)
    t.ok(ctx.queries - next <= plain + 3, `${ctx.queries - next} queries`)
  })
})
