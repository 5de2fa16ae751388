import t from 'tap'
import { applyBasisPoints, evaluateIncentives, incentiveRuleProblems, periodStart } from '../../src/rules/incentives.js'
import { money } from '../../src/rules/incentives.format.js'
import { AT, DAY, noUsage, orderEvent, referralEvent, rule } from './incentives.fixtures.js'

const only = (r: Parameters<typeof rule>[0], event = orderEvent(), usage = noUsage) => {
  const result = evaluateIncentives(event, [rule(r)], usage)
  return { ...result.explanations[0], decisions: result.decisions }
}

t.test('pays a referral_qualified rule to the referrer, without a hold', async (t) => {
  const e = only({ trigger: 'referral_qualified', amount: 2000, approval: 'auto' }, referralEvent('referral_qualified'))
  t.match(e, { matched: true, code: 'matched', reason: 'Matched. Referrer gets ¥20.00 in cash. Approved automatically.' })
  t.same(e.decisions, [{ ruleId: 'rule-1', beneficiary: 'referrer', beneficiaryId: 'referrer-1', rewardType: 'cash', amount: 2000, currency: 'CNY', couponCode: null, holdUntil: null, approval: 'auto' }])
})

t.test('pays a referral_converted rule and explains a rule of another trigger', async (t) => {
  const event = referralEvent('referral_converted')
  const result = evaluateIncentives(event, [rule({ id: 'a', trigger: 'referral_converted' }), rule({ id: 'b', trigger: 'referral_qualified' })], noUsage)
  t.same(result.explanations.map((e) => e.code), ['matched', 'other_trigger'])
  t.equal(result.explanations[1].reason, 'Not applied: the rule is for a qualified referral, the event is a converted referral.')
})

t.test('an order rule holds its reward for holdDays after the payment and copies the approval', async (t) => {
  const e = only({ holdDays: 7, approval: 'manual' })
  t.equal(e.decisions[0].holdUntil?.getTime(), AT.getTime() + 7 * DAY)
  t.equal(e.decisions[0].approval, 'manual')
  t.match(e.reason, /A manager approves it after the 7-day hold ends at 2025-06-08T08:00:00.000Z\.$/)
})

t.test('a first-order rule skips later orders; an every-order rule pays them', async (t) => {
  const later = orderEvent({}, { first: false })
  t.match(only({ orderScope: 'first' }, later), { matched: false, code: 'not_first_order' })
  t.match(only({ orderScope: 'every' }, later), { matched: true })
})

t.test('an order rule needs the order, in its currency, at least the minimum net amount', async (t) => {
  t.match(only({}, orderEvent({ order: undefined })), { code: 'no_order', reason: 'Not applied: the event carries no order.' })
  t.match(only({}, orderEvent({}, { currency: 'USD' })), { code: 'currency', reason: 'Not applied: the order is in USD, the rule in CNY.' })
  t.match(only({ calc: 'points', rewardType: 'points', amount: 100 }, orderEvent({}, { currency: 'USD' })), { matched: true }, 'fixed points need no currency')
  t.match(only({ minOrderAmount: 26_801 }), { code: 'below_minimum', reason: 'Not applied: the order\'s net amount ¥268.00 is below the minimum ¥268.01.' })
  t.match(only({ minOrderAmount: 26_800 }), { matched: true }, 'the minimum itself is enough')
})

t.test('a milestone rule pays when the conversions equal its milestone', async (t) => {
  const r = { trigger: 'referrer_milestone' as const, milestone: 3 }
  t.match(only(r, referralEvent('referrer_milestone', { conversions: 3 })), { matched: true })
  t.match(only(r, referralEvent('referrer_milestone', { conversions: 2 })), { code: 'milestone', reason: 'Not applied: the referrer has 2 conversions, the rule pays on the 3rd.' })
  t.match(only(r, referralEvent('referrer_milestone', { conversions: 4 })), { code: 'milestone' })
  t.match(only(r, referralEvent('referrer_milestone')), { code: 'milestone', reason: /does not say how many conversions/ })
})

t.test('an inactive rule is explained as inactive', async (t) => {
  t.match(only({ active: false }), { matched: false, code: 'inactive', reason: 'Not applied: the rule is inactive.' })
})

