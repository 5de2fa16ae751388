import t from 'tap'
import { forEachDatabase, type GqlResult } from '../../helper.js'
import { encodeCursor } from '../../../src/db/paging.js'
import { seedScores } from './rfm-fixtures.js'

type Rfm = { r: number; f: number; m: number; frequency: number; monetary: { amount: number }; segment: string }
type Node = { id: string; name: string; rfm?: Rfm | null; owner?: unknown; consent?: unknown }
type Conn = { totalCount: number; edges: { cursor: string; node: Node }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } }

const fields = ['r', 'f', 'm', 'monetary', 'frequency', 'segment'] as const
const columns: Record<(typeof fields)[number], string> = { r: 's.r', f: 's.f', m: 's.m', monetary: 's.monetary', frequency: 's.frequency', segment: 's.segment' }
const value = (rfm: Rfm, field: (typeof fields)[number]) => (field === 'monetary' ? rfm.monetary.amount : rfm[field])

await forEachDatabase(t, async (t, ctx) => {
  const team = await ctx.createTeam()
  const rep = await ctx.staff('sales', { teamId: team })
  const other = await ctx.staff('sales', { teamId: await ctx.createTeam() })
  await seedScores(ctx, { mine: rep.userId, other: other.userId })

  /** Every page of `first` customers tagged rfm in this order; `extra` picks the plan (loaders when rfm or consent is selected). */
  async function walk(order: { field: string; direction: string }, first: number, extra: string, filter: Record<string, unknown> = {}) {
    const q = `query($after: String, $o: CustomerOrder, $n: Int, $f: CustomerFilter) {
      customers(first: $n, after: $after, orderBy: $o, filter: $f) { totalCount edges { cursor node { id name ${extra} } } pageInfo { hasNextPage endCursor } } }`
    const nodes: Node[] = []
    const totals = new Set<number>()
    let after: string | null = null
    for (let pages = 0; pages < 50; pages++) {
      const r: GqlResult<{ customers: Conn }> = await ctx.gql(ctx.adminToken, q, { after, o: order, n: first, f: { tags: ['rfm'], ...filter } })
      if (r.errors) throw new Error(JSON.stringify(r.errors))
      nodes.push(...r.data.customers.edges.map((e) => e.node))
      totals.add(r.data.customers.totalCount)
      if (!r.data.customers.pageInfo.hasNextPage) break
      after = r.data.customers.pageInfo.endCursor
    }
    return { nodes, totals: [...totals] }
  }

  /** The same order by the database, as the reference (text order follows its collation). */
  async function reference(field: (typeof fields)[number], direction: 'ASC' | 'DESC', where = 'true') {
    const rows = await ctx.sql<{ id: string }>(`select c.id from customers c left join customer_scores s on s.customer_id = c.id
      where 'rfm' = any(c.tags) and c.deleted_at is null and ${where} order by ${columns[field]} ${direction} nulls last, c.id ${direction}`)
    return rows.map((r) => r.id)
  }

  for (const field of fields) {
    for (const direction of ['ASC', 'DESC'] as const) {
      await t.test(`orderBy ${field} ${direction}: pages of 2 across ties and unscored customers, both plans`, async (t) => {
        const expected = await reference(field, direction)
        const planned = await walk({ field, direction }, 2, '')
        const loaded = await walk({ field, direction }, 2, 'rfm { r f m frequency monetary { amount } segment }')
        t.same(planned.nodes.map((n) => n.id), expected, 'the one-statement plan, page by page')
        t.same(loaded.nodes.map((n) => n.id), expected, 'the loaders\' path, page by page')
        t.same(planned.totals, [12])
        // Independently of SQL: scored first, in order, ties by id; the three unscored last.
        const rfms = loaded.nodes.map((n) => n.rfm ?? null)
        t.same(rfms.slice(9), [null, null, null], 'unscored customers last')
        const sign = direction === 'ASC' ? 1 : -1
        for (let i = 1; i < 9; i++) {
          const a = value(rfms[i - 1]!, field)
          const b = value(rfms[i]!, field)
          if (a === b) t.ok(sign * loaded.nodes[i - 1].id.localeCompare(loaded.nodes[i].id) < 0, `tie at ${i} broken by id`)
          else if (typeof a === 'number' && typeof b === 'number') t.ok(sign * (b - a) > 0, `${a} then ${b}`)
        }
        const unscored = loaded.nodes.slice(9).map((n) => n.id)
        t.same(unscored, [...unscored].sort((a, b) => sign * a.localeCompare(b)), 'unscored by id, in the direction asked')
        const rest: string[] = []
        let cursor: string | null = null
        do {
          const res = await ctx.rest(ctx.adminToken, 'GET', `/api/v1/customers?tag=rfm&limit=3&orderBy=${field}&direction=${direction.toLowerCase()}${cursor ? `&cursor=${cursor}` : ''}`)
          t.equal(res.statusCode, 200)
          rest.push(...(res.json().data as Node[]).map((c) => c.id))
          cursor = res.json().nextCursor
        } while (cursor)
        t.same(rest, expected, 'REST pages the same')
      })
    }
  }

  await t.test('a score order with a score filter, and within a rep\'s reach', async (t) => {
    const filtered = await walk({ field: 'monetary', direction: 'DESC' }, 1, '', { scored: true, m: [5, 4, 3] })
    t.same(filtered.nodes.map((n) => n.id), await reference('monetary', 'DESC', 's.m in (3, 4, 5)'))
    t.same(filtered.totals, [5])
    const q = '{ customers(first: 200, filter: { tags: ["rfm"] }, orderBy: { field: segment, direction: ASC }) { totalCount edges { node { name rfm { segment } } } } }'
    const mine = await ctx.gql(rep.token, q)
    t.equal(mine.data.customers.totalCount, 6)
    t.same(mine.data.customers.edges.slice(-2).map((e: { node: Node }) => e.node.rfm), [null, null], "the rep's unscored customers last")
  })

  await t.test('the unfiltered first page by a score (a prepared, fixed statement) joins the scores too', async (t) => {
    const expected = await reference('monetary', 'DESC')
    for (let round = 0; round < 2; round++) {
      const rest = await ctx.rest(ctx.adminToken, 'GET', '/api/v1/customers?orderBy=monetary&direction=desc&limit=200')
      t.same((rest.json().data as Node[]).map((c) => c.id), expected, `REST, call ${round + 1}`)
      const gql = await ctx.gql(ctx.adminToken, '{ customers(first: 200, orderBy: { field: monetary, direction: DESC }) { edges { node { id } } } }')
      t.same((gql.data.customers.edges as { node: Node }[]).map((e) => e.node.id), expected, `GraphQL, call ${round + 1}`)
    }
  })

  await t.test('a page ordered by a score is still one statement with its relations, the same as the loaders give', async (t) => {
    const q = (extra: string) => `{ customers(first: 5, filter: { tags: ["rfm"] }, orderBy: { field: r, direction: DESC }) { edges { cursor node { id name owner { id name } ${extra} } } } }`
    const start = ctx.queries
    const planned = await ctx.gql(ctx.adminToken, q(''))
    t.equal(ctx.queries - start, 1, 'one statement')
    const reference = await ctx.gql(ctx.adminToken, q('consent { granted }'))
    type Edge = { cursor: string; node: Node }
    t.same(planned.data.customers.edges, (reference.data.customers.edges as Edge[]).map(({ node: { consent: _c, ...node }, cursor }) => ({ cursor, node })))
  })

  await t.test('cursors: only for the order that issued them; a forged value is BAD_USER_INPUT, not a 500', async (t) => {
    const q = 'query($after: String, $o: CustomerOrder) { customers(first: 2, after: $after, orderBy: $o) { edges { cursor } } }'
    const first = await ctx.gql(ctx.adminToken, q, { o: { field: 'r', direction: 'ASC' } })
    const cursor = first.data.customers.edges[1].cursor
    const mixed = await ctx.gql(ctx.adminToken, q, { after: cursor, o: { field: 'f', direction: 'ASC' } })
    t.equal(mixed.errors?.[0].extensions?.code, 'BAD_USER_INPUT')
    const id = '01900000-0000-7000-8000-000000000000'
    for (const [field, forged] of [['r', '9'], ['r', 'x'], ['frequency', '99999999999'], ['monetary', '1e5'], ['m', '']] as const) {
      const r = await ctx.gql(ctx.adminToken, q, { after: encodeCursor(field, forged, id), o: { field, direction: 'ASC' } })
      t.equal(r.errors?.[0].extensions?.code, 'BAD_USER_INPUT', `${field} ${forged}`)
    }
    const quoted = await ctx.gql(ctx.adminToken, q, { after: encodeCursor('segment', "x'); drop table customers; --", id), o: { field: 'segment', direction: 'ASC' } })
    t.notOk(quoted.errors, 'a segment value is a bound parameter')
    const rest = await ctx.rest(ctx.adminToken, 'GET', `/api/v1/customers?orderBy=r&cursor=${encodeCursor('r', 'x', id)}`)
    t.equal(rest.statusCode, 400)
  })
})
