import t from 'tap'
import { forEachDatabase, type TestApp } from '../../helper.js'

const COUNT = 'query($f: CustomerFilter) { customers(filter: $f) { totalCount edges { node { name } } } }'
const CREATE_CAMPAIGN = 'mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { campaign { id audienceSize } userErrors { field message code } } }'

async function post(ctx: TestApp, url: string, body: unknown): Promise<{ id: string }> {
  const res = await ctx.rest(ctx.adminToken, 'POST', url, body)
  if (res.statusCode !== 201) throw new Error(`POST ${url}: ${res.body}`)
  return res.json()
}

await forEachDatabase(t, async (t, ctx) => {
  const north = await ctx.createTeam()
  const alice = await ctx.staff('sales', { teamId: north })
  const bob = await ctx.staff('sales', { teamId: north })
  const carol = await ctx.staff('sales', { teamId: await ctx.createTeam() })
  const tag = 'related-access'
  const partner = await post(ctx, '/api/v1/referrers', { kind: 'partner', name: '伙伴', tier: 'gold' })
  const campaign = await post(ctx, '/api/v1/campaigns', { name: '秋季', status: 'active' })
  // N1 (Alice's): an open deal owned by Carol, of another team. N2 (Bob's): an open deal of his own.
  const n1 = await post(ctx, '/api/v1/customers', { name: 'N1', tags: [tag], ownerId: alice.userId, referrerId: partner.id })
  const n2 = await post(ctx, '/api/v1/customers', { name: 'N2', tags: [tag], ownerId: bob.userId })
  const s1 = await post(ctx, '/api/v1/customers', { name: 'S1', tags: [tag], ownerId: carol.userId, referrerId: partner.id })
  await post(ctx, '/api/v1/opportunities', { customerId: n1.id, name: 'deal', ownerId: carol.userId, campaignId: campaign.id })
  await post(ctx, '/api/v1/opportunities', { customerId: n2.id, name: 'deal', ownerId: bob.userId })
  await post(ctx, '/api/v1/opportunities', { customerId: s1.id, name: 'deal', ownerId: carol.userId })
  const names = async (token: string, f: Record<string, unknown>) => {
    const r = await ctx.gql(token, COUNT, { f: { tags: [tag], ...f } })
    if (!r.data?.customers) return r.errors?.[0].extensions?.code
    return r.data.customers.edges.map((e: { node: { name: string } }) => e.node.name).sort()
  }

  await t.test("a sales rep filters only their team's customers, by the deals they may see", async (t) => {
    t.strictSame(await names(ctx.adminToken, { hasOpenOpportunity: true }), ['N1', 'N2', 'S1'])
    t.strictSame(await names(alice.token, { hasOpenOpportunity: true }), ['N2'], "Carol's deal on N1 is not Alice's to see")
    t.strictSame(await names(alice.token, { hasOpenOpportunity: false }), ['N1'])
    t.strictSame(await names(alice.token, { campaignId: campaign.id }), [], 'nor is its campaign')
    t.strictSame(await names(carol.token, { campaignId: campaign.id }), [], "Carol's own deal, on a customer she cannot see")
    t.strictSame(await names(alice.token, { referrerKind: ['partner'] }), ['N1'])
    const rest = await ctx.rest(alice.token, 'GET', `/api/v1/customers?tag=${tag}&hasOpenOpportunity=true`)
    t.strictSame(rest.json().data.map((c: { name: string }) => c.name), ['N2'])
  })

  await t.test('roles that read every customer and deal filter them all; a referrer may not list customers', async (t) => {
    for (const role of ['manager', 'marketing', 'service']) {
      const { token } = await ctx.staff(role)
      t.strictSame(await names(token, { hasOpenOpportunity: true, referrerTier: ['gold'] }), ['N1', 'S1'], role)
    }
    t.strictSame(await names(await ctx.keyToken('integration'), { campaignId: campaign.id }), ['N1'], 'integration')
    const res = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/auth/referrer-token', { referrerId: partner.id })
    t.equal(await names(res.json().accessToken, { referrerKind: ['partner'] }), 'FORBIDDEN')
  })

  await t.test('a key that may not read deals finds none: related records it may not read count as absent', async (t) => {
    const token = await ctx.keyToken('integration', { entities: ['customers'] })
    t.strictSame(await names(token, { hasOpenOpportunity: true }), [])
    t.strictSame(await names(token, { hasOpenOpportunity: false }), ['N1', 'N2', 'S1'])
  })

  await t.test('invalid values are refused naming the field, in English and Chinese', async (t) => {
    const bad = await ctx.rest(ctx.adminToken, 'GET', '/api/v1/customers?referrerKind=robot&lastActivityBefore=yesterday&campaignId=7&hasOpenOpportunity=maybe')
    t.equal(bad.statusCode, 400)
    t.equal(bad.json().code, 'CRM_ERR_VALIDATION')
    t.strictSame(bad.json().errors.map((e: { field: string }) => e.field).sort(), ['campaignId', 'hasOpenOpportunity', 'lastActivityBefore', 'referrerKind.0'])
    const zh = await ctx.rest(ctx.adminToken, 'GET', '/api/v1/customers?referrerKind=robot', undefined, { 'accept-language': 'zh-CN' })
    t.match(zh.json().errors, [{ field: 'referrerKind.0', message: /不是允许的取值/ }])
    const inline = await ctx.gql(ctx.adminToken, '{ customers(filter: { referrerKind: [robot] }) { totalCount } }')
    t.equal(inline.errors?.[0].extensions?.code, 'BAD_USER_INPUT')
    t.match(inline.errors?.[0].message, /referrerKind/)
    const variables = await ctx.gql(ctx.adminToken, COUNT, { f: { referrerTier: [''], lastActivityBefore: '2026-13-01' } })
    t.equal(variables.errors?.[0].extensions?.code, 'BAD_USER_INPUT')
    t.match(JSON.stringify(variables.errors), /lastActivityBefore/)
    const empty = await ctx.gql(ctx.adminToken, COUNT, { f: { referrerTier: [''] } }, { 'accept-language': 'zh' })
    t.match(empty.errors?.[0].extensions?.fields, [{ field: /referrerTier/, message: /不能为空/ }])
    const many = await ctx.gql(ctx.adminToken, COUNT, { f: { referrerTier: Array.from({ length: 21 }, (_, i) => `t${i}`) } })
    t.match(many.errors?.[0].extensions?.fields, [{ field: /referrerTier/ }], 'at most 20 tiers')
  })

  await t.test('a campaign audience may use the related-record fields; audienceSize counts within the reader\'s reach', async (t) => {
    const marketing = await ctx.staff('marketing')
    const r = await ctx.gql(marketing.token, CREATE_CAMPAIGN, { i: { name: '有商机的伙伴客户', audience: { tags: [tag], referrerKind: ['partner'], hasOpenOpportunity: true } } })
    t.strictSame(r.data.createCampaign.userErrors, [])
    t.equal(r.data.createCampaign.campaign.audienceSize, 2)
    const seen = await ctx.gql(alice.token, 'query($id: ID!) { campaign(id: $id) { audienceSize } }', { id: r.data.createCampaign.campaign.id })
    t.equal(seen.data.campaign.audienceSize, 0, "N1's deal is Carol's: Alice's count leaves it out")
    const wrong = await ctx.gql(marketing.token, CREATE_CAMPAIGN, { i: { name: 'Bad', audience: { referrerKind: ['robot'], lastActivityBefore: 'soon' } } })
    t.equal(wrong.data.createCampaign.campaign, null)
    t.match(wrong.data.createCampaign.userErrors, [{ field: /^audience\.referrerKind/ }, { field: /^audience\.lastActivityBefore/ }])
  })
})
