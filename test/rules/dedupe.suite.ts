import t from 'tap'
import fc from 'fast-check'
import { DUPLICATE_SCORES, duplicateReasons, duplicateScore } from '../../src/rules/dedupe.js'

t.test('a pair scores its best reason: phone 1, email 0.95, name + company 0.9 × similarity', async (t) => {
  t.equal(duplicateScore(['PHONE'], 0), 1)
  t.equal(duplicateScore(['EMAIL'], 0), 0.95)
  t.equal(duplicateScore(['NAME_COMPANY'], 0.8), 0.72)
  t.equal(duplicateScore(['EMAIL', 'NAME_COMPANY'], 1), 0.95)
  t.equal(duplicateScore([], 1), 0)
})

t.test('a name likeness never outranks an exact contact match', async (t) => {
  fc.assert(fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.subarray([...duplicateReasons], { minLength: 1 }), (sim, reasons) => {
    const score = duplicateScore(reasons, sim)
    const exact = reasons.some((r) => r !== 'NAME_COMPANY')
    return score >= 0 && score <= 1 && (!exact || score >= DUPLICATE_SCORES.EMAIL)
  }))
})