t.test('the validity window includes validFrom and excludes validUntil', async (t) => {
  t.match(only({ validFrom: AT }), { matched: true })
  t.match(only({ validFrom: new Date(AT.getTime() + 1) }), { code: 'not_yet_valid' })
  t.match(only({ validUntil: AT }), { code: 'expired', reason: 'Not applied: the rule was valid until 2025-06-01T08:00:00.000Z (not included) and the event is at 2025-06-01T08:00:00.000Z.' })
  t.match(only({ validUntil: new Date(AT.getTime() + 1) }), { matched: true })
})

t.test('a campaign rule matches only events of its campaign', async (t) => {
  t.match(only({ campaignId: 'c1' }, orderEvent({ campaignId: 'c1' })), { matched: true })
  t.match(only({ campaignId: 'c1' }, orderEvent({ campaignId: 'c2' })), { code: 'other_campaign', reason: 'Not applied: the rule is for campaign c1, the event belongs to campaign c2.' })
  t.match(only({ campaignId: 'c1' }), { code: 'other_campaign', reason: /belongs to no campaign/ })
  t.match(only({ campaignId: null }, orderEvent({ campaignId: 'c2' })), { matched: true }, 'a rule without campaign takes any event')
})

t.test('referrer kind and tier conditions; an event without a referrer earns nothing', async (t) => {
  const gold = orderEvent({ referrer: { id: 'referrer-1', kind: 'partner', tier: 'gold' } })
  t.match(only({ referrerKinds: ['partner'], referrerTiers: ['gold', 'platinum'] }, gold), { matched: true })
  t.match(only({ referrerKinds: ['customer', 'employee'] }, gold), { code: 'referrer_kind', reason: 'Not applied: the referrer is of kind partner, not one of customer, employee.' })
  t.match(only({ referrerTiers: ['silver'] }, gold), { code: 'referrer_tier', reason: 'Not applied: the referrer\'s tier gold is not one of silver.' })
  t.match(only({ beneficiary: 'referred' }, orderEvent({ referrer: null })), { code: 'no_referrer' })
})

t.test('a rule that cannot be evaluated is explained as misconfigured, with the same words the API can use', async (t) => {
  t.same(incentiveRuleProblems(rule()), [])
  t.same(incentiveRuleProblems(rule({ amount: null })), ['a fixed rule needs an amount'])
  t.same(incentiveRuleProblems(rule({ trigger: 'referral_converted', calc: 'percentage', percentBp: 500 })), ['a percentage needs an order, so the trigger must be order_paid'])
  t.same(incentiveRuleProblems(rule({ rewardType: 'coupon', tierMultipliers: { gold: -1 } })), ['a coupon reward needs a couponCode or a couponTemplateId', 'the multiplier for tier gold must be whole basis points of 0 or more'])
  t.same(incentiveRuleProblems(rule({ trigger: 'referrer_milestone', milestone: 0 })), ['a referrer_milestone rule needs a milestone of 1 or more'])
  t.match(only({ calc: 'percentage', percentBp: null }), { matched: false, code: 'misconfigured', reason: 'Not applied: the rule is misconfigured: a percentage rule needs percentBp (basis points, 500 = 5%).' })
})

t.test('percentages are rounded half up to the fen', async (t) => {
  const pct = (amount: number, percentBp: number) => only({ calc: 'percentage', percentBp, amount: null }, orderEvent({}, { amount })).decisions[0]?.amount ?? 0
  t.equal(pct(246_890, 500), 12_345, '12,344.5 → 12,345')
  t.equal(pct(24_689, 500), 1234, '1,234.45 → 1,234')
  t.equal(pct(10, 500), 1, '0.5 → 1')
  t.equal(pct(10, 499), 0, '0.499 → nothing')
  t.match(only({ calc: 'percentage', percentBp: 499, amount: null }, orderEvent({}, { amount: 10 })), { code: 'nothing_to_pay', reason: 'Conditions met, but nothing to pay. Referrer gets nothing: the reward comes to 4.99% of ¥0.10 = ¥0.00.' })
  t.match(only({ calc: 'percentage', rewardType: 'points', percentBp: 100, amount: null }, orderEvent({}, { amount: 1250 })), { decisions: [{ amount: 13 }], reason: /1% of ¥12.50 = 13 points/ })
})

t.test('applyBasisPoints is exact beyond 2^53', async (t) => {
  t.equal(applyBasisPoints(900_719_925_474_099, 15_000), 1_351_079_888_211_149)
  t.equal(applyBasisPoints(0, 20_000), 0)
})

