import t from 'tap'
import fc from 'fast-check'
import { evaluateIncentives } from '../../src/rules/incentives.js'
import type { IncentiveEvent } from '../../src/rules/incentives.types.js'
import { AT, rule } from './incentives.fixtures.js'

/** survey_answered and ticket_resolved (docs/incentives.md, "Service triggers"). */
const serviceEvent = (trigger: 'survey_answered' | 'ticket_resolved', referred: boolean): IncentiveEvent => ({
  trigger, key: `${trigger}:x-1`, at: AT, customerId: 'customer-1', campaignId: null,
  referrer: referred ? { id: 'referrer-1', kind: 'customer', tier: 'standard' } : null, referralId: referred ? 'referral-1' : null
})

const arb = fc.record({
  trigger: fc.constantFrom('survey_answered' as const, 'ticket_resolved' as const),
  referred: fc.boolean(),
  beneficiary: fc.constantFrom('referrer' as const, 'referred' as const, 'both' as const),
  kinds: fc.boolean(),
  amount: fc.integer({ min: 1, max: 10_000 }),
  points: fc.boolean()
})

t.test('a service event pays its customer with or without a referrer, and the referrer side only when there is one', async (t) => {
  fc.assert(fc.property(arb, (a) => {
    const r = rule({
      trigger: a.trigger, beneficiary: a.beneficiary, amount: a.amount, approval: 'auto',
      ...(a.points ? { calc: 'points', rewardType: 'points' } : {}), referrerKinds: a.kinds ? ['customer'] : []
    })
    const { decisions, explanations } = evaluateIncentives(serviceEvent(a.trigger, a.referred), [r])
    const sides = decisions.map((d) => d.beneficiary).sort()
    if (a.referred) {
      const want = a.beneficiary === 'both' ? ['referred', 'referrer'] : [a.beneficiary]
      t.same(sides, want)
    } else if (a.beneficiary === 'referrer' || a.kinds) {
      t.same(sides, [])
      t.equal(explanations[0].code, 'no_referrer')
    } else {
      t.same(sides, ['referred'])
      t.ok(decisions.every((d) => d.beneficiaryId === 'customer-1' && d.amount === a.amount && d.holdUntil === null), 'the customer gets the amount, no hold')
    }
  }), { numRuns: 200 })
})

t.test('the other triggers still need a referrer', async (t) => {
  for (const trigger of ['referral_qualified', 'referral_converted', 'referrer_milestone', 'order_paid'] as const) {
    const { explanations } = evaluateIncentives({ ...serviceEvent('survey_answered', false), trigger }, [rule({ trigger, beneficiary: 'referred', milestone: 1 })])
    t.equal(explanations[0].code, 'no_referrer', trigger)
  }
})

t.test('a survey rule does not fire on a resolved ticket, and the other way round', async (t) => {
  const { explanations } = evaluateIncentives(serviceEvent('ticket_resolved', true), [rule({ trigger: 'survey_answered', beneficiary: 'referred' })])
  t.match(explanations[0], { code: 'other_trigger', reason: /an answered survey, the event is a resolved ticket/ })
})
