import t from 'tap'
import fc from 'fast-check'
import { forEachDatabase } from '../../helper.js'
import { buildWorld, expected, filterArb, toFilter, worldArb } from './related-fixtures.js'

const LIST = `query($f: CustomerFilter, $after: String) {
  customers(first: 2, filter: $f, after: $after) { totalCount edges { node { id } } pageInfo { hasNextPage endCursor } } }`

/** Every id of a filtered list, page by page (2 a page: keyset paging under the filter), and its totalCount. */
async function listAll(ctx: Parameters<Parameters<typeof forEachDatabase>[1]>[1], token: string, filter: Record<string, unknown>) {
  const ids: string[] = []
  let after: string | null = null
  let total = -1
  do {
    const r: { data: { customers: { totalCount: number; edges: { node: { id: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } } } =
      await ctx.gql(token, LIST, { f: filter, after })
    if (!r.data?.customers) throw new Error(JSON.stringify(r))
    total = r.data.customers.totalCount
    ids.push(...r.data.customers.edges.map((e) => e.node.id))
    after = r.data.customers.pageInfo.hasNextPage ? r.data.customers.pageInfo.endCursor : null
  } while (after)
  return { ids: ids.sort(), total }
}

/** The same filter as REST query parameters (arrays repeated; REST's `tier` takes one value: null otherwise). */
function query(filter: Record<string, unknown>): string | null {
  const p = new URLSearchParams({ limit: '200' })
  for (const [k, v] of Object.entries(filter)) {
    if (k === 'tier' && (v as string[]).length > 1) return null
    if (Array.isArray(v)) for (const x of v) p.append(k === 'tags' ? 'tag' : k, String(x))
    else p.append(k, String(v))
  }
  return p.toString()
}

await forEachDatabase(t, async (t, ctx) => {
  const team = await ctx.createTeam()
  const rep = await ctx.staff('sales', { teamId: team })
  const other = await ctx.staff('sales', { teamId: await ctx.createTeam() })
  const campaigns: [string, string, string] = ['', '', '']
  for (const i of [0, 1, 2]) {
    const res = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/campaigns', { name: `Related ${i}`, status: 'active' })
    campaigns[i] = res.json().id
  }
  const reps = { ids: [rep.userId, other.userId] as [string, string], teamOf0: team }

  let some = 0
  let none = 0
  await t.test('the filtered list is exactly the customers an independent model picks, for admin and a sales rep, GraphQL paged and REST', async (t) => {
    await fc.assert(fc.asyncProperty(worldArb, fc.array(filterArb, { minLength: 6, maxLength: 6 }), async (spec, filters) => {
      const world = await buildWorld(ctx, spec, [campaigns[0], campaigns[1]], reps)
      for (const [i, f] of filters.entries()) {
        const filter = toFilter(world, f, campaigns)
        for (const viewer of [{ token: ctx.adminToken, rep: null }, { token: rep.token, rep: 0 as const, repId: rep.userId }]) {
          const want = expected(world, f, campaigns, viewer)
          if (want.length) some++
          else none++
          const got = await listAll(ctx, viewer.token, filter)
          t.strictSame(got.ids, want, `filter ${JSON.stringify(f)} as ${viewer.rep === null ? 'admin' : 'rep'}`)
          t.equal(got.total, want.length, 'totalCount agrees')
          const q = query(filter)
          if (i % 2 === 0 && q) {
            const res = await ctx.rest(viewer.token, 'GET', `/api/v1/customers?${q}`)
            t.strictSame(res.json().data.map((c: { id: string }) => c.id).sort(), want, 'REST agrees')
          }
        }
      }
    }), { numRuns: 5, seed: Number(process.env.FC_SEED ?? Date.now() % 2 ** 31) })
    t.ok(some > 5 && none > 5, `both matching and empty lists were checked (${some} and ${none})`)
  })
})
