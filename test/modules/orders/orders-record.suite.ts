import t from 'tap'
import { forEachDatabase } from '../../helper.js'
import { auditOf, createCustomer, eventsOf, newId, record } from './support.js'

await forEachDatabase(t, async (t, ctx) => {
  const erp = await ctx.keyToken('integration')
  const customer = await createCustomer(ctx, { externalId: newId('CUST') })

  await t.test('records a paid order with its money, time and attributes, announced as order.recorded', async (t) => {
    const externalId = newId()
    const r = await record(ctx, erp, {
      customerId: customer.id, externalId, amount: { amount: 129900 }, paidAt: '2025-06-01T10:00:00+08:00', note: '首单', attributes: { sku: 'A-1', qty: 2 }
    })
    t.same(r.userErrors, [])
    t.equal(r.created, true)
    t.match(r.order, {
      externalId, customerId: customer.id, referralId: null, referrerId: null, campaignId: null,
      amount: { amount: 129900, currency: 'CNY' }, refundedAmount: { amount: 0, currency: 'CNY' }, netAmount: { amount: 129900, currency: 'CNY' },
      status: 'paid', paidAt: '2025-06-01T02:00:00.000Z', note: '首单', attributes: { sku: 'A-1', qty: 2 }, version: 1
    })
    const events = await eventsOf(ctx, r.order!.id)
    t.same(events.map((e) => e.type), ['order.recorded'])
    t.match(events[0].data, { order: { id: r.order!.id, externalId, amount: { amount: 129900, currency: 'CNY' }, status: 'paid' } })
    t.same((await auditOf(ctx, r.order!.id)).map((a) => a.action), ['order.recorded'], 'audited in the same transaction')
  })

  await t.test('paidAt defaults to now; the customer may be named by its externalId', async (t) => {
    const before = Date.now()
    const r = await record(ctx, erp, { customerExternalId: customer.externalId, amount: { amount: 500, currency: 'USD' } })
    t.same(r.userErrors, [])
    t.equal(r.order!.customerId, customer.id)
    t.equal(r.order!.externalId, null)
    t.same(r.order!.amount, { amount: 500, currency: 'USD' })
    t.ok(Date.parse(r.order!.paidAt) >= before - 1000 && Date.parse(r.order!.paidAt) <= Date.now() + 1000, 'paid now')
  })

  await t.test('the same externalId with the same content returns the stored order, unchanged, with no second event', async (t) => {
    const externalId = newId()
    const input = { customerId: customer.id, externalId, amount: { amount: 8800 }, paidAt: '2025-06-02T09:30:00Z', attributes: { a: 1, b: { c: 2 } } }
    const first = await record(ctx, erp, input)
    // Attribute keys in another order are the same content; omitted optional fields are not compared.
    const again = await record(ctx, erp, { ...input, attributes: { b: { c: 2 }, a: 1 } })
    const bare = await record(ctx, erp, { customerId: customer.id, externalId, amount: { amount: 8800, currency: 'CNY' } })
    t.same(again.userErrors, [])
    t.equal(again.created, false)
    t.same(again.order, first.order, 'the first answer again')
    t.equal(bare.created, false)
    const rest = await ctx.rest(erp, 'POST', '/api/v1/orders', input)
    t.equal(rest.statusCode, 200, 'REST replay is 200, not 201')
    t.equal(rest.json().id, first.order!.id)
    t.same((await eventsOf(ctx, first.order!.id)).map((e) => e.type), ['order.recorded'])
    const [n] = await ctx.sql<{ n: number }>('select count(*)::int as n from orders where external_id = $1', [externalId])
    t.equal(n.n, 1)
  })

  await t.test('the same externalId with other content is a TAKEN userError (409 problem+json over REST), and nothing changes', async (t) => {
    const externalId = newId()
    const first = await record(ctx, erp, { customerId: customer.id, externalId, amount: { amount: 1000 }, paidAt: '2025-06-03T00:00:00Z' })
    const r = await record(ctx, erp, { customerId: customer.id, externalId, amount: { amount: 2000 }, paidAt: '2025-06-04T00:00:00Z' })
    t.equal(r.order, null)
    t.match(r.userErrors, [{ field: 'externalId', code: 'TAKEN', message: /different amount, paidAt/ }])
    const other = await createCustomer(ctx)
    const res = await ctx.rest(erp, 'POST', '/api/v1/orders', { customerId: other.id, externalId, amount: { amount: 1000 } })
    t.equal(res.statusCode, 409)
    t.match(res.headers['content-type'], /application\/problem\+json/)
    t.match(res.json(), { code: 'CRM_ERR_CONFLICT', errors: [{ field: 'externalId', code: 'TAKEN', message: /different customer/ }] })
    const [stored] = await ctx.sql<{ amount: string; customer_id: string }>('select amount::text, customer_id from orders where external_id = $1', [externalId])
    t.same(stored, { amount: '1000', customer_id: customer.id })
    t.equal((await eventsOf(ctx, first.order!.id)).length, 1)
  })

  await t.test('recording an order costs four statements: the customer with its attribution, the insert, the RFM aggregates, the audit and outbox', async (t) => {
    const before = ctx.queries
    const r = await record(ctx, erp, { customerId: customer.id, externalId: newId(), amount: { amount: 1 } })
    t.equal(r.created, true)
    // node-postgres also logs the transaction's begin and commit; PGlite does not.
    t.equal(ctx.queries - before, 4 + (ctx.kind === 'postgres' ? 2 : 0))
  })

  await t.test('POST /api/v1/orders records (201, Location, ETag) and GET reads it by id and by externalId', async (t) => {
    const externalId = newId()
    const res = await ctx.rest(erp, 'POST', '/api/v1/orders', { customerId: customer.id, externalId, amount: { amount: 4200 } })
    t.equal(res.statusCode, 201)
    const order = res.json()
    t.equal(res.headers.location, `/api/v1/orders/${order.id}`)
    t.equal(res.headers.etag, '"1"')
    const byId = await ctx.rest(erp, 'GET', `/api/v1/orders/${order.id}`)
    t.same(byId.json(), order)
    const byExternal = await ctx.rest(erp, 'GET', `/api/v1/orders/by-external-id/${externalId}`)
    t.same(byExternal.json(), order)
    const gql = await ctx.gql(erp, 'query($id: ID!) { order(id: $id) { id netAmount { amount } refunds { id } } }', { id: order.id })
    t.same(gql.data.order, { id: order.id, netAmount: { amount: 4200 }, refunds: [] })
  })

  await t.test('bad input is a typed error, never a 500, and writes nothing', async (t) => {
    const count = async () => (await ctx.sql<{ n: number }>('select count(*)::int as n from orders'))[0].n
    const before = await count()
    const cases: [Record<string, unknown>, string | null, string][] = [
      [{ customerId: customer.id, amount: { amount: 0 } }, 'amount.amount', 'INVALID'],
      [{ customerId: customer.id, amount: { amount: -5 } }, 'amount.amount', 'INVALID'],
      [{ customerId: customer.id, amount: { amount: 100, currency: 'cny' } }, 'amount.currency', 'INVALID'],
      [{ customerId: customer.id, amount: { amount: 100 }, externalId: 'x'.repeat(129) }, 'externalId', 'INVALID'],
      [{ customerId: customer.id, amount: { amount: 100 }, externalId: ' padded ' }, 'externalId', 'INVALID'],
      [{ amount: { amount: 100 } }, 'customerId', 'REQUIRED'],
      [{ customerId: customer.id, customerExternalId: customer.externalId, amount: { amount: 100 } }, 'customerId', 'AMBIGUOUS'],
      [{ customerId: '01900000-0000-7000-8000-000000000000', amount: { amount: 100 } }, 'customerId', 'UNKNOWN_CUSTOMER'],
      [{ customerExternalId: 'nobody-has-this', amount: { amount: 100 } }, 'customerExternalId', 'UNKNOWN_CUSTOMER'],
      [{ customerId: customer.id, amount: { amount: 100 }, campaignId: '01900000-0000-7000-8000-000000000000' }, 'campaignId', 'UNKNOWN_REFERENCE'],
      [{ customerId: customer.id, amount: { amount: 100 }, paidAt: new Date(Date.now() + 3 * 86_400_000).toISOString() }, 'paidAt', 'IN_FUTURE']
    ]
    for (const [input, field, code] of cases) {
      const r = await record(ctx, erp, input)
      t.equal(r.order, null, JSON.stringify(input))
      t.match(r.userErrors, [{ field, code }], `${field} ${code}`)
      const res = await ctx.rest(erp, 'POST', '/api/v1/orders', input)
      t.equal(res.statusCode, 400, `REST ${field} ${code}`)
      t.equal(res.json().code, 'CRM_ERR_VALIDATION')
    }
    const unsafe = await ctx.gql(erp, 'mutation { recordOrder(input: { customerId: "x", amount: { amount: 1.5 } }) { userErrors { code } } }')
    t.equal(unsafe.errors?.[0].extensions?.code, 'BAD_USER_INPUT', 'a fractional amount never reaches the service')
    const hour25 = await ctx.rest(erp, 'POST', '/api/v1/orders', { customerId: customer.id, amount: { amount: 1 }, paidAt: '2025-01-01T25:00:00Z' })
    t.equal(hour25.statusCode, 400)
    t.equal(await count(), before)
  })

  await t.test('a deleted customer takes no orders; a merged one sends them to the customer it was merged into', async (t) => {
    const gone = await createCustomer(ctx)
    await ctx.rest(ctx.adminToken, 'DELETE', `/api/v1/customers/${gone.id}`)
    const r = await record(ctx, erp, { customerId: gone.id, amount: { amount: 100 } })
    t.match(r.userErrors, [{ field: 'customerId', code: 'UNKNOWN_CUSTOMER' }])
    const survivor = await createCustomer(ctx)
    const absorbed = await createCustomer(ctx, { externalId: newId('CUST') })
    const merge = await ctx.gql(ctx.adminToken, 'mutation($s: ID!, $m: [ID!]!) { mergeCustomers(survivorId: $s, mergedIds: $m) { userErrors { code message } } }',
      { s: survivor.id, m: [absorbed.id] })
    t.same(merge.errors, undefined)
    const moved = await record(ctx, erp, { customerExternalId: absorbed.externalId, amount: { amount: 100 } })
    t.equal(moved.order?.customerId, survivor.id)
  })

  await t.test("a merge moves the absorbed customer's orders to the survivor", async (t) => {
    const survivor = await createCustomer(ctx)
    const absorbed = await createCustomer(ctx)
    const before = await record(ctx, erp, { customerId: absorbed.id, amount: { amount: 4200 } })
    const merge = await ctx.gql(ctx.adminToken, 'mutation($s: ID!, $m: [ID!]!) { mergeCustomers(survivorId: $s, mergedIds: $m) { userErrors { code message } } }',
      { s: survivor.id, m: [absorbed.id] })
    t.same(merge.data.mergeCustomers.userErrors, [])
    const r = await ctx.gql(ctx.adminToken, 'query($id: ID!) { customer(id: $id) { orders(first: 10) { edges { node { id customerId version } } } } }', { id: survivor.id })
    t.same(r.data.customer.orders.edges.map((e: { node: { id: string } }) => e.node.id), [before.order?.id])
    t.equal(r.data.customer.orders.edges[0].node.customerId, survivor.id)
    t.equal(r.data.customer.orders.edges[0].node.version, (before.order?.version ?? 0) + 1)
  })
})
