import t from 'tap'
import fc from 'fast-check'
import { customerFacts, type CustomerFacts } from '../../src/rules/customer-facts.js'
import { customerTier, customerTierConfigProblems, defaultCustomerTierConfig } from '../../src/rules/customer-tier.js'
import {
  conversionsInWindow, defaultReferrerTierConfig, referrerTier, referrerTierConfigProblems, referrerTierForCount
} from '../../src/rules/referrer-tier.js'
import { DAY_MS } from '../../src/rules/rfm.js'

const AS_OF = new Date('2030-06-30T00:00:00Z')
const ago = (days: number) => new Date(AS_OF.getTime() - days * DAY_MS)
const facts = (over: Partial<CustomerFacts> = {}): CustomerFacts => ({ purchases: null, openPipeline: false, lastActivityAt: null, ...over })
const bought = (paidOrders: number, netPaid: number, daysAgo = 10) => facts({ purchases: { paidOrders, netPaid, lastPaidAt: ago(daysAgo) } })

t.test('tier A: repeat and high value; C: bought but one of them short', async (t) => {
  t.same(customerTier(bought(2, 500_000), AS_OF), { tier: 'A', explanation: 'A: 2 paid order(s), 500000 net (A from 2 orders and 500000 net)' })
  t.same(customerTier(bought(1, 2_000_000), AS_OF), { tier: 'C', explanation: 'C: 1 paid order(s), 2000000 net, fewer than 2 orders for A' })
  t.equal(customerTier(bought(9, 499_999), AS_OF).explanation, 'C: 9 paid order(s), 499999 net, less than 500000 net for A')
  t.equal(customerTier(bought(1, 100), AS_OF).explanation, 'C: 1 paid order(s), 100 net, fewer than 2 orders and less than 500000 net for A')
})

t.test('tier B: interested but not yet bought; untiered without any sign of interest', async (t) => {
  t.same(customerTier(facts({ openPipeline: true }), AS_OF), { tier: 'B', explanation: 'B: no paid order yet, has an open lead or opportunity' })
  t.equal(customerTier(facts({ lastActivityAt: ago(90) }), AS_OF).tier, 'B', 'activity exactly 90 days ago still counts')
  t.equal(customerTier(facts({ lastActivityAt: ago(91) }), AS_OF).tier, null)
  t.equal(customerTier(facts({ lastActivityAt: new Date(AS_OF.getTime() + 1) }), AS_OF).tier, null, 'an activity after asOf has not happened yet')
  t.equal(customerTier(facts(), AS_OF).tier, null)
})

t.test('tier thresholds are configuration', async (t) => {
  const valueOnly = { ...defaultCustomerTierConfig, aMinPaidOrders: 1 }
  t.equal(customerTier(bought(1, 2_000_000), AS_OF, valueOnly).tier, 'A')
  t.same(customerTierConfigProblems(defaultCustomerTierConfig), [])
  t.same(customerTierConfigProblems({ aMinPaidOrders: 0, aMinNetPaid: -1, interestDays: 1.5 }), [
    'aMinPaidOrders must be a whole number of at least 1, not 0',
    'aMinNetPaid must be a whole number of at least 0, not -1',
    'interestDays must be a whole number of at least 1, not 1.5'
  ])
})

t.test('facts from an aggregate: no aggregate or no paid order means never bought', async (t) => {
  t.equal(customerFacts(undefined, false, null).purchases, null)
  t.equal(customerFacts({ customerId: 'c', lastPaidAt: AS_OF, paidOrders: 0, netPaid: 0 }, false, null).purchases, null)
  t.same(customerFacts({ customerId: 'c', lastPaidAt: AS_OF, paidOrders: 2, netPaid: 5 }, true, null),
    { purchases: { paidOrders: 2, netPaid: 5, lastPaidAt: AS_OF }, openPipeline: true, lastActivityAt: null })
})

t.test('property: a buyer is A or C, never B or untiered; more orders or money never lowers A to C', async () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 20 }), fc.nat(2_000_000), fc.nat(5), fc.nat(500_000), (n, net, dn, dnet) => {
    const before = customerTier(bought(n, net), AS_OF).tier
    const after = customerTier(bought(n + dn, net + dnet), AS_OF).tier
    return (before === 'A' || before === 'C') && (before !== 'A' || after === 'A')
  }))
})

// --- referrer tier ------------------------------------------------------------------

t.test('referrer tier by converted referrals in the last 365 days: standard, silver from 3, gold from 10', async (t) => {
  t.same(referrerTierForCount(0), { tier: 'standard', conversions: 0, next: { tier: 'silver', needed: 3 },
    explanation: 'standard: 0 converted referral(s) in the last 365 days (standard from 0); 3 more for silver' })
  t.equal(referrerTierForCount(2).tier, 'standard')
  t.equal(referrerTierForCount(3).tier, 'silver')
  t.same(referrerTierForCount(9).next, { tier: 'gold', needed: 1 })
  t.same(referrerTierForCount(10), { tier: 'gold', conversions: 10, next: null, explanation: 'gold: 10 converted referral(s) in the last 365 days (gold from 10)' })
})

t.test('only conversions in the trailing window up to asOf count', async (t) => {
  const times = [ago(0), ago(365), ago(366), new Date(AS_OF.getTime() + 1), ago(10)]
  t.equal(conversionsInWindow(times, 365, AS_OF), 3)
  t.equal(conversionsInWindow(times, null, AS_OF), 4)
  t.equal(referrerTier([ago(1), ago(2), ago(400)], AS_OF).tier, 'standard', 'the old one has lapsed')
  t.equal(referrerTier([ago(1), ago(2), ago(400)], AS_OF, { ...defaultReferrerTierConfig, windowDays: null }).tier, 'silver')
})

t.test('referrer tier configuration is checked', async (t) => {
  t.same(referrerTierConfigProblems(defaultReferrerTierConfig), [])
  t.same(referrerTierConfigProblems({ windowDays: 0, tiers: [] }), [
    'windowDays must be a positive whole number or null (all time), not 0', 'at least one tier is needed'
  ])
  t.same(referrerTierConfigProblems({ windowDays: 30, tiers: [{ tier: 'gold', minConversions: 5 }, { tier: 'gold', minConversions: 5 }] }), [
    'tier names must be unique', 'no two tiers may share minConversions', 'one tier must start at 0 conversions'
  ])
  const unordered = { windowDays: 30, tiers: [{ tier: 'top', minConversions: 5 }, { tier: 'base', minConversions: 0 }] }
  t.equal(referrerTierForCount(6, unordered).tier, 'top', 'tiers may be listed in any order')
})

t.test('property: more conversions never give a lower tier', async () => {
  const rank = (tier: string) => defaultReferrerTierConfig.tiers.findIndex((l) => l.tier === tier)
  fc.assert(fc.property(fc.nat(50), fc.nat(50), (a, b) => {
    const [lo, hi] = a <= b ? [a, b] : [b, a]
    return rank(referrerTierForCount(lo).tier) <= rank(referrerTierForCount(hi).tier)
  }))
})
