import t from 'tap'
import { forEachDatabase } from '../../helper.js'
import { createCustomer, newId } from './support.js'

const LIST = `query($first: Int, $after: String, $f: OrderFilter, $o: OrderOrder) {
  orders(first: $first, after: $after, filter: $f, orderBy: $o) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id amount { amount } status paidAt } } } }`
const NESTED = `query($n: Int!) {
  customers(first: $n, filter: { tags: ["buyers"] }) { edges { node { id orders(first: 3) { totalCount edges { node { id customerId amount { amount } refunds { id } customer { id } } } } } } } }`

type Edge = { cursor: string; node: { id: string; amount: { amount: number }; status: string; paidAt: string } }

await forEachDatabase(t, async (t, ctx) => {
  const erp = await ctx.keyToken('integration')
  const buyers = [] as { id: string }[]
  for (let i = 0; i < 6; i++) buyers.push(await createCustomer(ctx, { tags: ['buyers'] }))
  const campaign = (await ctx.gql(ctx.adminToken, 'mutation { createCampaign(input: { name: "Autumn" }) { campaign { id } } }')).data.createCampaign.campaign.id
  // Buyer i has i + 1 orders, one a day from 2025-10-01, amounts 100 × (i + 1) + day; buyer 0's is in the campaign.
  const ids: string[] = []
  for (let i = 0; i < buyers.length; i++) {
    for (let d = 0; d <= i; d++) {
      const res = await ctx.rest(erp, 'POST', '/api/v1/orders', {
        customerId: buyers[i].id, externalId: newId(), amount: { amount: 100 * (i + 1) + d },
        paidAt: `2025-10-${String(d + 1).padStart(2, '0')}T12:00:00Z`, ...(i === 0 ? { campaignId: campaign } : {})
      })
      ids.push(res.json().id)
    }
  }
  await ctx.rest(erp, 'POST', `/api/v1/orders/${ids[0]}/refunds`, {})

  await t.test('keyset pages walk every order once, newest payment first by default', async (t) => {
    const seen: Edge[] = []
    let after: string | null = null
    let total = 0
    do {
      const r: { data: { orders: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: Edge[] } } } =
        await ctx.gql(erp, LIST, { first: 4, after, f: { customerId: null } })
      total = r.data.orders.totalCount
      seen.push(...r.data.orders.edges)
      after = r.data.orders.pageInfo.hasNextPage ? r.data.orders.pageInfo.endCursor : null
    } while (after)
    t.equal(total, 21)
    t.equal(seen.length, 21)
    t.equal(new Set(seen.map((e) => e.node.id)).size, 21, 'no order twice')
    const times = seen.map((e) => Date.parse(e.node.paidAt))
    t.same(times, [...times].sort((a, b) => b - a))
  })

  await t.test('orderBy amount ascending, over REST pages of { data, nextCursor } too', async (t) => {
    const g = await ctx.gql(erp, LIST, { first: 50, o: { field: 'amount', direction: 'ASC' } })
    const amounts = g.data.orders.edges.map((e: Edge) => e.node.amount.amount)
    t.same(amounts, [...amounts].sort((a: number, b: number) => a - b))
    const rest: number[] = []
    let cursor: string | null = null
    do {
      const res = await ctx.rest(erp, 'GET', `/api/v1/orders?orderBy=amount&direction=asc&limit=5${cursor ? `&cursor=${cursor}` : ''}`)
      t.equal(res.statusCode, 200)
      rest.push(...res.json().data.map((o: { amount: { amount: number } }) => o.amount.amount))
      cursor = res.json().nextCursor
    } while (cursor)
    t.same(rest, amounts)
    const wrong = await ctx.gql(erp, LIST, { first: 5, after: g.data.orders.pageInfo.endCursor, o: { field: 'paidAt', direction: 'DESC' } })
    t.equal(wrong.errors?.[0].extensions?.code, 'BAD_USER_INPUT', "a cursor only continues its own ordering")
  })

  await t.test('filters: customer, campaign, status, paidAt range (from inclusive, to exclusive)', async (t) => {
    const count = async (f: Record<string, unknown>) => (await ctx.gql(erp, LIST, { first: 200, f })).data.orders.totalCount
    t.equal(await count({ customerId: buyers[5].id }), 6)
    t.equal(await count({ campaignId: campaign }), 1)
    t.equal(await count({ status: ['refunded'] }), 1)
    t.equal(await count({ status: ['paid'] }), 20)
    t.equal(await count({ paidAt: { from: '2025-10-02T12:00:00Z', to: '2025-10-04T12:00:00Z' } }), 5 + 4)
    t.equal(await count({ customerId: buyers[3].id, paidAt: { from: '2025-10-03T00:00:00Z' } }), 2)
    const res = await ctx.rest(erp, 'GET', `/api/v1/orders?customerId=${buyers[4].id}&paidFrom=2025-10-05T00:00:00Z&status=paid`)
    t.equal(res.json().data.length, 1)
    const bad = await ctx.rest(erp, 'GET', '/api/v1/orders?status=lost')
    t.equal(bad.statusCode, 400)
  })

  await t.test('Customer.orders is batched: a page of customers with their orders costs the same SQL whatever its size', async (t) => {
    const cost = async (n: number) => {
      const before = ctx.queries
      const r = await ctx.gql(erp, NESTED, { n })
      t.same(r.errors, undefined)
      return { queries: ctx.queries - before, edges: r.data.customers.edges as { node: { id: string; orders: { totalCount: number; edges: { node: { customerId: string; customer: { id: string } } }[] } } }[] }
    }
    const small = await cost(2)
    const full = await cost(6)
    t.equal(full.edges.length, 6)
    t.equal(full.queries, small.queries, `constant: ${full.queries} statements`)
    for (const { node } of full.edges) {
      const i = buyers.findIndex((b) => b.id === node.id)
      t.equal(node.orders.totalCount, i + 1)
      t.equal(node.orders.edges.length, Math.min(3, i + 1))
      t.ok(node.orders.edges.every((e) => e.node.customerId === node.id && e.node.customer.id === node.id))
    }
  })
})
