import t from 'tap'
import { forEachDatabase } from '../../helper.js'

const CREATE = `mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id phone email owner { id } } userErrors { field message code } } }`

await forEachDatabase(t, async (t, ctx) => {
  const north = await ctx.createTeam('North')
  const south = await ctx.createTeam('South')
  const alice = await ctx.staff('sales', { teamId: north, name: 'Alice' })
  const bob = await ctx.staff('sales', { teamId: north, name: 'Bob' })
  const carol = await ctx.staff('sales', { teamId: south, name: 'Carol' })
  const marketing = await ctx.staff('marketing', { teamId: south })

  const mine = await ctx.gql(alice.token, CREATE, { i: { name: 'Alice customer', phone: '13900001111', email: 'a@example.com' } })
  const aliceCustomer = mine.data.createCustomer.customer

  await t.test('a sales rep owns what they create', async (t) => {
    t.equal(aliceCustomer.owner.id, alice.userId)
  })

  await t.test("a team mate sees it; another team's rep gets null / 404, never a hint", async (t) => {
    const bobView = await ctx.gql(bob.token, 'query($id: ID!) { customer(id: $id) { id name } }', { id: aliceCustomer.id })
    t.equal(bobView.data.customer.name, 'Alice customer')
    const carolView = await ctx.gql(carol.token, 'query($id: ID!) { customer(id: $id) { id name } }', { id: aliceCustomer.id })
    t.equal(carolView.data.customer, null)
    t.notOk(carolView.errors)
    const rest = await ctx.rest(carol.token, 'GET', `/api/v1/customers/${aliceCustomer.id}`)
    t.equal(rest.statusCode, 404)
    const missing = await ctx.rest(carol.token, 'GET', '/api/v1/customers/01900000-0000-7000-8000-000000000000')
    t.same(Object.keys(rest.json()).sort(), Object.keys(missing.json()).sort(), 'same shape as a customer that does not exist')
    t.equal(missing.json().code, rest.json().code)
  })

  await t.test("another team's rep cannot update or delete it", async (t) => {
    const upd = await ctx.rest(carol.token, 'PATCH', `/api/v1/customers/${aliceCustomer.id}`, { company: 'Hijack' })
    t.equal(upd.statusCode, 404)
    const del = await ctx.rest(carol.token, 'DELETE', `/api/v1/customers/${aliceCustomer.id}`)
    t.equal(del.statusCode, 404)
    const gql = await ctx.gql(carol.token, 'mutation($id: ID!) { updateCustomer(id: $id, input: { company: "x" }) { customer { id } userErrors { code } } }', { id: aliceCustomer.id })
    t.equal(gql.errors?.[0].extensions?.code, 'NOT_FOUND')
  })

  await t.test("lists show only the rep's team's customers", async (t) => {
    await ctx.gql(carol.token, CREATE, { i: { name: 'Carol customer' } })
    const list = await ctx.gql(carol.token, '{ customers(first: 200) { totalCount edges { node { name } } } }')
    t.ok(list.data.customers.edges.every((e: { node: { name: string } }) => e.node.name !== 'Alice customer'))
    t.equal(list.data.customers.totalCount, list.data.customers.edges.length)
  })

  await t.test('a sales rep cannot hand a customer to another team', async (t) => {
    const r = await ctx.gql(alice.token, CREATE, { i: { name: 'Gift', ownerId: carol.userId } })
    t.equal(r.errors?.[0].extensions?.code, 'FORBIDDEN')
    const ok = await ctx.gql(alice.token, CREATE, { i: { name: 'For Bob', ownerId: bob.userId } })
    t.equal(ok.data.createCustomer.customer.owner.id, bob.userId)
  })

  await t.test('marketing reads customers with personal data masked and cannot write', async (t) => {
    const r = await ctx.gql(marketing.token, 'query($id: ID!) { customer(id: $id) { phone email } }', { id: aliceCustomer.id })
    t.same(r.data.customer, { phone: '139****1111', email: 'a***@example.com' })
    const w = await ctx.gql(marketing.token, CREATE, { i: { name: 'Nope' } })
    t.equal(w.errors?.[0].extensions?.code, 'FORBIDDEN')
  })

  await t.test('search finds a customer by phone in any format, through the blind index', async (t) => {
    const r = await ctx.gql(alice.token, '{ customers(filter: { search: "+86 139-0000-1111" }) { edges { node { id } } } }')
    t.same(r.data.customers.edges.map((e: { node: { id: string } }) => e.node.id), [aliceCustomer.id])
  })
})
