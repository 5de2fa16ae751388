import t from 'tap'
import fc from 'fast-check'
import {
  applyBasisPoints, byEvaluationOrder, evaluateIncentives, periodStart,
  type CapPeriod, type IncentiveEvent, type IncentiveRule, type IncentiveUsage
} from '../../src/rules/incentives.js'
import { ruleDefaults } from './incentives.fixtures.js'

const TIERS = ['standard', 'silver', 'gold']
const CAMPAIGNS = ['c1', 'c2']
const TRIGGERS = ['referral_qualified', 'referral_converted', 'order_paid', 'referrer_milestone'] as const
const PERIODS: CapPeriod[] = ['day', 'week', 'month', 'year', 'all_time']
const START = Date.parse('2025-01-01T00:00:00Z')
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null })

/** Rules over a small world (few tiers, campaigns, triggers) so that many of them match. */
const ruleArb = (id: string, likely: IncentiveRule['trigger']): fc.Arbitrary<IncentiveRule> => fc.record({
  calc: fc.constantFrom('fixed', 'percentage', 'points'),
  cash: fc.constantFrom('cash', 'coupon', 'points'),
  trigger: fc.constantFrom(...Array<IncentiveRule['trigger']>(8).fill(likely), ...TRIGGERS),
  amount: fc.nat(50_000),
  percentBp: fc.nat(10_000),
  beneficiary: fc.constantFrom('referrer', 'referred', 'both'),
  referredAmount: maybe(fc.nat(20_000)),
  referrerTiers: fc.subarray(TIERS, { maxLength: 2 }),
  campaignId: fc.constantFrom(null, null, ...CAMPAIGNS),
  orderScope: fc.constantFrom('first', 'every'),
  milestone: fc.integer({ min: 1, max: 4 }),
  minOrderAmount: maybe(fc.nat(100_000)),
  capAmount: maybe(fc.nat(30_000)),
  perReferrerCap: maybe(fc.nat(60_000)),
  perReferrerPeriod: fc.constantFrom(...PERIODS),
  tierMultipliers: fc.dictionary(fc.constantFrom(...TIERS), fc.integer({ min: 0, max: 40_000 }), { maxKeys: 3 }),
  priority: fc.integer({ min: 0, max: 5 }),
  stackable: fc.boolean(),
  active: fc.constantFrom(true, true, true, true, true, false),
  approval: fc.constantFrom('auto', 'manual'),
  holdDays: fc.nat(30)
}).map((r): IncentiveRule => {
  const calc = r.trigger !== 'order_paid' && r.calc === 'percentage' ? 'fixed' : r.calc
  const rewardType = calc === 'points' ? 'points' : r.cash
  return {
    ...ruleDefaults, ...r, id, name: `Rule ${id}`, calc, rewardType,
    trigger: r.trigger as IncentiveRule['trigger'],
    orderScope: r.orderScope as 'first' | 'every',
    beneficiary: r.beneficiary as IncentiveRule['beneficiary'],
    approval: r.approval as 'auto' | 'manual',
    amount: calc === 'percentage' ? null : r.amount,
    percentBp: calc === 'percentage' ? r.percentBp : null,
    couponCode: rewardType === 'coupon' ? `CODE-${id}` : null
  }
})

const rulesArb = (likely: IncentiveRule['trigger']) =>
  fc.integer({ min: 0, max: 12 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => ruleArb(`r${String(i).padStart(2, '0')}`, likely))))

