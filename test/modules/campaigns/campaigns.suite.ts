import t from 'tap'
import { forEachDatabase } from '../../helper.js'

const FIELDS = 'id name status audience audienceSize startsAt endsAt budget { amount currency } owner { id } version'
const CREATE = `mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { campaign { ${FIELDS} } userErrors { field message code } } }`
const UPDATE = `mutation($id: ID!, $i: UpdateCampaignInput!) { updateCampaign(id: $id, input: $i) { campaign { ${FIELDS} } userErrors { field message code } } }`
const CUSTOMER = `mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } } }`

await forEachDatabase(t, async (t, ctx) => {
  const marketing = await ctx.staff('marketing')
  const north = await ctx.createTeam('North')
  const sales = await ctx.staff('sales', { teamId: north })
  for (const [name, tier] of [['A1', 'A'], ['A2', 'A'], ['B1', 'B']] as const) {
    await ctx.gql(ctx.adminToken, CUSTOMER, { i: { name, tier, tags: ['spring-promo'] } })
  }
  await ctx.gql(sales.token, CUSTOMER, { i: { name: 'Sales A', tier: 'A', tags: ['spring-promo'] } })

  await t.test('marketing creates a campaign with an audience and a budget; audienceSize counts matching customers', async (t) => {
    const r = await ctx.gql(marketing.token, CREATE, { i: {
      name: '春季推荐有礼', goal: 'referrals', channel: 'wechat', audience: { tier: ['A'], tags: ['spring-promo'] },
      startsAt: '2030-03-01T00:00:00+08:00', endsAt: '2030-04-01T00:00:00+08:00', budget: { amount: 5_000_000 }
    } })
    t.same(r.data.createCampaign.userErrors, [])
    t.match(r.data.createCampaign.campaign, {
      status: 'draft', audienceSize: 3, budget: { amount: 5_000_000, currency: 'CNY' }, owner: { id: marketing.userId },
      startsAt: '2030-02-28T16:00:00.000Z', version: 1
    })
    const asSales = await ctx.gql(sales.token, 'query($id: ID!) { campaign(id: $id) { name audienceSize } }', { id: r.data.createCampaign.campaign.id })
    t.same(asSales.data.campaign, { name: '春季推荐有礼', audienceSize: 1 }, "sales read it, sized within the rep's own reach")
  })

  await t.test('refuses a bad audience as a userError naming the field', async (t) => {
    const r = await ctx.gql(marketing.token, CREATE, { i: { name: 'Bad audience', audience: { tier: ['Z'] } } })
    t.equal(r.data.createCampaign.campaign, null)
    t.match(r.data.createCampaign.userErrors, [{ field: /^audience\.tier/, code: 'INVALID' }])
    const unknown = await ctx.rest(marketing.token, 'POST', '/api/v1/campaigns', { name: 'Bad', audience: { colour: 'red' } })
    t.equal(unknown.statusCode, 400)
    t.match(unknown.json().errors, [{ field: /^audience/ }])
  })

  await t.test('refuses endsAt before startsAt, on create and on update', async (t) => {
    const r = await ctx.gql(marketing.token, CREATE, { i: { name: 'Backwards', startsAt: '2030-05-01T00:00:00Z', endsAt: '2030-04-01T00:00:00Z' } })
    t.match(r.data.createCampaign.userErrors, [{ field: 'endsAt', code: 'BEFORE_START' }])
    const ok = await ctx.gql(marketing.token, CREATE, { i: { name: 'Window', startsAt: '2030-05-01T00:00:00Z', endsAt: '2030-06-01T00:00:00Z' } })
    const u = await ctx.gql(marketing.token, UPDATE, { id: ok.data.createCampaign.campaign.id, i: { startsAt: '2030-07-01T00:00:00Z' } })
    t.match(u.data.updateCampaign.userErrors, [{ field: 'endsAt', code: 'BEFORE_START' }])
  })

  await t.test('sales read campaigns but cannot create or change them (FORBIDDEN)', async (t) => {
    const r = await ctx.gql(sales.token, CREATE, { i: { name: 'Sales campaign' } })
    t.equal(r.errors?.[0].extensions?.code, 'FORBIDDEN')
    const rest = await ctx.rest(sales.token, 'POST', '/api/v1/campaigns', { name: 'Sales campaign' })
    t.equal(rest.statusCode, 403)
    const list = await ctx.rest(sales.token, 'GET', '/api/v1/campaigns')
    t.equal(list.statusCode, 200)
    t.ok(list.json().data.length > 0)
  })

  await t.test('moves status by the table: draft → active → paused, but not back to draft', async (t) => {
    const c = (await ctx.gql(marketing.token, CREATE, { i: { name: 'Lifecycle' } })).data.createCampaign.campaign
    const active = await ctx.gql(marketing.token, UPDATE, { id: c.id, i: { status: 'active', expectedVersion: 1 } })
    t.equal(active.data.updateCampaign.campaign.status, 'active')
    const back = await ctx.gql(marketing.token, UPDATE, { id: c.id, i: { status: 'draft' } })
    t.match(back.data.updateCampaign.userErrors, [{ field: 'status', code: 'INVALID_TRANSITION' }])
    const rest = await ctx.rest(marketing.token, 'PATCH', `/api/v1/campaigns/${c.id}`, { status: 'draft' })
    t.equal(rest.statusCode, 422)
    const paused = await ctx.rest(marketing.token, 'PATCH', `/api/v1/campaigns/${c.id}`, { status: 'paused' }, { 'if-match': '"2"' })
    t.equal(paused.statusCode, 200)
    t.equal(paused.headers.etag, '"3"')
    const stale = await ctx.rest(marketing.token, 'PATCH', `/api/v1/campaigns/${c.id}`, { status: 'active' }, { 'if-match': '"2"' })
    t.equal(stale.statusCode, 412)
  })

  await t.test('upserts by externalId, filters by activeAt and status, soft-deletes', async (t) => {
    const body = { name: 'ERP campaign', status: 'active', startsAt: '2031-01-01T00:00:00Z', endsAt: '2031-02-01T00:00:00Z' }
    const first = await ctx.rest(ctx.adminToken, 'PUT', '/api/v1/campaigns/by-external-id/CMP-1', body)
    t.equal(first.statusCode, 201)
    const again = await ctx.rest(ctx.adminToken, 'PUT', '/api/v1/campaigns/by-external-id/CMP-1', { ...body, budget: { amount: 100, currency: 'USD' } })
    t.equal(again.statusCode, 200)
    t.match(again.json(), { id: first.json().id, budget: { amount: 100, currency: 'USD' }, version: 2 })
    const q = 'query($f: CampaignFilter) { campaigns(filter: $f) { totalCount edges { node { name } } } }'
    const during = await ctx.gql(ctx.adminToken, q, { f: { activeAt: '2031-01-15T00:00:00Z', search: 'erp' } })
    t.same(during.data.campaigns.edges.map((e: { node: { name: string } }) => e.node.name), ['ERP campaign'])
    const after = await ctx.gql(ctx.adminToken, q, { f: { activeAt: '2031-03-01T00:00:00Z', search: 'erp' } })
    t.equal(after.data.campaigns.totalCount, 0)
    const drafts = await ctx.rest(ctx.adminToken, 'GET', '/api/v1/campaigns?status=active&search=erp')
    t.equal(drafts.json().data.length, 1)
    t.equal((await ctx.rest(ctx.adminToken, 'DELETE', `/api/v1/campaigns/${first.json().id}`)).statusCode, 204)
    t.equal((await ctx.rest(ctx.adminToken, 'GET', `/api/v1/campaigns/${first.json().id}`)).statusCode, 404)
  })

  await t.test('Campaign.owner and audienceSize cost the same queries for 1 or many campaigns', async (t) => {
    for (let i = 0; i < 5; i++) await ctx.gql(marketing.token, CREATE, { i: { name: `Batch ${i}`, audience: { tier: [i % 2 ? 'A' : 'B'] } } })
    const run = async (n: number) => {
      const before = ctx.queries
      const r = await ctx.gql(marketing.token, 'query($n: Int!) { campaigns(first: $n, filter: { search: "Batch" }) { edges { node { owner { id } audienceSize } } } }', { n })
      t.notOk(r.errors)
      return ctx.queries - before
    }
    t.equal(await run(5), await run(1))
  })
})
