import t from 'tap'
import { forEachDatabase } from '../../helper.js'
import { createCustomer, newId } from './support.js'

const RACERS = 20

// On PostgreSQL the calls really overlap (a pool of 20); PGlite serialises them, which must give the same answer.
await forEachDatabase(t, async (t, ctx) => {
  const erp = await ctx.keyToken('integration')
  const customer = await createCustomer(ctx)
  const count = async (sql: string, params: unknown[]) => (await ctx.sql<{ n: number }>(sql, params))[0].n

  await t.test(`${RACERS} concurrent recordOrder calls with the same externalId record exactly one order, announced once`, async (t) => {
    const externalId = newId()
    const body = { customerId: customer.id, externalId, amount: { amount: 1234 }, paidAt: '2025-09-01T00:00:00Z' }
    const answers = await Promise.all(Array.from({ length: RACERS }, () => ctx.rest(erp, 'POST', '/api/v1/orders', body)))
    const codes = answers.map((a) => a.statusCode)
    t.equal(codes.filter((c) => c === 201).length, 1, 'one created')
    t.equal(codes.filter((c) => c === 200).length, RACERS - 1, 'the rest are replays')
    t.equal(new Set(answers.map((a) => a.json().id)).size, 1, 'all answer the same order')
    t.equal(await count('select count(*)::int as n from orders where external_id = $1', [externalId]), 1)
    t.equal(await count("select count(*)::int as n from outbox_events where type = 'order.recorded' and entity_id = $1", [answers[0].json().id]), 1)
  })

  await t.test('concurrent PUTs of one externalId converge on one order', async (t) => {
    const externalId = newId()
    const answers = await Promise.all(Array.from({ length: RACERS }, (_, i) =>
      ctx.rest(erp, 'PUT', `/api/v1/orders/by-external-id/${externalId}`, { customerId: customer.id, amount: { amount: 500 }, note: `writer ${i % 2}` })))
    t.same([...new Set(answers.map((a) => a.statusCode))].sort(), [200, 201])
    t.equal(answers.filter((a) => a.statusCode === 201).length, 1)
    t.equal(await count('select count(*)::int as n from orders where external_id = $1', [externalId]), 1)
  })

  await t.test('concurrent refunds never take more than the amount: exactly the ones that fit succeed', async (t) => {
    const order = (await ctx.rest(erp, 'POST', '/api/v1/orders', { customerId: customer.id, amount: { amount: 1000 } })).json()
    const answers = await Promise.all(Array.from({ length: RACERS }, () =>
      ctx.rest(erp, 'POST', `/api/v1/orders/${order.id}/refunds`, { amount: { amount: 300 } })))
    t.equal(answers.filter((a) => a.statusCode === 201).length, 3, 'three refunds of 300 fit into 1000')
    t.ok(answers.filter((a) => a.statusCode !== 201).every((a) => a.statusCode === 422), 'the rest are refused, not failed')
    const [row] = await ctx.sql<{ refunded_amount: string; status: string }>('select refunded_amount::text, status from orders where id = $1', [order.id])
    t.same(row, { refunded_amount: '900', status: 'paid' })
  })

  await t.test('a refund retried concurrently with its refundExternalId applies once', async (t) => {
    const order = (await ctx.rest(erp, 'POST', '/api/v1/orders', { customerId: customer.id, amount: { amount: 1000 } })).json()
    const refundId = newId('RF')
    const answers = await Promise.all(Array.from({ length: RACERS }, () =>
      ctx.rest(erp, 'POST', `/api/v1/orders/${order.id}/refunds`, { externalId: refundId, amount: { amount: 400 } })))
    t.equal(answers.filter((a) => a.statusCode === 201).length, 1)
    t.equal(answers.filter((a) => a.statusCode === 200).length, RACERS - 1)
    t.equal(await count('select count(*)::int as n from order_refunds where order_id = $1', [order.id]), 1)
  })
}, { DATABASE_POOL_SIZE: '20' })
