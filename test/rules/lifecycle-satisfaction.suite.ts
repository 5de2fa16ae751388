import t from 'tap'
import fc from 'fast-check'
import { customerFacts, isDetractor, latestAnswers, recentDetractor, type CustomerFacts } from '../../src/rules/customer-facts.js'
import { defaultLifecycleConfig, lifecycleConfigProblems, lifecycleStage } from '../../src/rules/lifecycle.js'
import { DAY_MS } from '../../src/rules/rfm.js'

const AS_OF = new Date('2030-06-30T00:00:00Z')
const ago = (days: number) => new Date(AS_OF.getTime() - days * DAY_MS)
const base = (over: Partial<CustomerFacts> = {}): CustomerFacts => ({ purchases: null, openPipeline: false, lastActivityAt: null, ...over })
const bought = (paidOrders: number, daysAgo: number) => ({ paidOrders, netPaid: 1000 * paidOrders, lastPaidAt: ago(daysAgo) })

t.test('a recent detractor is at_risk, with the answer named; churned stays churned', async (t) => {
  const loyal = base({ purchases: bought(3, 5), satisfaction: { nps: { score: 3, at: ago(12) }, csat: null } })
  t.same(lifecycleStage(loyal, AS_OF), { stage: 'at_risk', explanation: 'at_risk: latest NPS answer 3, 12 day(s) ago, is a detractor\'s (within 90)' })
  t.equal(lifecycleStage(base({ satisfaction: { nps: null, csat: { score: 2, at: ago(90) } } }), AS_OF).stage, 'at_risk', 'CSAT 2 on the window\'s edge, never bought')
  t.equal(lifecycleStage(base({ purchases: bought(3, 5), satisfaction: { nps: null, csat: { score: 2, at: ago(90.001) } } }), AS_OF).stage, 'loyal', 'just outside the window')
  t.equal(lifecycleStage(base({ purchases: bought(3, 400), satisfaction: { nps: { score: 0, at: ago(1) }, csat: null } }), AS_OF).stage, 'churned')
  t.equal(lifecycleStage(base({ purchases: bought(3, 5), satisfaction: { nps: { score: 7, at: ago(1) }, csat: { score: 3, at: ago(1) } } }), AS_OF).stage, 'loyal', 'passive and neutral are not detractors')
  t.equal(lifecycleStage(loyal, AS_OF, { ...defaultLifecycleConfig, detractorDays: 0 }).stage, 'loyal', 'detractorDays 0 turns it off')
  t.equal(lifecycleStage(loyal, AS_OF, { ...defaultLifecycleConfig, detractorDays: 10 }).stage, 'loyal', 'a shorter window')
  t.same(lifecycleConfigProblems({ ...defaultLifecycleConfig, detractorDays: -1 }), ['detractorDays must be a whole number of at least 0, not -1'])
})

t.test('the latest answer of a kind wins: a later promoter takes a detractor back; answers after asOf are not seen', async (t) => {
  const answers = [{ kind: 'nps' as const, score: 2, at: ago(20) }, { kind: 'nps' as const, score: 10, at: ago(5) }, { kind: 'csat' as const, score: 1, at: ago(-1) }]
  t.same(latestAnswers(answers, AS_OF), { nps: { score: 10, at: ago(5) }, csat: null })
  t.equal(recentDetractor(latestAnswers(answers, AS_OF), AS_OF, 90), null)
  t.equal(customerFacts(undefined, false, null).satisfaction, undefined, 'no answers given: none known')
  t.same(customerFacts(undefined, false, null, latestAnswers([], AS_OF)).satisfaction, { nps: null, csat: null })
})

const answerArb = fc.record({ kind: fc.constantFrom('nps' as const, 'csat' as const), score: fc.nat(10), daysAgo: fc.double({ min: -5, max: 200, noNaN: true }) })
  .map((a) => ({ kind: a.kind, score: a.kind === 'csat' ? 1 + (a.score % 5) : a.score, at: ago(a.daysAgo) }))
const purchasesArb = fc.option(fc.record({ n: fc.integer({ min: 1, max: 5 }), daysAgo: fc.nat(500) }), { nil: null })

t.test('property: at_risk by satisfaction exactly when the latest answer of a kind is a detractor\'s within the window, unless churned', async (t) => {
  fc.assert(fc.property(fc.array(answerArb, { maxLength: 6 }), purchasesArb, fc.nat(120), (answers, p, days) => {
    const config = { ...defaultLifecycleConfig, detractorDays: days }
    const satisfaction = latestAnswers(answers, AS_OF)
    const facts = base({ purchases: p ? bought(p.n, p.daysAgo) : null, satisfaction })
    const without = lifecycleStage({ ...facts, satisfaction: undefined }, AS_OF, config)
    const got = lifecycleStage(facts, AS_OF, config)
    // Independent: the latest seen answer of each kind, by brute force.
    const seen = answers.filter((a) => a.at <= AS_OF)
    const detractor = days > 0 && (['nps', 'csat'] as const).some((kind) => {
      const mine = seen.filter((a) => a.kind === kind)
      if (!mine.length) return false
      const latest = mine.reduce((x, y) => (y.at >= x.at ? y : x))
      return isDetractor(kind, latest.score) && AS_OF.getTime() - latest.at.getTime() <= days * DAY_MS
    })
    if (without.stage === 'churned') return got.stage === 'churned'
    return detractor ? got.stage === 'at_risk' : got.stage === without.stage && got.explanation === without.explanation
  }), { numRuns: 500 })
})

t.test('property: a detractor answer only ever moves a customer to at_risk, and time without answers takes it back', async () => {
  fc.assert(fc.property(purchasesArb, fc.integer({ min: 0, max: 6 }), fc.integer({ min: 1, max: 120 }), (p, score, days) => {
    const config = { ...defaultLifecycleConfig, detractorDays: days }
    const facts = base({ purchases: p ? bought(p.n, p.daysAgo) : null, satisfaction: { nps: { score, at: AS_OF }, csat: null } })
    const now = lifecycleStage(facts, AS_OF, config).stage
    const later = new Date(AS_OF.getTime() + (days + 1) * DAY_MS)
    const plain = lifecycleStage({ ...facts, satisfaction: undefined }, later, config).stage
    return (now === 'at_risk' || now === 'churned') && lifecycleStage(facts, later, config).stage === plain
  }), { numRuns: 300 })
})
