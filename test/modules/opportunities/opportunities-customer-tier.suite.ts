import t from 'tap'
import fc from 'fast-check'
import { randomBytes } from 'node:crypto'
import { forEachDatabase, type TestApp } from '../../helper.js'

const LIST = `query($f: OpportunityFilter, $after: String, $first: Int) {
  opportunities(first: $first, after: $after, filter: $f, orderBy: { field: name, direction: ASC }) {
    totalCount edges { node { name } } pageInfo { hasNextPage endCursor } } }`

async function post(ctx: TestApp, url: string, body: unknown): Promise<{ id: string }> {
  const res = await ctx.rest(ctx.adminToken, 'POST', url, body)
  if (res.statusCode !== 201) throw new Error(`POST ${url}: ${res.body}`)
  return res.json()
}

await forEachDatabase(t, async (t, ctx) => {
  const north = await ctx.createTeam()
  const alice = await ctx.staff('sales', { teamId: north })
  const carol = await ctx.staff('sales', { teamId: await ctx.createTeam() })
  const campaign = await post(ctx, '/api/v1/campaigns', { name: '大客户', status: 'active' })
  const a = await post(ctx, '/api/v1/customers', { name: 'Tier A', tier: 'A', ownerId: alice.userId })
  const b = await post(ctx, '/api/v1/customers', { name: 'Tier B', tier: 'B', ownerId: alice.userId })
  const none = await post(ctx, '/api/v1/customers', { name: 'No tier', ownerId: alice.userId })
  const carols = await post(ctx, '/api/v1/customers', { name: "Carol's A", tier: 'A', ownerId: carol.userId })
  const gone = await post(ctx, '/api/v1/customers', { name: 'Deleted A', tier: 'A' })
  const deal = (name: string, customerId: string, extra: Record<string, unknown> = {}) => post(ctx, '/api/v1/opportunities', { customerId, name, ownerId: alice.userId, ...extra })
  await deal('a1', a.id, { campaignId: campaign.id })
  await deal('a2', a.id, { stage: 'won' })
  await deal('b1', b.id)
  await deal('n1', none.id)
  await deal('c1', carols.id)
  await deal('g1', gone.id)
  t.equal((await ctx.rest(ctx.adminToken, 'DELETE', `/api/v1/customers/${gone.id}`)).statusCode, 204)
  const names = async (token: string, f: Record<string, unknown>) => {
    const r = await ctx.gql(token, LIST, { f, first: 200 })
    if (!r.data?.opportunities) throw new Error(JSON.stringify(r))
    return r.data.opportunities.edges.map((e: { node: { name: string } }) => e.node.name)
  }

  await t.test("customerTier matches the live customer's tier, on both transports", async (t) => {
    t.strictSame(await names(ctx.adminToken, { customerTier: ['A'] }), ['a1', 'a2', 'c1'], "a deleted customer's deals match no tier")
    t.strictSame(await names(ctx.adminToken, { customerTier: ['A', 'B'] }), ['a1', 'a2', 'b1', 'c1'])
    t.strictSame(await names(ctx.adminToken, { customerTier: ['C'] }), [], 'a customer without a tier matches none')
    const inline = await ctx.gql(ctx.adminToken, '{ opportunities(filter: { customerTier: [B] }) { totalCount edges { node { name } } } }')
    t.strictSame(inline.data.opportunities, { totalCount: 1, edges: [{ node: { name: 'b1' } }] })
    const rest = await ctx.rest(ctx.adminToken, 'GET', '/api/v1/opportunities?customerTier=A&customerTier=B&orderBy=name&direction=asc')
    t.strictSame(rest.json().data.map((o: { name: string }) => o.name), ['a1', 'a2', 'b1', 'c1'])
  })

  await t.test('combines with the other filters, pages and counts', async (t) => {
    t.strictSame(await names(ctx.adminToken, { customerTier: ['A'], open: true }), ['a1', 'c1'])
    t.strictSame(await names(ctx.adminToken, { customerTier: ['A'], campaignId: campaign.id }), ['a1'])
    t.strictSame(await names(ctx.adminToken, { customerTier: ['A', 'B'], ownerId: alice.userId, search: '1' }), ['a1', 'b1', 'c1'])
    const seen: string[] = []
    let after: string | null = null
    do {
      const r: { data: { opportunities: { totalCount: number; edges: { node: { name: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } } } =
        await ctx.gql(ctx.adminToken, LIST, { f: { customerTier: ['A', 'B'] }, first: 3, after })
      t.equal(r.data.opportunities.totalCount, 4)
      seen.push(...r.data.opportunities.edges.map((e) => e.node.name))
      after = r.data.opportunities.pageInfo.hasNextPage ? r.data.opportunities.pageInfo.endCursor : null
    } while (after)
    t.strictSame(seen, ['a1', 'a2', 'b1', 'c1'])
  })

  await t.test("a sales rep's deals match only through customers they may see", async (t) => {
    t.strictSame(await names(alice.token, { customerTier: ['A'] }), ['a1', 'a2'], "c1 is Alice's deal on Carol's customer: its tier is not Alice's to see")
    t.strictSame(await names(carol.token, { customerTier: ['A'] }), [], "Carol's customer, but not Carol's deal")
    for (const role of ['manager', 'marketing', 'service']) {
      t.strictSame(await names((await ctx.staff(role)).token, { customerTier: ['A'] }), ['a1', 'a2', 'c1'], role)
    }
    t.strictSame(await names(await ctx.keyToken('integration', { entities: ['opportunities'] }), { customerTier: ['A'] }), [], 'a key that may not read customers finds none')
  })

  await t.test('a tier outside A, B, C is refused naming the field', async (t) => {
    const inline = await ctx.gql(ctx.adminToken, '{ opportunities(filter: { customerTier: [D] }) { totalCount } }')
    t.equal(inline.errors?.[0].extensions?.code, 'BAD_USER_INPUT')
    const variables = await ctx.gql(ctx.adminToken, LIST, { f: { customerTier: ['a'] } })
    t.equal(variables.errors?.[0].extensions?.code, 'BAD_USER_INPUT')
    t.match(JSON.stringify(variables.errors), /customerTier/)
    const rest = await ctx.rest(ctx.adminToken, 'GET', '/api/v1/opportunities?customerTier=D', undefined, { 'accept-language': 'zh-CN' })
    t.equal(rest.statusCode, 400)
    t.match(rest.json().errors, [{ field: 'customerTier.0', message: /不是允许的取值/ }])
  })

  await t.test("property: the filtered list is the live deals whose live customer's tier is one asked", async (t) => {
    const tiers = ['A', 'B', 'C'] as const
    await fc.assert(fc.asyncProperty(
      fc.array(fc.record({ tier: fc.option(fc.constantFrom(...tiers), { nil: null }), deleted: fc.boolean(), deals: fc.array(fc.boolean(), { maxLength: 2 }) }), { minLength: 1, maxLength: 4 }),
      fc.array(fc.subarray([...tiers], { minLength: 1 }), { minLength: 3, maxLength: 3 }),
      async (spec, filters) => {
        const run = randomBytes(3).toString('hex')
        const rows: { name: string; tier: string | null; live: boolean }[] = []
        for (const [i, c] of spec.entries()) {
          const customer = await post(ctx, '/api/v1/customers', { name: `P ${run}`, tier: c.tier })
          for (const [j, dealDeleted] of c.deals.entries()) {
            const name = `p${run}-${i}-${j}`
            const opp = await post(ctx, '/api/v1/opportunities', { customerId: customer.id, name })
            if (dealDeleted) await ctx.rest(ctx.adminToken, 'DELETE', `/api/v1/opportunities/${opp.id}`)
            rows.push({ name, tier: c.tier, live: !c.deleted && !dealDeleted })
          }
          if (c.deleted) await ctx.rest(ctx.adminToken, 'DELETE', `/api/v1/customers/${customer.id}`)
        }
        for (const f of filters) {
          const want = rows.filter((r) => r.live && r.tier !== null && (f as string[]).includes(r.tier)).map((r) => r.name).sort()
          const r = await ctx.gql(ctx.adminToken, LIST, { f: { customerTier: f, search: `p${run}` }, first: 200 })
          t.strictSame(r.data.opportunities.edges.map((e: { node: { name: string } }) => e.node.name).sort(), want, JSON.stringify(f))
          t.equal(r.data.opportunities.totalCount, want.length)
        }
      }), { numRuns: 5 })
  })
})