const eventArb: fc.Arbitrary<IncentiveEvent> = fc.record({
  trigger: fc.constantFrom(...TRIGGERS, 'order_paid'),
  at: fc.integer({ min: START, max: START + 800 * 86_400_000 }).map((ms) => new Date(ms)),
  tier: fc.constantFrom(...TIERS),
  hasReferrer: fc.constantFrom(true, true, true, true, true, false),
  customerId: maybe(fc.constant('customer-1')),
  campaignId: maybe(fc.constantFrom(...CAMPAIGNS)),
  amount: fc.oneof(fc.nat(200_000), fc.nat(1_000_000_000_000)),
  currency: fc.constantFrom('CNY', 'CNY', 'CNY', 'USD'),
  first: fc.boolean(),
  conversions: fc.integer({ min: 0, max: 5 })
}).map((e): IncentiveEvent => ({
  trigger: e.trigger as IncentiveEvent['trigger'],
  key: 'event-1',
  at: e.at,
  referrer: e.hasReferrer ? { id: 'referrer-1', kind: 'customer', tier: e.tier } : null,
  customerId: e.customerId,
  referralId: 'referral-1',
  campaignId: e.campaignId,
  order: { id: 'order-1', amount: e.amount, currency: e.currency, first: e.first },
  conversions: e.conversions
}))

const usageArb = (rules: readonly IncentiveRule[]): fc.Arbitrary<IncentiveUsage> => fc.record({
  referrerPeriodTotal: fc.tuple(...rules.map(() => fc.nat(80_000))).map((used) => Object.fromEntries(rules.map((r, i) => [r.id, used[i]]))),
  campaignBudgetLeft: fc.dictionary(fc.constantFrom(...CAMPAIGNS), fc.integer({ min: -1000, max: 80_000 }))
})

/** Rules mostly for the event's trigger, so that conditions, stacking and limits are what decide. */
const worldArb = eventArb.chain((event) => rulesArb(event.trigger).chain((rules) =>
  fc.tuple(fc.constant(rules), fc.constant(event), usageArb(rules), fc.shuffledSubarray(rules, { minLength: rules.length }))))
const runs = { numRuns: 500 }

t.test('property: every rule gets exactly one explanation, in priority-then-id order', async () => {
  fc.assert(fc.property(worldArb, ([rules, event, usage]) => {
    const { explanations } = evaluateIncentives(event, rules, usage)
    const expected = [...rules].sort(byEvaluationOrder).map((r) => r.id)
    return JSON.stringify(explanations.map((e) => e.ruleId)) === JSON.stringify(expected) && explanations.every((e) => e.reason.length > 0)
  }), runs)
})

t.test('property: decisions come only from matched rules, and matched means it pays', async () => {
  fc.assert(fc.property(worldArb, ([rules, event, usage]) => {
    const { decisions, explanations } = evaluateIncentives(event, rules, usage)
    const fromExplanations = explanations.flatMap((e) => e.rewards)
    const matched = new Set(explanations.filter((e) => e.matched).map((e) => e.ruleId))
    return fromExplanations.length === decisions.length && fromExplanations.every((d, i) => d === decisions[i]) &&
      explanations.every((e) => e.matched === (e.rewards.length > 0) && e.matched === (e.code === 'matched')) &&
      decisions.every((d) => matched.has(d.ruleId))
  }), runs)
})

t.test('property: amounts are positive whole numbers, never above the per-reward cap', async () => {
  fc.assert(fc.property(worldArb, ([rules, event, usage]) => {
    const byId = new Map(rules.map((r) => [r.id, r]))
    return evaluateIncentives(event, rules, usage).decisions.every((d) => {
      const cap = byId.get(d.ruleId)?.capAmount ?? null
      return Number.isSafeInteger(d.amount) && d.amount > 0 && (cap === null || d.amount <= cap)
    })
  }), runs)
})

t.test('property: a referrer never gets more from a rule than is left of its per-referrer cap', async () => {
  fc.assert(fc.property(worldArb, ([rules, event, usage]) => {
    const { decisions } = evaluateIncentives(event, rules, usage)
    return rules.every((r) => r.perReferrerCap === null ||
      decisions.filter((d) => d.ruleId === r.id && d.beneficiary === 'referrer').reduce((sum, d) => sum + d.amount, 0) <=
        Math.max(0, r.perReferrerCap - (usage.referrerPeriodTotal[r.id] ?? 0)))
  }), runs)
})

