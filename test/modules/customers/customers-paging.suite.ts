import t from 'tap'
import { forEachDatabase } from '../../helper.js'

const PAGE = `query($after: String, $order: CustomerOrder) {
  customers(first: 200, after: $after, filter: { tags: ["paging"] }, orderBy: $order) {
    totalCount edges { cursor node { id name } } pageInfo { hasNextPage endCursor }
  }
}`

await forEachDatabase(t, async (t, ctx) => {
  // 1,000 customers in one statement (what is tested is reading them; creating one is tested elsewhere).
  // Their times are the hard case for a keyset cursor: groups of 100 in one millisecond, told apart only
  // by microseconds, and exact ties within each group (updatedAt grouped otherwise, so the orders differ).
  const rows = await ctx.sql<{ id: string }>(`insert into customers (id, name, tags, created_at, updated_at)
    select gen_random_uuid(), 'Paging ' || lpad(i::text, 4, '0'), array['paging'],
      timestamptz '2026-03-01 08:00:00.123456+00' + (i / 100) * interval '1 millisecond' + (i % 37) * interval '1 microsecond',
      timestamptz '2026-03-02 08:00:00.654321+00' + (i % 10) * interval '1 millisecond' + (i / 40) * interval '1 microsecond'
    from generate_series(0, 999) as i returning id`)
  const ids = new Set(rows.map((r) => r.id))
  t.equal(ids.size, 1000)

  for (const order of [{ field: 'createdAt', direction: 'DESC' }, { field: 'name', direction: 'ASC' }, { field: 'updatedAt', direction: 'ASC' }]) {
    await t.test(`pages through 1,000 customers by ${order.field} ${order.direction} without gaps or repeats`, async (t) => {
      const seen: string[] = []
      let after: string | null = null
      let pages = 0
      do {
        const r: { data: { customers: { totalCount: number; edges: { node: { id: string; name: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } } } =
          await ctx.gql(ctx.adminToken, PAGE, { after, order })
        const conn = r.data.customers
        t.equal(conn.totalCount, 1000)
        seen.push(...conn.edges.map((e) => e.node.id))
        after = conn.pageInfo.hasNextPage ? conn.pageInfo.endCursor : null
        pages++
      } while (after)
      t.equal(pages, 5)
      t.equal(seen.length, 1000, 'no repeats or gaps in count')
      t.equal(new Set(seen).size, 1000, 'no repeats')
      t.ok(seen.every((id) => ids.has(id)), 'only the customers created')
    })
  }

  await t.test('REST pages with limit and cursor cover the same set', async (t) => {
    const seen = new Set<string>()
    let cursor: string | null = null
    do {
      const res = await ctx.rest(ctx.adminToken, 'GET', `/api/v1/customers?tag=paging&limit=150${cursor ? `&cursor=${cursor}` : ''}`)
      t.equal(res.statusCode, 200)
      const body: { data: { id: string }[]; nextCursor: string | null } = res.json()
      for (const c of body.data) seen.add(c.id)
      cursor = body.nextCursor
    } while (cursor)
    t.equal(seen.size, 1000)
  })

  await t.test('refuses first above 200 and a forged cursor with BAD_USER_INPUT', async (t) => {
    const big = await ctx.gql(ctx.adminToken, '{ customers(first: 201) { totalCount } }')
    t.equal(big.errors?.[0].extensions?.code, 'BAD_USER_INPUT')
    const forged = await ctx.gql(ctx.adminToken, '{ customers(after: "bm90LWEtY3Vyc29y") { totalCount } }')
    t.equal(forged.errors?.[0].extensions?.code, 'BAD_USER_INPUT')
    const other = await ctx.gql(ctx.adminToken, PAGE, { order: { field: 'name', direction: 'ASC' } })
    const mixed = await ctx.gql(ctx.adminToken, PAGE, { after: other.data.customers.pageInfo.endCursor, order: { field: 'createdAt', direction: 'DESC' } })
    t.equal(mixed.errors?.[0].extensions?.code, 'BAD_USER_INPUT', 'a cursor only continues the ordering that issued it')
    const rest = await ctx.rest(ctx.adminToken, 'GET', '/api/v1/customers?limit=500')
    t.equal(rest.statusCode, 400)
  })
})
