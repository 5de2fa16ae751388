import t from 'tap'
import fc from 'fast-check'
import type { CustomerFacts } from '../../src/rules/customer-facts.js'
import { defaultLifecycleConfig, lifecycleConfigProblems, lifecycleStage, lifecycleStages } from '../../src/rules/lifecycle.js'
import { DAY_MS } from '../../src/rules/rfm.js'

const AS_OF = new Date('2030-06-30T00:00:00Z')
const ago = (days: number) => new Date(AS_OF.getTime() - days * DAY_MS)
const facts = (over: Partial<CustomerFacts> = {}): CustomerFacts => ({ purchases: null, openPipeline: false, lastActivityAt: null, ...over })
const bought = (paidOrders: number, daysAgo: number, over: Partial<CustomerFacts> = {}) =>
  facts({ purchases: { paidOrders, netPaid: 1000 * paidOrders, lastPaidAt: ago(daysAgo) }, ...over })
const stage = (f: CustomerFacts) => lifecycleStage(f, AS_OF).stage

t.test('never bought: prospect, or nurturing while interested', async (t) => {
  t.same(lifecycleStage(facts(), AS_OF), { stage: 'prospect', explanation: 'prospect: no paid order, no open lead or opportunity, no activity within 90 days' })
  t.equal(stage(facts({ openPipeline: true })), 'nurturing')
  t.equal(stage(facts({ lastActivityAt: ago(30) })), 'nurturing')
  t.equal(stage(facts({ lastActivityAt: ago(91) })), 'prospect')
})

t.test('bought: nurturing after one order, loyal from two, at_risk from 180 days, churned from 365', async (t) => {
  t.same(lifecycleStage(bought(1, 5), AS_OF), { stage: 'nurturing', explanation: 'nurturing: 1 paid order(s), loyal from 2; last paid order 5 day(s) ago' })
  t.same(lifecycleStage(bought(2, 179), AS_OF), { stage: 'loyal', explanation: 'loyal: 2 paid orders, last paid order 179 day(s) ago' })
  t.same(lifecycleStage(bought(2, 180), AS_OF), { stage: 'at_risk', explanation: 'at_risk: last paid order 180 day(s) ago (at risk from 180)' })
  t.equal(stage(bought(1, 200)), 'at_risk')
  t.same(lifecycleStage(bought(9, 365), AS_OF), { stage: 'churned', explanation: 'churned: last paid order 365 day(s) ago (churned from 365)' })
})

t.test('an open lead does not rescue a lapsed buyer', async (t) => {
  t.equal(stage(bought(3, 400, { openPipeline: true, lastActivityAt: ago(1) })), 'churned')
})

t.test('thresholds are configuration and are checked', async (t) => {
  t.equal(lifecycleStage(bought(1, 5), AS_OF, { ...defaultLifecycleConfig, loyalMinPaidOrders: 1 }).stage, 'loyal')
  t.same(lifecycleConfigProblems(defaultLifecycleConfig), [])
  t.same(lifecycleConfigProblems({ ...defaultLifecycleConfig, atRiskDays: 365 }), ['churnedDays (365) must be more than atRiskDays (365)'])
  t.same(lifecycleConfigProblems({ ...defaultLifecycleConfig, engagedDays: 0 }), ['engagedDays must be a whole number of at least 1, not 0'])
})

t.test('property: as time passes without orders a buyer only moves towards churned', async () => {
  const order = (s: string) => lifecycleStages.indexOf(s as (typeof lifecycleStages)[number])
  fc.assert(fc.property(fc.integer({ min: 1, max: 10 }), fc.nat(800), fc.nat(400), (n, days, more) => {
    const before = stage(bought(n, days))
    const after = stage(bought(n, days + more))
    return before !== 'prospect' && order(after) >= order(before)
  }))
})