t.test('the tier multiplier applies to the referrer only, after the percentage, each step rounded', async (t) => {
  const e = only({ calc: 'percentage', percentBp: 500, amount: null, beneficiary: 'both', tierMultipliers: { gold: 15_000 } }, orderEvent({ referrer: { id: 'referrer-1', kind: 'customer', tier: 'gold' } }, { amount: 24_689 }))
  t.same(e.decisions.map((d) => [d.beneficiary, d.amount]), [['referrer', 1851], ['referred', 1234]])
  t.match(e.reason, 'Referrer gets ¥18.51 in cash: 5% of ¥246.89 = ¥12.34 × 1.5 for tier gold = ¥18.51. Referred customer gets ¥12.34 in cash: 5% of ¥246.89 = ¥12.34.')
  t.same(only({ tierMultipliers: { gold: 20_000 } }).decisions.map((d) => d.amount), [5000], 'a tier not listed is 1×')
  const odd = orderEvent({ referrer: { id: 'referrer-1', kind: 'customer', tier: 'constructor' } })
  t.same(only({ tierMultipliers: {} }, odd).decisions.map((d) => d.amount), [5000], 'object prototype names are not tiers')
})

t.test('the per-reward cap applies after the multiplier, to each side', async (t) => {
  const gold = orderEvent({ referrer: { id: 'referrer-1', kind: 'customer', tier: 'gold' } })
  const e = only({ amount: 4000, beneficiary: 'both', referredAmount: 9000, capAmount: 6000, tierMultipliers: { gold: 20_000 } }, gold)
  t.same(e.decisions.map((d) => d.amount), [6000, 6000])
  t.match(e.reason, 'Referrer gets ¥60.00 in cash: ¥40.00 × 2 for tier gold = ¥80.00, capped at ¥60.00 per reward.')
})

t.test('the per-referrer cap cuts the referrer side to what is left this period, and stops it when used up', async (t) => {
  const r = { amount: 5000, beneficiary: 'both' as const, perReferrerCap: 12_000, perReferrerPeriod: 'week' as const }
  const cut = only(r, orderEvent(), { referrerPeriodTotal: { 'rule-1': 10_000 }, campaignBudgetLeft: {} })
  t.same(cut.decisions.map((d) => [d.beneficiary, d.amount]), [['referrer', 2000], ['referred', 5000]], 'the referred side is not limited by it')
  t.match(cut.reason, 'Referrer gets ¥20.00 in cash: ¥50.00, cut to the ¥20.00 left of the per-referrer cap of ¥120.00 per week.')
  const used = only({ ...r, beneficiary: 'referrer' }, orderEvent(), { referrerPeriodTotal: { 'rule-1': 12_500 }, campaignBudgetLeft: {} })
  t.match(used, { matched: false, code: 'nothing_to_pay', reason: 'Conditions met, but nothing to pay. Referrer gets nothing: the per-referrer cap of ¥120.00 per week is used up.' })
})

t.test('the campaign budget is used up decision by decision within one evaluation; points do not use it', async (t) => {
  const event = orderEvent({ campaignId: 'c1' })
  const rules = [
    rule({ id: 'a', campaignId: 'c1', beneficiary: 'both', amount: 3000, priority: 1 }),
    rule({ id: 'b', campaignId: 'c1', calc: 'points', rewardType: 'points', amount: 500, priority: 2 }),
    rule({ id: 'c', campaignId: 'c1', rewardType: 'coupon', couponCode: 'SPRING', amount: 3000, priority: 3 }),
    rule({ id: 'd', campaignId: 'c1', amount: 3000, priority: 4 })
  ]
  const result = evaluateIncentives(event, rules, { referrerPeriodTotal: {}, campaignBudgetLeft: { c1: 7000 } })
  t.same(result.decisions.map((d) => [d.ruleId, d.beneficiary, d.rewardType, d.amount, d.couponCode]), [
    ['a', 'referrer', 'cash', 3000, null], ['a', 'referred', 'cash', 3000, null], ['b', 'referrer', 'points', 500, null], ['c', 'referrer', 'coupon', 1000, 'SPRING']
  ])
  t.match(result.explanations[2].reason, 'Referrer gets a ¥10.00 coupon SPRING: ¥30.00, cut to the ¥10.00 left in the campaign budget.')
  t.match(result.explanations[3], { code: 'nothing_to_pay', reason: /the campaign budget is used up/ })
  t.same(evaluateIncentives(event, [rules[0]], noUsage).decisions.map((d) => d.amount), [3000, 3000], 'no budget given: no limit')
})

