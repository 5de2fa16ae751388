import t from 'tap'
import { runAction } from '../../../src/db/action.js'
import { incentivesOnOrderPaid, incentivesOnOrderRefunded } from '../../../src/modules/incentives/incentive-triggers.js'
import { forEachDatabase } from '../../helper.js'
import { record } from '../orders/support.js'
import { convert, createCampaign, createReferrer, createRule, deactivateAll, ledger, qualify, submitted } from './support.js'

// Four times more qualifications than the budget fits, all at once over a pool of 20: the race is
// the same at 200 as at 500 (each referral's set-up is an API call, the suite's main cost).
const EVENTS = 200
const FITS = 50
const REPLAYS = 50
const system = { actorType: 'system', actorId: null, actorRole: null, apiKeyId: null, requestId: null } as const

await forEachDatabase(t, async (t, ctx) => {
  t.setTimeout(600_000)
  const erp = await ctx.keyToken('integration')
  t.beforeEach(() => deactivateAll(ctx))

  await t.test(`${EVENTS} referrals qualified at once against a budget that fits ${FITS}: exactly ${FITS} rewards, the budget never exceeded`, async (t) => {
    const campaign = await createCampaign(ctx, { budget: { amount: FITS * 1000, currency: 'CNY' } })
    const rule = await createRule(ctx, { trigger: 'referral_qualified', amount: 1000, campaignId: campaign.id, approval: 'auto' })
    const referrers = await Promise.all(Array.from({ length: 25 }, () => createReferrer(ctx)))
    const referrals: { id: string }[] = []
    for (let i = 0; i < EVENTS; i += 50) {
      referrals.push(...await Promise.all(Array.from({ length: Math.min(50, EVENTS - i) }, (_x, j) =>
        submitted(ctx, referrers[(i + j) % referrers.length].id, { campaignId: campaign.id }))))
    }
    const answers = await Promise.all(referrals.map((r) => qualify(ctx, r.id)))
    t.same([...new Set(answers.map((a) => a.statusCode))], [200], 'every qualification succeeds')
    const rows = await ledger(ctx, { ruleId: rule.id })
    t.equal(rows.length, FITS, `${FITS} rewards`)
    t.equal(rows.reduce((sum, r) => sum + r.amount, 0), FITS * 1000, 'exactly the budget, never more')
    t.equal(new Set(rows.map((r) => r.event_key)).size, FITS, 'one per referral')
    const created = await ctx.sql<{ n: number }>("select count(*)::int as n from outbox_events where type = 'reward.created' and data->'reward'->>'ruleId' = $1", [rule.id])
    t.equal(created[0].n, FITS, 'one reward.created per reward')
    const preview = await ctx.gql(ctx.adminToken, 'mutation($e: IncentivePreviewInput!) { previewIncentives(event: $e) { explanations { code reason } } }',
      { e: { trigger: 'referral_qualified', referrerId: referrers[0].id, campaignId: campaign.id } })
    t.match(preview.data.previewIncentives.explanations, [{ code: 'nothing_to_pay', reason: /campaign budget is used up/ }], 'the used-up budget explains itself')
  })

  await t.test(`the same paid-order event delivered ${REPLAYS} times at once earns one reward, announced once`, async (t) => {
    const rule = await createRule(ctx, { trigger: 'order_paid', calc: 'percentage', percentBp: 300 })
    const customerId = await convert(ctx, (await submitted(ctx, (await createReferrer(ctx)).id)).leadId)
    const externalId = `ERP-RACE-${Date.now()}`
    const recorded = await Promise.all(Array.from({ length: REPLAYS }, () => record(ctx, erp, { customerId, externalId, amount: { amount: 20000 } })))
    t.same([...new Set(recorded.map((r) => r.order?.id))].length, 1, 'the ERP retrying recordOrder: one order')
    const order = recorded[0].order!
    t.equal((await ledger(ctx, { orderId: order.id })).length, 1, 'and one reward')

    // Past the orders module's own idempotency: the trigger itself, run concurrently for one event.
    const facts = { id: order.id, customerId, referralId: order.referralId, referrerId: order.referrerId, campaignId: null, amount: 20000, currency: 'CNY', paidAt: new Date(order.paidAt) }
    const results = await Promise.allSettled(Array.from({ length: REPLAYS }, () =>
      runAction(ctx.app.db, system, (action) => incentivesOnOrderPaid(action, facts, new Date()))))
    t.same(results.filter((r) => r.status === 'rejected'), [], 'no replay fails')
    const rows = await ledger(ctx, { orderId: order.id })
    t.match(rows, [{ rule_id: rule.id, amount: 600, event_key: `order_paid:${order.id}` }])
    t.equal(rows.length, 1, 'rewards_once_uq: still one reward')
    const created = await ctx.sql<{ n: number }>("select count(*)::int as n from outbox_events where type = 'reward.created' and entity_id = $1", [rows[0].id])
    t.equal(created[0].n, 1, 'a replay writes and announces nothing')

    const refundFacts = { orderId: order.id, refundId: '0190a000-0000-7000-8000-0000000000aa', amount: 10000, orderAmount: 20000, refundedAmount: 10000, currency: 'CNY' }
    await Promise.all(Array.from({ length: 20 }, () => runAction(ctx.app.db, system, (action) => incentivesOnOrderRefunded(action, refundFacts, new Date()))))
    t.match((await ledger(ctx, { orderId: order.id })).filter((e) => e.kind === 'reversal'), [{ amount: -300 }], 'one refund, reversed once')
  })

  await t.test('two conversions of one referrer at once count 1 then 2: both milestones are paid', async (t) => {
    const first = await createRule(ctx, { trigger: 'referrer_milestone', milestone: 1, amount: 100 })
    const second = await createRule(ctx, { trigger: 'referrer_milestone', milestone: 2, amount: 200 })
    const referrer = await createReferrer(ctx)
    const a = await submitted(ctx, referrer.id)
    const b = await submitted(ctx, referrer.id)
    await Promise.all([convert(ctx, a.leadId), convert(ctx, b.leadId)])
    t.equal((await ledger(ctx, { ruleId: first.id })).length, 1)
    t.equal((await ledger(ctx, { ruleId: second.id })).length, 1)
  })
}, { REFERRAL_CONSENT_REQUIRED: 'false', DATABASE_POOL_SIZE: '20' })