t.test('property: the cash and coupons of one evaluation never exceed a campaign\'s budget left', async () => {
  fc.assert(fc.property(worldArb, ([rules, event, usage]) => {
    const { decisions } = evaluateIncentives(event, rules, usage)
    const campaignOf = new Map(rules.map((r) => [r.id, r.campaignId]))
    return Object.entries(usage.campaignBudgetLeft).every(([campaign, left]) =>
      decisions.filter((d) => d.rewardType !== 'points' && campaignOf.get(d.ruleId) === campaign).reduce((sum, d) => sum + d.amount, 0) <= Math.max(0, left))
  }), runs)
})

t.test('property: at most one non-stackable rule pays for an event', async () => {
  fc.assert(fc.property(worldArb, ([rules, event, usage]) => {
    const stackable = new Map(rules.map((r) => [r.id, r.stackable]))
    return evaluateIncentives(event, rules, usage).explanations.filter((e) => e.matched && !stackable.get(e.ruleId)).length <= 1
  }), runs)
})

t.test('property: deterministic, whatever order the rules come in, and the inputs are left unchanged', async () => {
  fc.assert(fc.property(worldArb, ([rules, event, usage, shuffled]) => {
    const before = JSON.stringify([rules, event, usage])
    const first = JSON.stringify(evaluateIncentives(event, rules, usage))
    return JSON.stringify(evaluateIncentives(event, shuffled, usage)) === first &&
      JSON.stringify(evaluateIncentives(event, rules, usage)) === first &&
      JSON.stringify([rules, event, usage]) === before
  }), runs)
})

t.test('property: a percentage reward is floor((net × bp + 5000) / 10000) in minor units', async () => {
  const referrer = { id: 'referrer-1', kind: 'customer', tier: 'standard' }
  fc.assert(fc.property(fc.oneof(fc.nat(100_000), fc.nat(Number.MAX_SAFE_INTEGER)), fc.nat(10_000), (net, bp) => {
    const r: IncentiveRule = { ...ruleDefaults, id: 'p', name: 'P', trigger: 'order_paid', calc: 'percentage', rewardType: 'cash', percentBp: bp }
    const event: IncentiveEvent = { trigger: 'order_paid', key: 'k', at: new Date(START), referrer, customerId: 'c', referralId: null, campaignId: null, order: { id: 'o', amount: net, currency: 'CNY', first: true } }
    const expected = (BigInt(net) * BigInt(bp) + 5000n) / 10_000n
    const paid = evaluateIncentives(event, [r], { referrerPeriodTotal: {}, campaignBudgetLeft: {} }).decisions[0]?.amount ?? 0
    return BigInt(paid) === expected && BigInt(applyBasisPoints(net, bp)) === expected
  }), { numRuns: 1000 })
})

t.test('property: rounding is half up: never more than half a minor unit off, ties upward', async () => {
  fc.assert(fc.property(fc.nat(10_000_000), fc.nat(100_000), (x, bp) => {
    const twice = 2 * x * bp // 2 × the exact value, in ten-thousandths
    const r = applyBasisPoints(x, bp) * 20_000
    return r - 10_000 <= twice && twice < r + 10_000
  }), { numRuns: 1000 })
})

t.test('property: periodStart is the latest UTC period boundary at or before the time', async () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }).map((ms) => new Date(ms)), fc.constantFrom(...PERIODS), (at, period) => {
    const start = periodStart(period, at)
    if (period === 'all_time') return start === null
    if (!start) return false
    const midnight = start.getUTCHours() + start.getUTCMinutes() + start.getUTCSeconds() + start.getUTCMilliseconds() === 0
    const shape = period === 'week' ? start.getUTCDay() === 1 : period === 'month' ? start.getUTCDate() === 1 : period === 'year' ? start.getUTCMonth() === 0 && start.getUTCDate() === 1 : true
    const span = { day: 1, week: 7, month: 31, year: 366 }[period] * 86_400_000
    return midnight && shape && start.getTime() <= at.getTime() && at.getTime() - start.getTime() < span &&
      periodStart(period, start)?.getTime() === start.getTime()
  }), { numRuns: 1000 })
})