t.test('a double-sided rule pays the referrer alone while the referral has no customer', async (t) => {
  const e = only({ trigger: 'referral_qualified', beneficiary: 'both' }, referralEvent('referral_qualified', { customerId: null }))
  t.same(e.decisions.map((d) => d.beneficiary), ['referrer'])
  t.match(e.reason, 'Referred customer gets nothing: the event has no customer yet.')
  t.match(only({ trigger: 'referral_qualified', beneficiary: 'referred' }, referralEvent('referral_qualified', { customerId: null })), { code: 'nothing_to_pay' })
})

t.test('referredAmount replaces the referred side\'s amount, also for a percentage rule', async (t) => {
  const e = only({ calc: 'percentage', percentBp: 1000, amount: null, beneficiary: 'both', referredAmount: 1500 })
  t.same(e.decisions.map((d) => [d.beneficiary, d.beneficiaryId, d.amount]), [['referrer', 'referrer-1', 2680], ['referred', 'customer-1', 1500]])
})

t.test('rules are evaluated by priority, then id, whatever order they are given in', async (t) => {
  const rules = [rule({ id: 'b', priority: 5 }), rule({ id: 'c', priority: 1 }), rule({ id: 'a', priority: 5 })]
  t.same(evaluateIncentives(orderEvent(), rules, noUsage).explanations.map((e) => e.ruleId), ['c', 'a', 'b'])
})

t.test('the first non-stackable rule that pays blocks later non-stackable ones; stackable rules still pay', async (t) => {
  const rules = [
    rule({ id: 'welcome', name: 'Welcome', stackable: false, priority: 1 }),
    rule({ id: 'bonus', stackable: true, priority: 2 }),
    rule({ id: 'rival', stackable: false, priority: 3 })
  ]
  const result = evaluateIncentives(orderEvent(), rules, noUsage)
  t.same(result.explanations.map((e) => [e.ruleId, e.code]), [['welcome', 'matched'], ['bonus', 'matched'], ['rival', 'not_stacked']])
  t.equal(result.explanations[2].reason, 'Not applied: rule "Welcome" (welcome) already pays for this event and neither rule stacks.')
})

t.test('a non-stackable rule that pays nothing blocks nothing', async (t) => {
  const rules = [rule({ id: 'capped', stackable: false, priority: 1, perReferrerCap: 100 }), rule({ id: 'next', stackable: false, priority: 2 })]
  const result = evaluateIncentives(orderEvent(), rules, { referrerPeriodTotal: { capped: 100 }, campaignBudgetLeft: {} })
  t.same(result.explanations.map((e) => e.code), ['nothing_to_pay', 'matched'])
})

t.test('periodStart gives the UTC calendar period; weeks start on Monday', async (t) => {
  const at = new Date('2025-06-01T23:30:00.000Z') // a Sunday
  t.equal(periodStart('day', at)?.toISOString(), '2025-06-01T00:00:00.000Z')
  t.equal(periodStart('week', at)?.toISOString(), '2025-05-26T00:00:00.000Z')
  t.equal(periodStart('week', new Date('2025-06-02T00:00:00.000Z'))?.toISOString(), '2025-06-02T00:00:00.000Z')
  t.equal(periodStart('month', at)?.toISOString(), '2025-06-01T00:00:00.000Z')
  t.equal(periodStart('year', at)?.toISOString(), '2025-01-01T00:00:00.000Z')
  t.equal(periodStart('all_time', at), null)
})

t.test('money reads as yuan for CNY and with the code otherwise', async (t) => {
  t.equal(money(123_456_789, 'CNY'), '¥1,234,567.89')
  t.equal(money(5, 'USD'), '0.05 USD')
  t.equal(money(1500, 'JPY'), '1,500 JPY')
})

t.test('one explanation per rule even when none applies', async (t) => {
  const result = evaluateIncentives(orderEvent(), [rule({ id: 'x', active: false }), rule({ id: 'y', trigger: 'referrer_milestone', milestone: 5 })], noUsage)
  t.same(result.decisions, [])
  t.same(result.explanations.map((e) => [e.ruleId, e.matched, e.rewards.length]), [['x', false, 0], ['y', false, 0]])
})
