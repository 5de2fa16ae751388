import t from 'tap'
import { forEachDatabase } from '../../helper.js'
import { record } from '../orders/support.js'
import { convert, createCampaign, createReferrer, createRule, deactivateAll, ledger, PREVIEW, qualify, rewardEvents, submitted } from './support.js'

const DAY = 86_400_000
const LEAD_STATUS = 'mutation($id: ID!) { updateLeadStatus(id: $id, status: qualified) { lead { status } userErrors { code message } } }'

await forEachDatabase(t, async (t, ctx) => {
  const erp = await ctx.keyToken('integration')
  t.beforeEach(() => deactivateAll(ctx))

  await t.test('a manager qualifying a referral earns the qualification reward once, pending for a manager, announced', async (t) => {
    const rule = await createRule(ctx, { trigger: 'referral_qualified', amount: 5000 })
    const referrer = await createReferrer(ctx)
    const r = await submitted(ctx, referrer.id)
    t.same(await ledger(ctx, { referralId: r.id }), [], 'a submission earns nothing')
    t.equal((await qualify(ctx, r.id)).statusCode, 200)
    const [entry, ...more] = await ledger(ctx, { referralId: r.id })
    t.same(more, [])
    t.match(entry, { kind: 'reward', status: 'pending', amount: 5000, rule_id: rule.id, beneficiary_type: 'referrer', beneficiary_id: referrer.id, event_key: `referral_qualified:${r.id}` })
    const events = await rewardEvents(ctx, entry.id)
    t.same(events.map((e) => e.type), ['reward.created'])
    t.match(events[0].data, { reward: { id: entry.id, status: 'pending', amount: 5000, currency: 'CNY', referralId: r.id, trigger: 'referral_qualified' } })
    t.same((await ctx.sql('select action from audit_entries where entity_id = $1', [entry.id])).map((a) => a.action), ['reward.created'])
    t.equal((await qualify(ctx, r.id)).statusCode, 200, 'qualifying again is a no-op')
    t.equal((await ledger(ctx, { referralId: r.id })).length, 1)
  })

  await t.test("the rep qualifying the referral's lead earns it too, in the same transaction as the move", async (t) => {
    await createRule(ctx, { trigger: 'referral_qualified', amount: 800, approval: 'auto' })
    const r = await submitted(ctx, (await createReferrer(ctx)).id)
    t.same((await ctx.gql(ctx.adminToken, LEAD_STATUS, { id: r.leadId })).data.updateLeadStatus.userErrors, [])
    const [entry] = await ledger(ctx, { referralId: r.id })
    t.match(entry, { status: 'approved', amount: 800 }, 'an auto rule without a hold is approved at once')
    t.same((await rewardEvents(ctx, entry.id)).map((e) => e.type), ['reward.created', 'reward.approved'])
  })

  await t.test('qualifying and converting the lead earn both referral rewards; the conversion reward is double-sided', async (t) => {
    const q = await createRule(ctx, { trigger: 'referral_qualified', amount: 1000 })
    const c = await createRule(ctx, { trigger: 'referral_converted', amount: 3000, beneficiary: 'both', referredAmount: 1500, rewardType: 'coupon', couponCode: 'WELCOME' })
    const referrer = await createReferrer(ctx)
    const r = await submitted(ctx, referrer.id)
    const customerId = await convert(ctx, r.leadId)
    const rows = await ledger(ctx, { referralId: r.id })
    t.same(rows.map((e) => [e.rule_id, e.beneficiary_type, e.beneficiary_id, e.amount, e.event_key]).sort(), [
      [q.id, 'referrer', referrer.id, 1000, `referral_qualified:${r.id}`],
      [c.id, 'referred', customerId, 1500, `referral_converted:${r.id}`],
      [c.id, 'referrer', referrer.id, 3000, `referral_converted:${r.id}`]
    ].sort())
  })

  await t.test("a milestone rule pays the referrer's n-th conversion once; a campaign's milestone counts its own conversions", async (t) => {
    const second = await createRule(ctx, { trigger: 'referrer_milestone', milestone: 2, amount: 20000, name: '2nd conversion' })
    const campaign = await createCampaign(ctx)
    const inCampaign = await createRule(ctx, { trigger: 'referrer_milestone', milestone: 1, amount: 700, campaignId: campaign.id })
    const referrer = await createReferrer(ctx)
    const first = await submitted(ctx, referrer.id)
    await convert(ctx, first.leadId)
    t.same(await ledger(ctx, { ruleId: second.id }), [], 'one conversion: not yet')
    t.same(await ledger(ctx, { ruleId: inCampaign.id }), [], 'a conversion outside the campaign does not count for it')
    const next = await submitted(ctx, referrer.id, { campaignId: campaign.id })
    await convert(ctx, next.leadId)
    t.match(await ledger(ctx, { ruleId: second.id }), [{ amount: 20000, beneficiary_id: referrer.id, event_key: `referrer_milestone:${referrer.id}:2` }])
    t.match(await ledger(ctx, { ruleId: inCampaign.id }), [{ amount: 700, event_key: `referrer_milestone:${referrer.id}:${campaign.id}:1` }])
    const third = await submitted(ctx, referrer.id)
    await convert(ctx, third.leadId)
    t.equal((await ledger(ctx, { ruleId: second.id })).length, 1, 'the third conversion is no second milestone')
    const [reward] = await ctx.sql<{ explanation: { conversions: number } }>('select explanation from rewards where rule_id = $1', [second.id])
    t.equal(reward.explanation.conversions, 2)
  })

  await t.test("a referred customer's paid order earns a percentage reward held for the refund window; first-order rules pay once", async (t) => {
    const pct = await createRule(ctx, { trigger: 'order_paid', calc: 'percentage', percentBp: 500, approval: 'auto', holdDays: 14 })
    const firstOnly = await createRule(ctx, { trigger: 'order_paid', amount: 2000, orderScope: 'first' })
    const referrer = await createReferrer(ctx)
    const r = await submitted(ctx, referrer.id)
    const customerId = await convert(ctx, r.leadId)
    const paidAt = new Date(Date.now() - DAY).toISOString()
    const one = await record(ctx, erp, { customerId, amount: { amount: 99900 }, paidAt })
    t.same(one.userErrors, [])
    t.match(one.order, { referrerId: referrer.id, referralId: r.id })
    const rows = await ctx.sql<{ rule_id: string; amount: number; status: string; hold_until: Date; event_key: string }>(
      'select rule_id, amount::int, status, hold_until, event_key from rewards where order_id = $1 order by amount', [one.order!.id])
    t.match(rows, [
      { rule_id: firstOnly.id, amount: 2000, status: 'pending' },
      { rule_id: pct.id, amount: 4995, status: 'pending', event_key: `order_paid:${one.order!.id}` }
    ], '5% of ¥999.00, rounded half up')
    t.equal(rows[1].hold_until.getTime(), Date.parse(paidAt) + 14 * DAY, 'held 14 days from the payment')
    const preview = await ctx.gql(ctx.adminToken, PREVIEW, { e: { trigger: 'order_paid', orderId: one.order!.id, ruleIds: [pct.id] } })
    t.match(preview.data.previewIncentives.decisions, [{ amount: 4995, holdUntil: new Date(Date.parse(paidAt) + 14 * DAY).toISOString() }],
      'previewing a recorded order evaluates it at its payment, as its trigger did')
    const two = await record(ctx, erp, { customerId, amount: { amount: 1000 } })
    t.same((await ledger(ctx, { orderId: two.order!.id })).map((e) => [e.rule_id, e.amount]), [[pct.id, 50]], 'the second order earns only the every-order rule')
  })

  await t.test('conditions and per-referrer caps: wrong kind earns nothing; the cap stops the third reward of the month', async (t) => {
    const capped = await createRule(ctx, { trigger: 'referral_qualified', amount: 100, perReferrerCap: 200, perReferrerPeriod: 'month', referrerKinds: ['partner'] })
    const partner = await createReferrer(ctx, { kind: 'partner' })
    const employee = await createReferrer(ctx, { kind: 'employee' })
    for (let i = 0; i < 3; i++) await qualify(ctx, (await submitted(ctx, partner.id)).id)
    await qualify(ctx, (await submitted(ctx, employee.id)).id)
    const rows = await ledger(ctx, { ruleId: capped.id })
    t.same(rows.map((e) => [e.beneficiary_id, e.amount]), [[partner.id, 100], [partner.id, 100]])
  })
}, { REFERRAL_CONSENT_REQUIRED: 'false' })
