import t, { type Test } from 'tap'
import { forEachDatabase, type GqlResult } from '../helper.js'

/** The first (only) mutation's payload, asserting it succeeded. */
function payload(t: Test, r: GqlResult, name: string): Record<string, any> {
  t.same(r.errors, undefined, `${name}: no GraphQL error`)
  t.same(r.data?.[name]?.userErrors, [], `${name}: no userError`)
  return r.data[name]
}

// The calls the issue names, written inline as a client would, by the roles that make them.
await forEachDatabase(t, async (t, ctx) => {
  const sales = await ctx.staff('sales', { teamId: await ctx.createTeam() })
  const marketing = await ctx.staff('marketing')
  const erp = await ctx.keyToken('integration')

  await t.test('createCustomer and updateCustomer store inline attributes (Chinese text, nested, lists, null)', async (t) => {
    const created = payload(t, await ctx.gql(sales.token, 'mutation { createCustomer(input: { name: "x", attributes: { vip: true, level: "金卡" } }) { customer { id attributes } userErrors { field code } } }'), 'createCustomer')
    const { id } = created.customer
    t.same(created.customer.attributes, { vip: true, level: '金卡' })
    payload(t, await ctx.gql(sales.token, `mutation { updateCustomer(id: "${id}", input: { attributes: { level: "银卡", since: 2019, score: 4.5, tags: ["a", null, { k: [] }], note: null } }) { userErrors { field code } } }`), 'updateCustomer')
    const read = await ctx.gql(ctx.adminToken, 'query($id: ID!) { customer(id: $id) { attributes } }', { id })
    t.same(read.data.customer.attributes, { level: '银卡', since: 2019, score: 4.5, tags: ['a', null, { k: [] }], note: null })
  })

  await t.test('createReferrer and createLead store inline attributes', async (t) => {
    const referrer = payload(t, await ctx.gql(marketing.token, 'mutation { createReferrer(input: { kind: partner, name: "Partner 伙伴", attributes: { region: "华东", rank: 1 } }) { referrer { id } userErrors { field code } } }'), 'createReferrer')
    const readReferrer = await ctx.gql(marketing.token, `{ referrer(id: "${referrer.referrer.id}") { attributes } }`)
    t.same(readReferrer.data.referrer.attributes, { region: '华东', rank: 1 })

    const lead = payload(t, await ctx.gql(sales.token, 'mutation { createLead(input: { source: "website", name: "访客", attributes: { utm: { source: "wechat", campaign: "春节" }, pages: [1, 2] } }) { lead { id } userErrors { field code } } }'), 'createLead')
    const readLead = await ctx.gql(sales.token, `{ lead(id: "${lead.lead.id}") { attributes } }`)
    t.same(readLead.data.lead.attributes, { utm: { source: 'wechat', campaign: '春节' }, pages: [1, 2] })
  })

  await t.test('convertLead stores the new customer\'s inline attributes', async (t) => {
    const lead = payload(t, await ctx.gql(sales.token, 'mutation { createLead(input: { source: "website", name: "Convert me" }) { lead { id } userErrors { field code } } }'), 'createLead')
    await ctx.gql(sales.token, `mutation { updateLeadStatus(id: "${lead.lead.id}", status: qualified) { userErrors { code } } }`)
    const converted = payload(t, await ctx.gql(sales.token, `mutation { convertLead(id: "${lead.lead.id}", input: { customer: { attributes: { vip: true, level: "金卡" } } }) { customer { id } userErrors { field code } } }`), 'convertLead')
    const read = await ctx.gql(sales.token, `{ customer(id: "${converted.customer.id}") { attributes } }`)
    t.same(read.data.customer.attributes, { vip: true, level: '金卡' })
  })

  await t.test('recordOrder stores inline attributes', async (t) => {
    const customer = payload(t, await ctx.gql(erp, 'mutation { createCustomer(input: { name: "Buyer" }) { customer { id } userErrors { field code } } }'), 'createCustomer')
    const order = payload(t, await ctx.gql(erp, `mutation { recordOrder(input: { customerId: "${customer.customer.id}", amount: { amount: 9900 }, attributes: { sku: ["A-1", "B-2"], channel: "小程序" } }) { order { id } userErrors { field code } } }`), 'recordOrder')
    const read = await ctx.gql(erp, `{ order(id: "${order.order.id}") { attributes } }`)
    t.same(read.data.order.attributes, { sku: ['A-1', 'B-2'], channel: '小程序' })
  })

  await t.test('createCampaign and updateCampaign store an inline audience', async (t) => {
    const created = payload(t, await ctx.gql(marketing.token, 'mutation { createCampaign(input: { name: "春季推荐", audience: { tier: ["A"] } }) { campaign { id } userErrors { field code } } }'), 'createCampaign')
    const { id } = created.campaign
    t.same((await ctx.gql(marketing.token, `{ campaign(id: "${id}") { audience } }`)).data.campaign.audience, { tier: ['A'] })
    payload(t, await ctx.gql(marketing.token, `mutation { updateCampaign(id: "${id}", input: { audience: { tier: ["A", "B"] } }) { userErrors { field code } } }`), 'updateCampaign')
    t.same((await ctx.gql(marketing.token, `{ campaign(id: "${id}") { audience } }`)).data.campaign.audience, { tier: ['A', 'B'] })
  })

  await t.test('createIncentiveRule and updateIncentiveRule store inline tierMultipliers', async (t) => {
    const created = payload(t, await ctx.gql(ctx.adminToken, 'mutation { createIncentiveRule(input: { name: "金卡加成", trigger: referral_qualified, calc: fixed, rewardType: cash, amount: 100, tierMultipliers: { gold: 20000 } }) { incentiveRule { id } userErrors { field code } } }'), 'createIncentiveRule')
    const { id } = created.incentiveRule
    t.same((await ctx.gql(ctx.adminToken, `{ incentiveRule(id: "${id}") { tierMultipliers } }`)).data.incentiveRule.tierMultipliers, { gold: 20000 })
    payload(t, await ctx.gql(ctx.adminToken, `mutation { updateIncentiveRule(id: "${id}", input: { tierMultipliers: { gold: 15000, silver: 12000 } }) { userErrors { field code } } }`), 'updateIncentiveRule')
    t.same((await ctx.gql(ctx.adminToken, `{ incentiveRule(id: "${id}") { tierMultipliers } }`)).data.incentiveRule.tierMultipliers, { gold: 15000, silver: 12000 })
  })

  await t.test('a bare word in a JSON literal is a validation error, not a silently dropped key', async (t) => {
    const r = await ctx.gql(sales.token, 'mutation { createCustomer(input: { name: "x", attributes: { level: GOLD } }) { customer { id } } }')
    t.equal(r.status, 400)
    t.equal(r.errors?.[0].extensions?.code, 'BAD_USER_INPUT')
    t.match(r.errors?.[0].message, /"GOLD" in quotes/)
  })
})
