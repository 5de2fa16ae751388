import t from 'tap'
import { forEachDatabase, type TestApp } from '../../helper.js'

const LIST = `query($f: CustomerFilter, $first: Int, $after: String) {
  customers(first: $first, after: $after, filter: $f, orderBy: { field: name, direction: ASC }) {
    totalCount edges { node { name } } pageInfo { hasNextPage endCursor } } }`

async function post(ctx: TestApp, url: string, body: unknown): Promise<{ id: string }> {
  const res = await ctx.rest(ctx.adminToken, 'POST', url, body)
  if (res.statusCode !== 201) throw new Error(`POST ${url}: ${res.body}`)
  return res.json()
}

await forEachDatabase(t, async (t, ctx) => {
  const tag = 'related'
  const names = async (filter: Record<string, unknown>) => {
    const r = await ctx.gql(ctx.adminToken, LIST, { f: { tags: [tag], ...filter }, first: 200 })
    if (!r.data?.customers) throw new Error(JSON.stringify(r))
    return r.data.customers.edges.map((e: { node: { name: string } }) => e.node.name)
  }
  const restNames = async (query: string) => {
    const res = await ctx.rest(ctx.adminToken, 'GET', `/api/v1/customers?tag=${tag}&orderBy=name&direction=asc&${query}`)
    t.equal(res.statusCode, 200, res.body)
    return res.json().data.map((c: { name: string }) => c.name)
  }

  const partner = await post(ctx, '/api/v1/referrers', { kind: 'partner', name: '渠道伙伴', tier: 'gold' })
  const employee = await post(ctx, '/api/v1/referrers', { kind: 'employee', name: '员工', tier: 'standard' })
  const gone = await post(ctx, '/api/v1/referrers', { kind: 'influencer', name: '博主', tier: 'gold' })
  const spring = await post(ctx, '/api/v1/campaigns', { name: '春季推荐', status: 'active' })
  const unused = await post(ctx, '/api/v1/campaigns', { name: '无人参与', status: 'active' })
  const customer = (name: string, extra: Record<string, unknown> = {}) => post(ctx, '/api/v1/customers', { name, tags: [tag], ...extra })

  // A: partner's, came through a spring referral, an open deal, contacted 10 days ago.
  const a = await customer('A', { referrerId: partner.id, tier: 'A' })
  const referral = await post(ctx, '/api/v1/referrals', { referrerId: partner.id, name: '被推荐人', phone: '13700000001', campaignId: spring.id })
  await ctx.sql('update customers set referred_by_referral_id = $1 where id = $2', [referral.id, a.id])
  await post(ctx, '/api/v1/opportunities', { customerId: a.id, name: 'A deal', stage: 'proposal' })
  const tenDaysAgo = new Date(Date.now() - 10 * 86_400_000).toISOString()
  await post(ctx, '/api/v1/activities', { kind: 'call', customerId: a.id, occurredAt: tenDaysAgo })
  // B: employee's, a won deal of the spring campaign, contacted just now.
  const b = await customer('B', { referrerId: employee.id, tier: 'B' })
  await post(ctx, '/api/v1/opportunities', { customerId: b.id, name: 'B deal', stage: 'won', campaignId: spring.id })
  await post(ctx, '/api/v1/activities', { kind: 'visit', customerId: b.id })
  // C: an order of the spring campaign; its only open deal was deleted; never contacted.
  const c = await customer('C', { tier: 'A' })
  await post(ctx, '/api/v1/orders', { customerId: c.id, amount: { amount: 5000 }, campaignId: spring.id })
  const deleted = await post(ctx, '/api/v1/opportunities', { customerId: c.id, name: 'C deal', stage: 'negotiation', campaignId: unused.id })
  t.equal((await ctx.rest(ctx.adminToken, 'DELETE', `/api/v1/opportunities/${deleted.id}`)).statusCode, 204)
  // D: credited to a referrer since deleted; worked as a lead 5 days ago, then converted onto D.
  const d = await customer('D', { referrerId: gone.id })
  t.equal((await ctx.rest(ctx.adminToken, 'DELETE', `/api/v1/referrers/${gone.id}`)).statusCode, 204)
  const lead = await post(ctx, '/api/v1/leads', { source: 'manual', name: 'D lead' })
  const leadCall = await post(ctx, '/api/v1/activities', { kind: 'call', leadId: lead.id })
  await ctx.sql('update activities set occurred_at = $1 where id = $2', [new Date(Date.now() - 5 * 86_400_000).toISOString(), leadCall.id])
  await ctx.gql(ctx.adminToken, 'mutation($id: ID!) { updateLeadStatus(id: $id, status: qualified) { userErrors { message } } }', { id: lead.id })
  const conv = await ctx.gql(ctx.adminToken, 'mutation($id: ID!, $i: ConvertLeadInput) { convertLead(id: $id, input: $i) { userErrors { field message } } }',
    { id: lead.id, i: { existingCustomerId: d.id, createOpportunity: false } })
  t.strictSame(conv.data.convertLead.userErrors, [])

  await t.test('referrerKind and referrerTier match the live referrer credited with the customer', async (t) => {
    t.strictSame(await names({ referrerKind: ['partner'] }), ['A'])
    t.strictSame(await names({ referrerKind: ['partner', 'employee'] }), ['A', 'B'])
    t.strictSame(await names({ referrerKind: ['influencer'] }), [], 'a deleted referrer credits nobody')
    t.strictSame(await names({ referrerTier: ['gold'] }), ['A'])
    t.strictSame(await names({ referrerTier: ['Gold'] }), [], 'tiers match exactly')
    const inline = await ctx.gql(ctx.adminToken, `{ customers(filter: { tags: ["${tag}"], referrerKind: [employee, influencer], referrerTier: ["standard"] }) { totalCount edges { node { name } } } }`)
    t.strictSame(inline.data.customers.edges.map((e: { node: { name: string } }) => e.node.name), ['B'])
    t.equal(inline.data.customers.totalCount, 1)
    t.strictSame(await restNames('referrerKind=partner&referrerKind=employee'), ['A', 'B'], 'REST repeats the parameter for a list')
    t.strictSame(await restNames('referrerTier=gold'), ['A'])
  })

  await t.test('campaignId: a referral, a live opportunity or a live order of the campaign', async (t) => {
    t.strictSame(await names({ campaignId: spring.id }), ['A', 'B', 'C'], 'A by referral, B by a won deal, C by an order')
    t.strictSame(await names({ campaignId: unused.id }), [], "a deleted opportunity's campaign does not count")
    t.strictSame(await restNames(`campaignId=${spring.id}`), ['A', 'B', 'C'])
    await ctx.sql('update referrals set deleted_at = now() where id = $1', [referral.id])
    t.strictSame(await names({ campaignId: spring.id }), ['B', 'C'], 'a deleted referral does not count')
    await ctx.sql('update referrals set deleted_at = null where id = $1', [referral.id])
  })

  await t.test('hasOpenOpportunity: a live opportunity not yet won or lost', async (t) => {
    t.strictSame(await names({ hasOpenOpportunity: true }), ['A'])
    t.strictSame(await names({ hasOpenOpportunity: false }), ['B', 'C', 'D'], 'won, deleted and none are not open')
    t.strictSame(await restNames('hasOpenOpportunity=false'), ['B', 'C', 'D'])
  })

  await t.test("lastActivityBefore: nothing on the customer's timeline at or after the time; never contacted matches", async (t) => {
    const ago = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString()
    t.strictSame(await names({ lastActivityBefore: ago(1) }), ['A', 'C', 'D'])
    t.strictSame(await names({ lastActivityBefore: ago(7) }), ['A', 'C'], "the lead's call before conversion is on D's timeline")
    t.strictSame(await names({ lastActivityBefore: ago(30) }), ['C'])
    t.strictSame(await names({ lastActivityBefore: tenDaysAgo }), ['C'], 'an activity exactly at the time counts as at or after')
    t.strictSame(await names({ lastActivityBefore: new Date(Date.parse(tenDaysAgo) + 1).toISOString() }), ['A', 'C'])
    t.strictSame(await restNames(`lastActivityBefore=${encodeURIComponent(ago(7).replace('Z', '+08:00'))}`), ['A', 'C'], 'REST; an offset other than Z')
  })

  await t.test('combine with each other and with the other filters, page by keyset and count', async (t) => {
    t.strictSame(await names({ campaignId: spring.id, hasOpenOpportunity: false, tier: ['A'] }), ['C'])
    t.strictSame(await names({ campaignId: spring.id, referrerKind: ['employee'], lastActivityBefore: new Date(Date.now() - 3_600_000).toISOString() }), [], 'B was contacted within the hour')
    t.strictSame(await names({ search: 'b', campaignId: spring.id }), ['B'])
    const seen: string[] = []
    let after: string | null = null
    do {
      const r: { data: { customers: { totalCount: number; edges: { node: { name: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } } } =
        await ctx.gql(ctx.adminToken, LIST, { f: { tags: [tag], hasOpenOpportunity: false }, first: 1, after })
      t.equal(r.data.customers.totalCount, 3)
      seen.push(...r.data.customers.edges.map((e) => e.node.name))
      after = r.data.customers.pageInfo.hasNextPage ? r.data.customers.pageInfo.endCursor : null
    } while (after)
    t.strictSame(seen, ['B', 'C', 'D'], 'one a page, no gaps or repeats')
    const page1 = await ctx.rest(ctx.adminToken, 'GET', `/api/v1/customers?tag=${tag}&campaignId=${spring.id}&limit=2&orderBy=name&direction=asc`)
    const page2 = await ctx.rest(ctx.adminToken, 'GET', `/api/v1/customers?tag=${tag}&campaignId=${spring.id}&limit=2&orderBy=name&direction=asc&cursor=${page1.json().nextCursor}`)
    t.strictSame([...page1.json().data, ...page2.json().data].map((x: { name: string }) => x.name), ['A', 'B', 'C'])
    t.equal(page2.json().nextCursor, null)
  })

  await t.test('the export takes the same query parameters', async (t) => {
    const res = await ctx.rest(ctx.adminToken, 'GET', `/api/v1/export/customers?tag=${tag}&hasOpenOpportunity=true`)
    t.equal(res.statusCode, 200)
    t.strictSame(res.body.trim().split('\n').map((l) => JSON.parse(l).name), ['A'])
  })
})
