import t from 'tap'
import { forEachDatabase } from '../../helper.js'
import { auditOf, createCustomer, eventsOf, newId, record, refund } from './support.js'

await forEachDatabase(t, async (t, ctx) => {
  const erp = await ctx.keyToken('integration')
  const customer = await createCustomer(ctx)
  const paid = async (amount: number, externalId: string | null = newId()) =>
    (await record(ctx, erp, { customerId: customer.id, externalId, amount: { amount }, paidAt: '2025-08-01T00:00:00Z' })).order!

  await t.test('partial refunds that add up to the amount leave the order refunded, each announced with its amounts', async (t) => {
    const order = await paid(10000)
    const a = await refund(ctx, erp, { orderId: order.id, amount: { amount: 3000 }, reason: 'damaged', refundedAt: '2025-08-02T00:00:00Z' })
    t.same(a.userErrors, [])
    t.match(a.order, { status: 'paid', refundedAmount: { amount: 3000 }, netAmount: { amount: 7000 }, version: 2 })
    t.match(a.refund, { amount: { amount: 3000 }, externalId: null })
    const b = await refund(ctx, erp, { orderExternalId: order.externalId, amount: { amount: 7000 }, refundedAt: '2025-08-03T00:00:00Z' })
    t.same(b.userErrors, [])
    t.match(b.order, { status: 'refunded', refundedAmount: { amount: 10000 }, netAmount: { amount: 0 }, version: 3 })
    const events = await eventsOf(ctx, order.id)
    t.same(events.map((e) => e.type), ['order.recorded', 'order.refunded', 'order.refunded'])
    t.match(events[2].data, { order: { status: 'refunded', amount: { amount: 10000 }, refundedAmount: { amount: 10000 } }, refund: { amount: { amount: 7000, currency: 'CNY' } } })
    t.same((await auditOf(ctx, order.id)).map((a) => a.action), ['order.recorded', 'order.refunded', 'order.refunded'])
    const listed = await ctx.gql(erp, 'query($id: ID!) { order(id: $id) { refunds { amount { amount } reason refundedAt } } }', { id: order.id })
    t.same(listed.data.order.refunds, [
      { amount: { amount: 3000 }, reason: 'damaged', refundedAt: '2025-08-02T00:00:00.000Z' },
      { amount: { amount: 7000 }, reason: null, refundedAt: '2025-08-03T00:00:00.000Z' }
    ])
  })

  await t.test('without an amount, a refund takes all that remains', async (t) => {
    const order = await paid(999)
    await refund(ctx, erp, { orderId: order.id, amount: { amount: 99 } })
    const rest = await refund(ctx, erp, { orderId: order.id })
    t.match(rest, { refund: { amount: { amount: 900 } }, order: { status: 'refunded', netAmount: { amount: 0 } }, userErrors: [] })
  })

  await t.test('a refund beyond what remains is refused (422 EXCEEDS_REFUNDABLE) and writes nothing', async (t) => {
    const order = await paid(5000)
    await refund(ctx, erp, { orderId: order.id, amount: { amount: 4000 } })
    const over = await refund(ctx, erp, { orderId: order.id, amount: { amount: 1001 } })
    t.equal(over.order, null)
    t.match(over.userErrors, [{ field: 'amount.amount', code: 'EXCEEDS_REFUNDABLE', message: /1000 CNY left/ }])
    const res = await ctx.rest(erp, 'POST', `/api/v1/orders/${order.id}/refunds`, { amount: { amount: 1001 } })
    t.equal(res.statusCode, 422)
    t.match(res.headers['content-type'], /application\/problem\+json/)
    t.match(res.json(), { code: 'CRM_ERR_INVALID_TRANSITION', errors: [{ code: 'EXCEEDS_REFUNDABLE' }] })
    const [row] = await ctx.sql<{ refunded_amount: string; n: number }>('select refunded_amount::text, (select count(*)::int from order_refunds where order_id = $1) as n from orders where id = $1', [order.id])
    t.same(row, { refunded_amount: '4000', n: 1 })
    await refund(ctx, erp, { orderId: order.id })
    const more = await refund(ctx, erp, { orderId: order.id, amount: { amount: 1 } })
    t.match(more.userErrors, [{ field: 'amount', code: 'FULLY_REFUNDED' }])
  })

  await t.test('a refund is idempotent on its refundExternalId: the same again answers the first, another amount is TAKEN', async (t) => {
    const order = await paid(8000)
    const refundId = newId('RF')
    const first = await ctx.rest(erp, 'POST', `/api/v1/orders/${order.id}/refunds`, { externalId: refundId, amount: { amount: 2500 } })
    t.equal(first.statusCode, 201)
    const again = await ctx.rest(erp, 'POST', `/api/v1/orders/${order.id}/refunds`, { externalId: refundId, amount: { amount: 2500 } })
    t.equal(again.statusCode, 200)
    t.same(again.json().refund, first.json().refund)
    t.equal(again.json().order.refundedAmount.amount, 2500, 'applied once')
    const gql = await refund(ctx, erp, { orderExternalId: order.externalId, refundExternalId: refundId })
    t.match(gql, { created: false, refund: { id: first.json().refund.id }, userErrors: [] }, 'no amount: the retry of that refund')
    const other = await refund(ctx, erp, { orderId: order.id, refundExternalId: refundId, amount: { amount: 100 } })
    t.match(other.userErrors, [{ field: 'refundExternalId', code: 'TAKEN' }])
    t.same((await eventsOf(ctx, order.id)).map((e) => e.type), ['order.recorded', 'order.refunded'])
    const byExternal = await ctx.rest(erp, 'POST', `/api/v1/orders/by-external-id/${order.externalId}/refunds`, { externalId: refundId, amount: { amount: 2500 } })
    t.equal(byExternal.statusCode, 200)
    const list = await ctx.rest(erp, 'GET', `/api/v1/orders/${order.id}/refunds`)
    t.equal(list.json().data.length, 1)
  })

  await t.test('refunds in another currency, dated before the payment, or of no order are typed errors', async (t) => {
    const order = await paid(1000)
    const currency = await refund(ctx, erp, { orderId: order.id, amount: { amount: 10, currency: 'USD' } })
    t.match(currency.userErrors, [{ field: 'amount.currency', code: 'CURRENCY_MISMATCH' }])
    const early = await refund(ctx, erp, { orderId: order.id, refundedAt: '2025-07-31T23:59:59Z' })
    t.match(early.userErrors, [{ field: 'refundedAt', code: 'BEFORE_PAYMENT' }])
    const neither = await refund(ctx, erp, { amount: { amount: 1 } })
    t.match(neither.userErrors, [{ field: 'orderId', code: 'REQUIRED' }])
    const missing = await ctx.gql(erp, 'mutation { refundOrder(input: { orderId: "01900000-0000-7000-8000-000000000000" }) { userErrors { code } } }')
    t.equal(missing.errors?.[0].extensions?.code, 'NOT_FOUND')
    const notUuid = await ctx.gql(erp, 'mutation { refundOrder(input: { orderId: "nope" }) { userErrors { code } } }')
    t.equal(notUuid.errors?.[0].extensions?.code, 'NOT_FOUND')
    const rest = await ctx.rest(erp, 'POST', '/api/v1/orders/01900000-0000-7000-8000-000000000000/refunds', {})
    t.equal(rest.statusCode, 404)
    t.match(rest.json(), { code: 'CRM_ERR_NOT_FOUND' })
    const zero = await ctx.rest(erp, 'POST', `/api/v1/orders/${order.id}/refunds`, { amount: { amount: 0 } })
    t.equal(zero.statusCode, 400)
    t.equal((await eventsOf(ctx, order.id)).length, 1, 'nothing was refunded')
  })
})
