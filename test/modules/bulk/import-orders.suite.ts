import t from 'tap'
import { forEachDatabase } from '../../helper.js'
import { csv, importBody } from './import-support.js'

await forEachDatabase(t, async (t, ctx) => {
  await importBody(ctx, ctx.adminToken, 'customers', csv([['externalId', 'name'], ['OC-1', 'Buyer One'], ['OC-2', 'Buyer Two']]))
  const ids = Object.fromEntries((await ctx.sql<{ id: string; external_id: string }>(`select id, external_id from customers where external_id like 'OC-%'`)).map((r) => [r.external_id, r.id]))

  await t.test('imports orders for customers named by externalId or id; the scoring aggregates follow', async (t) => {
    const r = await importBody(ctx, ctx.adminToken, 'orders', csv([
      ['externalId', 'customerExternalId', 'customerId', 'amount', 'currency', 'paidAt', 'note'],
      ['O-1', 'OC-1', '', '10000', '', '2024-03-01T10:00:00+08:00', 'first'],
      ['O-2', 'OC-1', '', '2500', 'CNY', '2024-04-01T10:00:00Z', ''],
      ['O-3', '', ids['OC-2'], '700', '', '2024-05-01T00:00:00Z', ''],
      ['O-4', 'NOBODY', '', '100', '', '2024-05-01T00:00:00Z', ''],
      ['O-5', 'OC-1', '', '0', '', '', ''],
      ['O-6', 'OC-1', '', '100', '', '2999-01-01T00:00:00Z', ''],
      ['O-7', 'OC-1', ids['OC-1'], '100', '', '', '']
    ]))
    t.equal(r.status, 200, JSON.stringify(r.body))
    t.match(r.body, { entity: 'orders', rows: 7, created: 3, rejected: 4 })
    const byRow = Object.fromEntries(r.body.errors.map((e: { row: number; field: string; code: string }) => [e.row, `${e.field}:${e.code}`]))
    t.match(byRow, { 4: 'customerExternalId:UNKNOWN_CUSTOMER', 5: /^amount\.amount:/, 6: /^paidAt:/, 7: 'customerId:AMBIGUOUS' })
    const scores = await ctx.sql<{ customer_id: string; paid_orders: number; net_paid: number }>(
      `select customer_id, paid_orders, net_paid::int as net_paid from customer_scores where customer_id = any($1::uuid[]) order by net_paid desc`, [[ids['OC-1'], ids['OC-2']]])
    t.same(scores, [{ customer_id: ids['OC-1'], paid_orders: 2, net_paid: 12500 }, { customer_id: ids['OC-2'], paid_orders: 1, net_paid: 700 }])
    const events = await ctx.sql<{ n: number }>(`select count(*)::int as n from outbox_events e join orders o on o.id = e.entity_id where e.type = 'order.recorded' and o.external_id like 'O-%'`)
    t.equal(events[0].n, 3, 'order.recorded for each recorded order')
  })

  await t.test('a second import corrects orders by externalId and recounts the aggregates; the same content is unchanged', async (t) => {
    const r = await importBody(ctx, ctx.adminToken, 'orders', [
      { externalId: 'O-1', customerExternalId: 'OC-1', amount: { amount: 20000 }, paidAt: '2024-03-01T10:00:00+08:00', note: 'first' },
      { externalId: 'O-2', customerExternalId: 'OC-1', amount: { amount: 2500, currency: 'CNY' }, paidAt: '2024-04-01T10:00:00Z' },
      { externalId: 'O-3', customerExternalId: 'OC-1', amount: { amount: 700 }, paidAt: '2024-05-01T00:00:00Z' }
    ].map((o) => JSON.stringify(o)).join('\n'), 'application/x-ndjson')
    t.match(r.body, { rows: 3, updated: 1, unchanged: 1, rejected: 1, errors: [{ row: 3, field: 'customerId', code: 'IMMUTABLE' }] })
    const [score] = await ctx.sql<{ net_paid: number }>(`select net_paid::int as net_paid from customer_scores where customer_id = $1`, [ids['OC-1']])
    t.equal(score.net_paid, 22500)
  })
})
