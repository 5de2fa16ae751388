import t from 'tap'
import { forEachDatabase } from '../../helper.js'
import { createCustomer, newId, record, RECORD, REFUND } from './support.js'

const GET = 'query($id: ID!) { order(id: $id) { id amount { amount } customer { id } } }'
const LIST = '{ orders(first: 200) { totalCount edges { node { id customerId } } } }'

await forEachDatabase(t, async (t, ctx) => {
  const north = await ctx.createTeam('Orders north')
  const south = await ctx.createTeam('Orders south')
  const alice = await ctx.staff('sales', { teamId: north, name: 'Alice' })
  const bob = await ctx.staff('sales', { teamId: north, name: 'Bob' })
  const carol = await ctx.staff('sales', { teamId: south, name: 'Carol' })
  const marketing = await ctx.staff('marketing', { teamId: south })
  const service = await ctx.keyToken('service')
  const manager = await ctx.staff('manager')
  const integration = await ctx.keyToken('integration')

  const aliceCustomer = await createCustomer(ctx, { ownerId: alice.userId })
  const carolCustomer = await createCustomer(ctx, { ownerId: carol.userId })
  const aliceOrder = (await record(ctx, integration, { customerId: aliceCustomer.id, externalId: newId(), amount: { amount: 100 } })).order!
  const carolOrder = (await record(ctx, integration, { customerId: carolCustomer.id, externalId: newId(), amount: { amount: 200 } })).order!

  await t.test('admin, manager and integration keys record and refund orders', async (t) => {
    for (const token of [ctx.adminToken, manager.token, integration]) {
      const r = await record(ctx, token, { customerId: aliceCustomer.id, amount: { amount: 10 } })
      t.same(r.userErrors, [])
      const f = await ctx.gql(token, REFUND, { i: { orderId: r.order!.id } })
      t.same(f.data.refundOrder.userErrors, [])
    }
  })

  await t.test("a sales rep reads its team's customers' orders; another team's are null / 404, never a hint", async (t) => {
    const mine = await ctx.gql(bob.token, GET, { id: aliceOrder.id })
    t.same(mine.data.order, { id: aliceOrder.id, amount: { amount: 100 }, customer: { id: aliceCustomer.id } })
    const theirs = await ctx.gql(alice.token, GET, { id: carolOrder.id })
    t.equal(theirs.data.order, null)
    t.notOk(theirs.errors)
    const rest = await ctx.rest(alice.token, 'GET', `/api/v1/orders/${carolOrder.id}`)
    const missing = await ctx.rest(alice.token, 'GET', '/api/v1/orders/01900000-0000-7000-8000-000000000000')
    t.equal(rest.statusCode, 404)
    t.same(Object.keys(rest.json()).sort(), Object.keys(missing.json()).sort())
    t.equal((await ctx.rest(alice.token, 'GET', `/api/v1/orders/by-external-id/${carolOrder.externalId}`)).statusCode, 404)
    const list = await ctx.gql(alice.token, LIST)
    t.ok(list.data.orders.edges.length > 0)
    t.ok(list.data.orders.edges.every((e: { node: { customerId: string } }) => e.node.customerId === aliceCustomer.id), 'only the team’s customers’ orders')
    t.equal(list.data.orders.totalCount, list.data.orders.edges.length)
    const nested = await ctx.gql(alice.token, 'query($id: ID!) { customer(id: $id) { orders { totalCount } } }', { id: aliceCustomer.id })
    t.ok(nested.data.customer.orders.totalCount >= 1, 'Customer.orders for a customer the rep can see')
  })

  await t.test('sales, marketing and service may read orders but not write them (FORBIDDEN / 403)', async (t) => {
    for (const token of [alice.token, marketing.token, service]) {
      const w = await ctx.gql(token, RECORD, { i: { customerId: aliceCustomer.id, amount: { amount: 1 } } })
      t.equal(w.errors?.[0].extensions?.code, 'FORBIDDEN')
      const f = await ctx.gql(token, REFUND, { i: { orderId: aliceOrder.id } })
      t.equal(f.errors?.[0].extensions?.code, 'FORBIDDEN')
      const rest = await ctx.rest(token, 'POST', '/api/v1/orders', { customerId: aliceCustomer.id, amount: { amount: 1 } })
      t.equal(rest.statusCode, 403)
      t.match(rest.json(), { code: 'CRM_ERR_FORBIDDEN' })
    }
    for (const token of [marketing.token, service]) {
      const all = await ctx.gql(token, LIST)
      const seen = all.data.orders.edges.map((e: { node: { id: string } }) => e.node.id)
      t.ok(seen.includes(aliceOrder.id) && seen.includes(carolOrder.id), 'every order')
    }
  })

  await t.test('a referrer token sees no orders at all', async (t) => {
    const ref = await ctx.gql(ctx.adminToken, 'mutation { createReferrer(input: { kind: partner, name: "Orders partner" }) { referrer { id } } }')
    const token = (await ctx.rest(integration, 'POST', '/api/v1/auth/referrer-token', { referrerId: ref.data.createReferrer.referrer.id })).json().accessToken
    t.equal((await ctx.gql(token, LIST)).errors?.[0].extensions?.code, 'FORBIDDEN')
    t.equal((await ctx.rest(token, 'GET', `/api/v1/orders/${aliceOrder.id}`)).statusCode, 403)
    t.equal((await ctx.rest(token, 'POST', '/api/v1/orders', { customerId: aliceCustomer.id, amount: { amount: 1 } })).statusCode, 403)
  })

  await t.test('read-only keys and keys narrowed to other entities cannot write orders; a key narrowed to orders can', async (t) => {
    const readOnly = await ctx.keyToken('integration', { readOnly: true })
    t.equal((await ctx.rest(readOnly, 'POST', '/api/v1/orders', { customerId: aliceCustomer.id, amount: { amount: 1 } })).statusCode, 403)
    t.equal((await ctx.rest(readOnly, 'GET', `/api/v1/orders/${aliceOrder.id}`)).statusCode, 200)
    const customersOnly = await ctx.keyToken('integration', { entities: ['customers'] })
    t.equal((await ctx.rest(customersOnly, 'GET', `/api/v1/orders/${aliceOrder.id}`)).statusCode, 403)
    const ordersOnly = await ctx.keyToken('integration', { entities: ['orders'] })
    t.equal((await ctx.rest(ordersOnly, 'POST', '/api/v1/orders', { customerId: aliceCustomer.id, amount: { amount: 1 } })).statusCode, 201)
  })

  await t.test('no token is 401', async (t) => {
    t.equal((await ctx.rest(null, 'GET', '/api/v1/orders')).statusCode, 401)
  })
})
