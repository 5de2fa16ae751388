import t from 'tap'
import type { Test as Tap } from 'tap'
import { forEachDatabase, type GqlResult } from '../../helper.js'
import { AS_OF, before, seedScores, setLastRun } from './rfm-fixtures.js'

const RFM = 'rfm { recency frequency monetary { amount currency } r f m segment computedAt }'
type Node = { id: string; name: string; rfm?: unknown }

await forEachDatabase(t, async (t, ctx) => {
  const north = await ctx.createTeam('North')
  const rep = await ctx.staff('sales', { teamId: north })
  const mate = await ctx.staff('sales', { teamId: north })
  const stranger = await ctx.staff('sales', { teamId: await ctx.createTeam('South') })
  const ids = await seedScores(ctx, { mine: mate.userId, other: stranger.userId })
  const nameOf = new Map(Object.entries(ids).map(([name, id]) => [id, name]))

  /** Names of the `rfm` customers a filter selects, through the one-statement plan and through the loaders; both must agree. */
  async function names(t: Tap, filter: Record<string, unknown>, token = ctx.adminToken): Promise<string[]> {
    const q = (extra: string) => `query($f: CustomerFilter) { customers(first: 200, filter: $f, orderBy: { field: name, direction: ASC }) { totalCount edges { node { id name ${extra} } } } }`
    const f = { tags: ['rfm'], ...filter }
    const planned = await ctx.gql(token, q(''), { f })
    const loaded = await ctx.gql(token, q('rfm { r }'), { f })
    t.notOk(planned.errors, JSON.stringify(planned.errors))
    const list = (r: GqlResult) => (r.data.customers.edges as { node: Node }[]).map((e) => e.node.name)
    t.same(list(loaded), list(planned), `${JSON.stringify(filter)}: the loaders' path agrees`)
    t.equal(planned.data.customers.totalCount, list(planned).length, 'totalCount counts the same filter')
    return list(planned).sort()
  }

  await t.test('Customer.rfm: the stored scores, monetary as Money, recency in whole days from the last run', async (t) => {
    const r = await ctx.gql(ctx.adminToken, `query($id: ID!) { customer(id: $id) { name ${RFM} } }`, { id: ids.R0 })
    t.same(r.data.customer, {
      name: 'R0',
      rfm: { recency: 1, frequency: 12, monetary: { amount: 900_000, currency: 'CNY' }, r: 5, f: 5, m: 5, segment: 'Champions', computedAt: AS_OF }
    })
    const recency = async (name: string) => (await ctx.gql(ctx.adminToken, 'query($id: ID!) { customer(id: $id) { rfm { recency } } }', { id: ids[name] })).data.customer.rfm.recency
    t.equal(await recency('R1'), 2, 'three days less a microsecond is 2 whole days')
    t.equal(await recency('R2'), 3, 'exactly three days is 3')
    t.equal(await recency('R11'), 0, 'six hours is 0')
    await setLastRun(ctx, before(-10))
    t.equal(await recency('R2'), 13, 'recency is not stored: it follows the last run\'s asOf')
    const later = await ctx.gql(ctx.adminToken, 'query($id: ID!) { customer(id: $id) { rfm { recency computedAt } } }', { id: ids.R0 })
    t.same(later.data.customer.rfm, { recency: 11, computedAt: before(-10) }, 'computedAt is the run the scores are current as of, even when it changed none of them')
    await setLastRun(ctx, AS_OF)
  })

  await t.test('Customer.rfm is null while unscored: a row of null scores, or no row at all', async (t) => {
    for (const name of ['R8', 'R9']) {
      const r = await ctx.gql(ctx.adminToken, `query($id: ID!) { customer(id: $id) { name ${RFM} } }`, { id: ids[name] })
      t.same(r.data.customer, { name, rfm: null })
      t.notOk(r.errors)
    }
  })

  await t.test('Customer.rfm for a page costs one statement, whatever the page size', async (t) => {
    const cost = async (n: number) => {
      const q = `query($n: Int!) { customers(first: $n, filter: { tags: ["rfm"] }) { edges { node { id ${RFM} } } } }`
      await ctx.gql(ctx.adminToken, q, { n })
      const start = ctx.queries
      const r = await ctx.gql(ctx.adminToken, q, { n })
      t.equal(r.data.customers.edges.length, n)
      return ctx.queries - start
    }
    const two = await cost(2)
    t.equal(two, 2, 'the page and the scores')
    t.equal(await cost(12), two)
  })

  await t.test('filters: segment (any of, free text), r, f, m (any of), scored; combined with and', async (t) => {
    t.same(await names(t, { segment: ['Champions'] }), ['R0', 'R11', 'R3'])
    t.same(await names(t, { segment: ['Champions', 'Lost'] }), ['R0', 'R11', 'R3', 'R5'])
    t.same(await names(t, { segment: ["Can't Lose Them"] }), ['R6'])
    t.same(await names(t, { segment: ['VIP (custom table)'] }), [], 'a name no row carries matches nothing, without error')
    t.same(await names(t, { r: [5] }), ['R0', 'R1', 'R11', 'R2'])
    t.same(await names(t, { r: [1, 2] }), ['R5', 'R6', 'R7'])
    t.same(await names(t, { f: [1] }), ['R2', 'R5', 'R7'])
    t.same(await names(t, { m: [5, 4] }), ['R0', 'R11', 'R3', 'R6'])
    t.same(await names(t, { r: [5], f: [5] }), ['R0', 'R11'])
    t.same(await names(t, { r: [5], segment: ['Loyal', 'New'], m: [1] }), ['R2'])
    t.same(await names(t, { scored: true }), ['R0', 'R1', 'R11', 'R2', 'R3', 'R4', 'R5', 'R6', 'R7'])
    t.same(await names(t, { scored: false }), ['R10', 'R8', 'R9'])
    t.same(await names(t, { scored: false, r: [5] }), [])
    t.same(await names(t, { r: [] }), (await names(t, {})), 'an empty list is no condition, as for the other list filters')
  })

  await t.test("a sales rep's filters stay within the team's customers", async (t) => {
    t.same(await names(t, { segment: ['Champions'] }, rep.token), ['R0'])
    t.same(await names(t, { scored: false }, rep.token), ['R8', 'R9'])
  })

  await t.test('segments: counts per configured segment in table order, zeros included, as of the last run', async (t) => {
    const q = '{ segments { computedAt total scored unscored segments { segment count } } }'
    const all = await ctx.gql(ctx.adminToken, q)
    t.notOk(all.errors)
    t.same(all.data.segments, {
      computedAt: AS_OF, total: 12, scored: 9, unscored: 3,
      segments: [
        { segment: 'Champions', count: 3 }, { segment: 'Loyal', count: 1 }, { segment: 'Potential Loyalist', count: 0 },
        { segment: 'New', count: 1 }, { segment: 'Promising', count: 0 }, { segment: 'Need Attention', count: 1 },
        { segment: 'About to Sleep', count: 0 }, { segment: "Can't Lose Them", count: 1 }, { segment: 'At Risk', count: 0 },
        { segment: 'Hibernating', count: 1 }, { segment: 'Lost', count: 1 }
      ]
    })
    const mine = await ctx.gql(rep.token, q)
    t.match(mine.data.segments, { total: 6, scored: 4, unscored: 2 }, "a rep counts only the team's customers")
    const counts = Object.fromEntries((mine.data.segments.segments as { segment: string; count: number }[]).map((s) => [s.segment, s.count]))
    t.match(counts, { Champions: 1, Loyal: 1, New: 1, Lost: 1, Hibernating: 0, "Can't Lose Them": 0 })
    const south = await ctx.gql(stranger.token, q)
    t.match(south.data.segments, { total: 6, scored: 5, unscored: 1 })
    const rest = await ctx.rest(rep.token, 'GET', '/api/v1/segments')
    t.equal(rest.statusCode, 200)
    t.same(rest.json(), mine.data.segments, 'REST answers the same')
  })

  await t.test('segments: a name from an earlier table follows the configured ones; deleted customers are not counted', async (t) => {
    const extra = (await ctx.rest(ctx.adminToken, 'POST', '/api/v1/customers', { name: 'Old table', tags: ['rfm-extra'] })).json().id
    await ctx.sql(`insert into customer_scores (customer_id, paid_orders, net_paid, recency_from, frequency, monetary, r, f, m, segment, computed_at)
      values ($1, 1, 10, $2, 1, 10, 3, 3, 3, 'Sleepers', $2)`, [extra, AS_OF])
    const gone = (await ctx.rest(ctx.adminToken, 'POST', '/api/v1/customers', { name: 'Gone', tags: ['rfm-extra'] })).json().id
    await ctx.sql(`insert into customer_scores (customer_id, paid_orders, net_paid, recency_from, frequency, monetary, r, f, m, segment, computed_at)
      values ($1, 1, 10, $2, 1, 10, 5, 5, 5, 'Champions', $2)`, [gone, AS_OF])
    t.equal((await ctx.rest(ctx.adminToken, 'DELETE', `/api/v1/customers/${gone}`)).statusCode, 204)
    const r = (await ctx.rest(ctx.adminToken, 'GET', '/api/v1/segments')).json()
    t.match(r, { total: 13, scored: 10, unscored: 3 })
    t.same(r.segments.at(-1), { segment: 'Sleepers', count: 1 })
    t.same(r.segments[0], { segment: 'Champions', count: 3 })
    await ctx.rest(ctx.adminToken, 'DELETE', `/api/v1/customers/${extra}`)
  })

  await t.test('segments before any recompute: computedAt null, everyone with stored scores still counted', async (t) => {
    await setLastRun(ctx, null)
    const r = await ctx.gql(ctx.adminToken, '{ segments { computedAt total } }')
    t.same(r.data.segments, { computedAt: null, total: 12 })
    await setLastRun(ctx, AS_OF)
  })

  await t.test('segments needs customer read access, checked in the service', async (t) => {
    const ordersOnly = await ctx.keyToken('integration', { entities: ['orders'] })
    const r = await ctx.gql(ordersOnly, '{ segments { total } }')
    t.equal(r.errors?.[0].extensions?.code, 'FORBIDDEN')
    t.equal((await ctx.rest(ordersOnly, 'GET', '/api/v1/segments')).statusCode, 403)
  })

  await t.test('REST: a customer and the list carry rfm (null while unscored); the filters are query parameters', async (t) => {
    const one = await ctx.rest(rep.token, 'GET', `/api/v1/customers/${ids.R1}`)
    t.equal(one.statusCode, 200)
    t.same(one.json().rfm, { recency: 2, frequency: 6, monetary: { amount: 120_000, currency: 'CNY' }, r: 5, f: 4, m: 2, segment: 'Loyal', computedAt: AS_OF })
    t.equal((await ctx.rest(rep.token, 'GET', `/api/v1/customers/${ids.R8}`)).json().rfm, null)
    t.equal((await ctx.rest(rep.token, 'GET', `/api/v1/customers/${ids.R3}`)).statusCode, 404, "another team's customer stays hidden")
    const list = await ctx.rest(ctx.adminToken, 'GET', '/api/v1/customers?tag=rfm&segment=Champions&segment=Lost&r=5&r=1')
    t.equal(list.statusCode, 200)
    const data = list.json().data as (Node & { rfm: { segment: string } | null })[]
    t.same(data.map((c) => c.name).sort(), ['R0', 'R11', 'R5'])
    t.ok(data.every((c) => c.rfm && ['Champions', 'Lost'].includes(c.rfm.segment)))
    const unscored = (await ctx.rest(ctx.adminToken, 'GET', '/api/v1/customers?tag=rfm&scored=false')).json().data as (Node & { rfm: unknown })[]
    t.same(unscored.map((c) => c.name).sort(), ['R10', 'R8', 'R9'])
    t.ok(unscored.every((c) => c.rfm === null))
    const single = (await ctx.rest(ctx.adminToken, 'GET', '/api/v1/customers?tag=rfm&f=1&m=1')).json().data as Node[]
    t.same(single.map((c) => c.name).sort(), ['R2', 'R5'], 'one value is a list of one')
    const written = await ctx.rest(ctx.adminToken, 'PATCH', `/api/v1/customers/${ids.R0}`, { company: 'Still scored' })
    t.equal(written.statusCode, 200)
    t.notOk('rfm' in written.json(), 'write answers leave rfm out (documented)')
  })

  await t.test('bad filters are 400 problems / BAD_USER_INPUT, never 500', async (t) => {
    const q = 'query($f: CustomerFilter) { customers(filter: $f) { totalCount } }'
    for (const f of [{ r: [0] }, { f: [6] }, { m: [1, 1] }, { segment: [''] }, { segment: Array.from({ length: 51 }, (_, i) => `S${i}`) }, { r: [1.5] }, { scored: 'yes' }, { r: ['5'] }]) {
      const r = await ctx.gql(ctx.adminToken, q, { f })
      t.equal(r.errors?.[0].extensions?.code, 'BAD_USER_INPUT', JSON.stringify(f))
      t.equal(r.status < 500, true)
    }
    const badOrder = await ctx.gql(ctx.adminToken, '{ customers(orderBy: { field: RECENCY }) { totalCount } }')
    t.equal(badOrder.errors?.[0].extensions?.code, 'BAD_USER_INPUT')
    for (const qs of ['r=0', 'r=6', 'f=x', 'm=1&m=1', 'scored=maybe', 'orderBy=R', `segment=${'x'.repeat(61)}`, Array.from({ length: 6 }, (_, i) => `r=${i + 1}`).join('&')]) {
      const res = await ctx.rest(ctx.adminToken, 'GET', `/api/v1/customers?${qs}`)
      t.equal(res.statusCode, 400, qs)
      t.match(res.headers['content-type'], /application\/problem\+json/)
    }
  })

  await t.test('a plain list does not read customer_scores at all', async (t) => {
    // With the table out of the way, only a query that joins it would fail.
    await ctx.sql('alter table customer_scores rename to customer_scores_away')
    try {
      const planned = await ctx.gql(ctx.adminToken, '{ customers(first: 5, filter: { tags: ["rfm"] }, orderBy: { field: name, direction: ASC }) { totalCount edges { node { id name owner { id } } } } }')
      t.notOk(planned.errors, 'the one-statement plan and its count')
      const loaded = await ctx.gql(ctx.adminToken, '{ customers(first: 5, filter: { tags: ["rfm"] }) { totalCount edges { node { id consent { granted } } } } }')
      t.notOk(loaded.errors, 'the loaders\' path and its count')
      const scored = await ctx.gql(ctx.adminToken, '{ customers(first: 5, filter: { r: [5] }) { totalCount } }')
      t.ok(scored.errors, 'a score filter does read it')
    } finally {
      await ctx.sql('alter table customer_scores_away rename to customer_scores')
    }
  })
})
