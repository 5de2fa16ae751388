import t from 'tap'
import fc from 'fast-check'
import { classifyScore, scales, scoreProblem, surveyKinds } from '../../src/rules/survey-score.js'

t.test('the documented table: CSAT 1–2 detractor, 3–5 passive; NPS 0–6 detractor, 7–8 passive, 9–10 promoter', async (t) => {
  t.same([1, 2, 3, 4, 5].map((s) => classifyScore('csat', s)), ['detractor', 'detractor', 'passive', 'passive', 'passive'])
  t.same([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((s) => classifyScore('nps', s)),
    [...Array(7).fill('detractor'), 'passive', 'passive', 'promoter', 'promoter'])
})

t.test('a score is valid exactly when it is a whole number on the kind’s scale, and the problem says the range', async (t) => {
  fc.assert(fc.property(fc.constantFrom(...surveyKinds), fc.oneof(fc.integer({ min: -20, max: 20 }), fc.double({ noNaN: true, min: -20, max: 20 })), (kind, score) => {
    const { min, max } = scales[kind]
    const valid = Number.isInteger(score) && score >= min && score <= max
    const problem = scoreProblem(kind, score)
    return valid ? problem === null : problem === `must be a whole number from ${min} to ${max}`
  }))
})

t.test('the categories are monotone in the score: detractors below passives below promoters', async (t) => {
  const rank = { detractor: 0, passive: 1, promoter: 2 }
  fc.assert(fc.property(fc.constantFrom(...surveyKinds), fc.integer({ min: 0, max: 10 }), fc.integer({ min: 0, max: 10 }), (kind, a, b) => {
    const { min, max } = scales[kind]
    if (a < min || b < min || a > max || b > max || a > b) return true
    return rank[classifyScore(kind, a)] <= rank[classifyScore(kind, b)]
  }))
  t.notOk([1, 2, 3, 4, 5].some((s) => classifyScore('csat', s) === 'promoter'), 'CSAT has no promoters')
})
