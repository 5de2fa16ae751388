import t from 'tap'
import { forEachDatabase, type TestApp } from '../../helper.js'
import { createCustomer, eventsOf, newId, record, refund } from './support.js'

const SUBMIT = 'mutation($i: SubmitReferralInput!) { submitReferral(input: $i) { referral { id leadId } userErrors { code message } } }'
const STATUS = 'mutation($id: ID!) { updateLeadStatus(id: $id, status: qualified) { userErrors { code } } }'

let phones = 0
/** A customer brought by a referral of `referrerId` (in `campaignId`): submitted, its lead qualified and converted. */
async function referredCustomer(ctx: TestApp, referrerId: string, campaignId: string | null): Promise<{ customerId: string; referralId: string }> {
  phones += 1
  const phone = `136${String(process.pid % 10_000).padStart(4, '0')}${String(phones).padStart(4, '0')}`
  const s = await ctx.gql(ctx.adminToken, SUBMIT, { i: { referrerId, name: `Referred ${phones}`, phone, ...(campaignId ? { campaignId } : {}) } })
  const { id: referralId, leadId } = s.data.submitReferral.referral
  await ctx.gql(ctx.adminToken, STATUS, { id: leadId })
  const converted = await ctx.rest(ctx.adminToken, 'POST', `/api/v1/leads/${leadId}/convert`, { createOpportunity: false })
  if (converted.statusCode !== 200) throw new Error(`convert failed: ${converted.body}`)
  return { customerId: converted.json().customer.id, referralId }
}

await forEachDatabase(t, async (t, ctx) => {
  const erp = await ctx.keyToken('integration')
  const referrer = (await ctx.gql(ctx.adminToken, 'mutation { createReferrer(input: { kind: partner, name: "Attributing partner" }) { referrer { id } } }')).data.createReferrer.referrer.id
  const campaign = (await ctx.gql(ctx.adminToken, 'mutation { createCampaign(input: { name: "Bring a friend" }) { campaign { id } } }')).data.createCampaign.campaign.id
  const other = (await ctx.gql(ctx.adminToken, 'mutation { createCampaign(input: { name: "Other" }) { campaign { id } } }')).data.createCampaign.campaign.id
  // Incentive-dependent: a global rule paying the referrer 10% of each paid order.
  const rule = await ctx.gql(ctx.adminToken, 'mutation($i: CreateIncentiveRuleInput!) { createIncentiveRule(input: $i) { incentiveRule { id } userErrors { field code message } } }',
    { i: { name: '10% of orders', trigger: 'order_paid', calc: 'percentage', percentBp: 1000, rewardType: 'cash' } })
  t.same(rule.data?.createIncentiveRule?.userErrors, [], 'the incentive rule exists')

  await t.test("a referred customer's order is attributed to its referral, referrer and the referral's campaign", async (t) => {
    const { customerId, referralId } = await referredCustomer(ctx, referrer, campaign)
    const r = await record(ctx, erp, { customerId, externalId: newId(), amount: { amount: 50000 }, paidAt: '2025-11-01T00:00:00Z' })
    t.same(r.userErrors, [])
    t.match(r.order, { customerId, referralId, referrerId: referrer, campaignId: campaign })
    const linked = await ctx.gql(ctx.adminToken, 'query($id: ID!) { order(id: $id) { referral { id } referrer { id } campaign { id } customer { id } } }', { id: r.order!.id })
    t.same(linked.data.order, { referral: { id: referralId }, referrer: { id: referrer }, campaign: { id: campaign }, customer: { id: customerId } })
    const byReferrer = await ctx.gql(ctx.adminToken, 'query($r: ID!) { orders(filter: { referrerId: $r }) { totalCount } }', { r: referrer })
    t.ok(byReferrer.data.orders.totalCount >= 1, 'listed under its referrer')

    // Incentive-dependent: the paid order earned 10% for the referrer in the same transaction, and a full refund takes it back.
    const [reward] = await ctx.sql<{ amount: string; status: string; beneficiary_id: string }>(
      "select amount::text, status, beneficiary_id from rewards where order_id = $1 and kind = 'reward'", [r.order!.id])
    t.same(reward, { amount: '5000', status: 'pending', beneficiary_id: referrer })
    const back = await refund(ctx, erp, { orderId: r.order!.id })
    t.same(back.userErrors, [])
    t.match(back.order, { status: 'refunded', referrerId: referrer })
    const [after] = await ctx.sql<{ status: string }>("select status from rewards where order_id = $1 and kind = 'reward'", [r.order!.id])
    t.equal(after.status, 'cancelled', 'the unpaid reward is cancelled with the refund')
    t.match((await eventsOf(ctx, r.order!.id)).map((e) => e.type), ['order.recorded', 'order.refunded'])
  })

  await t.test('a campaign given with the order wins over the referral’s; the attribution is fixed when recorded', async (t) => {
    const { customerId, referralId } = await referredCustomer(ctx, referrer, campaign)
    const r = await record(ctx, erp, { customerId, amount: { amount: 100 }, campaignId: other })
    t.match(r.order, { referralId, referrerId: referrer, campaignId: other })
    const none = await record(ctx, erp, { customerId, amount: { amount: 100 }, campaignId: null })
    t.match(none.order, { referralId, referrerId: referrer, campaignId: null })
  })

  await t.test("a customer credited to a referrer without a referral: the order carries that referrer only", async (t) => {
    const credited = await createCustomer(ctx, { referrerId: referrer })
    const r = await record(ctx, erp, { customerId: credited.id, amount: { amount: 2000 } })
    t.same(r.userErrors, [])
    t.match(r.order, { referralId: null, referrerId: referrer, campaignId: null })
  })

  await t.test('a customer nobody referred: no attribution and no rewards', async (t) => {
    const plain = await createCustomer(ctx)
    const r = await record(ctx, erp, { customerId: plain.id, amount: { amount: 3000 } })
    t.match(r.order, { referralId: null, referrerId: null, campaignId: null })
    const rewards = await ctx.sql('select 1 from rewards where order_id = $1', [r.order!.id])
    t.equal(rewards.length, 0)
  })
}, { REFERRAL_CONSENT_REQUIRED: 'false' })
