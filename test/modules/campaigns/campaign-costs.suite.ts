import t from 'tap'
import { forEachDatabase } from '../../helper.js'

const COST = 'id campaignId externalId amount currency category incurredOn note createdBy version'
const RECORD = `mutation($c: ID!, $i: RecordCampaignCostInput!) { recordCampaignCost(campaignId: $c, input: $i) { cost { ${COST} } created userErrors { field message code } } }`
const LIST = `query($c: ID!, $first: Int, $after: String) { campaignCosts(campaignId: $c, first: $first, after: $after) {
  edges { node { id amount incurredOn } } pageInfo { hasNextPage endCursor } totalCount } }`

await forEachDatabase(t, async (t, ctx) => {
  const marketing = await ctx.staff('marketing')
  const manager = await ctx.staff('manager')
  const sales = await ctx.staff('sales')
  const service = await ctx.staff('service')
  const integration = await ctx.keyToken('integration')
  const campaign = (await ctx.rest(marketing.token, 'POST', '/api/v1/campaigns', { name: '双十一推荐', status: 'active' })).json()

  await t.test('marketing records a cost over GraphQL (variables and inline): audited, with campaign.cost_recorded in the same transaction', async (t) => {
    const r = await ctx.gql(marketing.token, RECORD, { c: campaign.id, i: { amount: 120_000, category: '广告投放', incurredOn: '2026-11-11', note: '朋友圈广告' } })
    t.same(r.data.recordCampaignCost.userErrors, [])
    t.match(r.data.recordCampaignCost, { created: true, cost: {
      campaignId: campaign.id, amount: 120_000, currency: 'CNY', category: '广告投放', incurredOn: '2026-11-11', note: '朋友圈广告', createdBy: marketing.userId, version: 1
    } })
    const id = r.data.recordCampaignCost.cost.id
    const audit = await ctx.sql<{ action: string; entity_id: string }>("select action, entity_id from audit_entries where action = 'campaign.cost_recorded'")
    t.same(audit, [{ action: 'campaign.cost_recorded', entity_id: campaign.id }])
    const events = await ctx.sql<{ type: string; data: { cost: { id: string; amount: number } } }>("select type, data from outbox_events where type = 'campaign.cost_recorded'")
    t.equal(events.length, 1)
    t.match(events[0].data.cost, { id, amount: 120_000, category: '广告投放', incurredOn: '2026-11-11' })

    const inline = await ctx.gql(manager.token, `mutation { recordCampaignCost(campaignId: "${campaign.id}", input: { amount: 3000, currency: "USD", category: "printing", incurredOn: "2026-11-12" }) { cost { amount currency } userErrors { field } } }`)
    t.same(inline.data.recordCampaignCost, { cost: { amount: 3000, currency: 'USD' }, userErrors: [] })
  })

  await t.test('REST POST answers 201 with Location; an Idempotency-Key retry replays it; an externalId records once and then updates', async (t) => {
    const body = { amount: 5000, category: 'gifts', incurredOn: '2026-11-13' }
    const first = await ctx.rest(integration, 'POST', `/api/v1/campaigns/${campaign.id}/costs`, body, { 'idempotency-key': 'cost-key-1' })
    t.equal(first.statusCode, 201)
    t.equal(first.headers.location, `/api/v1/campaigns/${campaign.id}/costs/${first.json().id}`)
    const again = await ctx.rest(integration, 'POST', `/api/v1/campaigns/${campaign.id}/costs`, body, { 'idempotency-key': 'cost-key-1' })
    t.equal(again.statusCode, 201)
    t.equal(again.headers['idempotent-replayed'], 'true')
    t.equal(again.json().id, first.json().id)
    const n = await ctx.sql<{ n: number }>('select count(*)::int as n from campaign_costs where amount = 5000')
    t.equal(n[0].n, 1, 'recorded once')

    const ext = { ...body, amount: 7000, externalId: 'ERP-COST-9' }
    const created = await ctx.rest(marketing.token, 'POST', `/api/v1/campaigns/${campaign.id}/costs`, ext)
    t.equal(created.statusCode, 201)
    const updated = await ctx.rest(marketing.token, 'POST', `/api/v1/campaigns/${campaign.id}/costs`, { ...ext, amount: 7100 })
    t.equal(updated.statusCode, 200)
    t.match(updated.json(), { id: created.json().id, amount: 7100, version: 2 })
    const other = (await ctx.rest(marketing.token, 'POST', '/api/v1/campaigns', { name: 'Other' })).json()
    const taken = await ctx.rest(marketing.token, 'POST', `/api/v1/campaigns/${other.id}/costs`, ext)
    t.equal(taken.statusCode, 409)
    t.match(taken.json().errors, [{ field: 'externalId', code: 'TAKEN' }])
  })

  await t.test('refuses invalid input: 400 naming the field over REST, userErrors over GraphQL', async (t) => {
    const cases: [Record<string, unknown>, string][] = [
      [{ amount: 0, category: 'ads', incurredOn: '2026-11-01' }, 'amount'],
      [{ amount: -5, category: 'ads', incurredOn: '2026-11-01' }, 'amount'],
      [{ amount: 1.5, category: 'ads', incurredOn: '2026-11-01' }, 'amount'],
      [{ amount: 10, category: '', incurredOn: '2026-11-01' }, 'category'],
      [{ amount: 10, category: '   ', incurredOn: '2026-11-01' }, 'category'],
      [{ amount: 10, category: 'x'.repeat(65), incurredOn: '2026-11-01' }, 'category'],
      [{ amount: 10, category: 'ads', incurredOn: '2026-02-30' }, 'incurredOn'],
      [{ amount: 10, category: 'ads', incurredOn: '11/01/2026' }, 'incurredOn'],
      [{ amount: 10, category: 'ads', incurredOn: '2026-11-01', currency: 'cny' }, 'currency'],
      [{ category: 'ads', incurredOn: '2026-11-01' }, 'amount'],
      [{ amount: 10, category: 'ads', incurredOn: '2026-11-01', colour: 'red' }, 'colour']
    ]
    for (const [body, field] of cases) {
      const res = await ctx.rest(marketing.token, 'POST', `/api/v1/campaigns/${campaign.id}/costs`, body)
      t.equal(res.statusCode, 400, `${JSON.stringify(body)} → 400`)
      t.ok(res.json().errors.some((e: { field: string }) => e.field === field), `names ${field}: ${res.body}`)
    }
    const g = await ctx.gql(marketing.token, RECORD, { c: campaign.id, i: { amount: -1, category: 'ads', incurredOn: '2026-11-01' } })
    t.equal(g.data.recordCampaignCost.cost, null)
    t.match(g.data.recordCampaignCost.userErrors, [{ field: 'amount' }])
    const bad = await ctx.gql(marketing.token, RECORD, { c: campaign.id, i: { amount: 10, category: 'ads', incurredOn: '2026-02-30' } })
    t.equal(bad.errors?.[0].extensions?.code, 'BAD_USER_INPUT', 'not a date: refused by the LocalDate scalar')
  })

  await t.test('roles: sales, service and referrer tokens may not record; unknown and deleted campaigns are 404', async (t) => {
    const body = { amount: 10, category: 'ads', incurredOn: '2026-11-01' }
    for (const token of [sales.token, service.token]) {
      t.equal((await ctx.rest(token, 'POST', `/api/v1/campaigns/${campaign.id}/costs`, body)).statusCode, 403)
      const g = await ctx.gql(token, RECORD, { c: campaign.id, i: body })
      t.equal(g.errors?.[0].extensions?.code, 'FORBIDDEN')
    }
    const referrer = (await ctx.rest(ctx.adminToken, 'POST', '/api/v1/referrers', { kind: 'customer', name: '老客户' })).json()
    const rt = (await ctx.rest(ctx.adminToken, 'POST', '/api/v1/auth/referrer-token', { referrerId: referrer.id })).json().accessToken
    t.equal((await ctx.rest(rt, 'POST', `/api/v1/campaigns/${campaign.id}/costs`, body)).statusCode, 403)
    t.equal((await ctx.rest(rt, 'GET', `/api/v1/campaigns/${campaign.id}/costs`)).statusCode, 403)
    t.equal((await ctx.rest(sales.token, 'GET', `/api/v1/campaigns/${campaign.id}/costs`)).statusCode, 200, 'sales read campaigns, so their costs')

    const unknown = '01990000-0000-7000-8000-000000000999'
    t.equal((await ctx.rest(marketing.token, 'POST', `/api/v1/campaigns/${unknown}/costs`, body)).statusCode, 404)
    t.equal((await ctx.rest(marketing.token, 'GET', `/api/v1/campaigns/${unknown}/costs`)).statusCode, 404)
    const gone = (await ctx.rest(marketing.token, 'POST', '/api/v1/campaigns', { name: 'Gone' })).json()
    t.equal((await ctx.rest(marketing.token, 'DELETE', `/api/v1/campaigns/${gone.id}`)).statusCode, 204)
    t.equal((await ctx.rest(marketing.token, 'POST', `/api/v1/campaigns/${gone.id}/costs`, body)).statusCode, 404)
    t.equal((await ctx.rest(marketing.token, 'GET', `/api/v1/campaigns/${gone.id}/costs`)).statusCode, 404)
    const g = await ctx.gql(marketing.token, RECORD, { c: gone.id, i: body })
    t.equal(g.errors?.[0].extensions?.code, 'NOT_FOUND')
  })

  await t.test("lists a campaign's costs latest incurredOn first in keyset pages, and a deleted cost leaves the list", async (t) => {
    const c = (await ctx.rest(marketing.token, 'POST', '/api/v1/campaigns', { name: 'Paged' })).json()
    const days = ['2026-10-03', '2026-10-01', '2026-10-05', '2026-10-02', '2026-10-04']
    for (const [i, day] of days.entries()) {
      t.equal((await ctx.rest(marketing.token, 'POST', `/api/v1/campaigns/${c.id}/costs`, { amount: 100 + i, category: 'ads', incurredOn: day })).statusCode, 201)
    }
    const seen: string[] = []
    let after: string | null = null
    do {
      const r: any = await ctx.gql(sales.token, LIST, { c: c.id, first: 2, after })
      t.equal(r.data.campaignCosts.totalCount, 5)
      seen.push(...r.data.campaignCosts.edges.map((e: { node: { incurredOn: string } }) => e.node.incurredOn))
      after = r.data.campaignCosts.pageInfo.hasNextPage ? r.data.campaignCosts.pageInfo.endCursor : null
    } while (after)
    t.same(seen, [...days].sort().reverse())

    const page = await ctx.rest(marketing.token, 'GET', `/api/v1/campaigns/${c.id}/costs?limit=3`)
    t.equal(page.json().data.length, 3)
    const rest = await ctx.rest(marketing.token, 'GET', `/api/v1/campaigns/${c.id}/costs?limit=3&cursor=${page.json().nextCursor}`)
    t.same(rest.json().data.map((x: { incurredOn: string }) => x.incurredOn), ['2026-10-02', '2026-10-01'])
    t.equal(rest.json().nextCursor, null)

    const victim = page.json().data[0].id
    t.equal((await ctx.rest(sales.token, 'DELETE', `/api/v1/campaigns/${c.id}/costs/${victim}`)).statusCode, 403)
    t.equal((await ctx.rest(marketing.token, 'DELETE', `/api/v1/campaigns/${c.id}/costs/${victim}`)).statusCode, 204)
    t.equal((await ctx.rest(marketing.token, 'DELETE', `/api/v1/campaigns/${c.id}/costs/${victim}`)).statusCode, 404)
    const inline = await ctx.gql(manager.token, `mutation { deleteCampaignCost(id: "${page.json().data[1].id}") { deletedId userErrors { field } } }`)
    t.same(inline.data.deleteCampaignCost, { deletedId: page.json().data[1].id, userErrors: [] })
    const left = await ctx.rest(marketing.token, 'GET', `/api/v1/campaigns/${c.id}/costs`)
    t.equal(left.json().data.length, 3)
  })
})
