import t from 'tap'
import fc from 'fast-check'
import { tieAwareScores } from '../../src/rules/rfm.js'
import { cutPositions, cutsFromHistogram, entryAt, histogramOf, positionsWithin, scoreWithCuts, type Better } from '../../src/rules/rfm-cuts.js'

const better = fc.constantFrom<Better>('higher', 'lower')
// Few distinct values (ties everywhere) and many (money) both matter.
const values = fc.oneof(
  fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 300 }),
  fc.array(fc.integer({ min: -1e9, max: 1e9 }), { minLength: 1, maxLength: 300 })
)

t.test('cut positions are T_k = ceil((k-1)·n/5) for k = 2..5, none for nobody', async (t) => {
  t.same(cutPositions(0), [])
  t.same(cutPositions(1), [1, 1, 1, 1])
  t.same(cutPositions(5), [1, 2, 3, 4])
  t.same(cutPositions(7), [2, 3, 5, 6])
  t.same(cutPositions(1_000_000), [200_000, 400_000, 600_000, 800_000])
  t.throws(() => cutPositions(-1), RangeError)
  t.throws(() => cutPositions(1.5), RangeError)
})

t.test('entryAt finds the value holding a position and what comes before it', async (t) => {
  const h = [[10, 2], [20, 3], [30, 1]] as const
  t.same(entryAt(h, 1), { value: 10, before: 0 })
  t.same(entryAt(h, 2), { value: 10, before: 0 })
  t.same(entryAt(h, 3), { value: 20, before: 2 })
  t.same(entryAt(h, 6), { value: 30, before: 5 })
  t.throws(() => entryAt(h, 7), RangeError)
})

t.test('1,000 equal values all score 1; one better value above them scores 5', async (t) => {
  const same = Array.from({ length: 1000 }, () => 3)
  const cuts = cutsFromHistogram(histogramOf([...same, 4], 'higher'))
  t.equal(scoreWithCuts(3, cuts, 'higher'), 1)
  t.equal(scoreWithCuts(4, cuts, 'higher'), 5)
})

t.test('property: scores from the four cuts equal the tie-aware scores of rfm.ts', async () => {
  fc.assert(fc.property(values, better, (vs, b) => {
    const cuts = cutsFromHistogram(histogramOf(vs, b))
    const expected = tieAwareScores(vs, b)
    return vs.every((v, i) => scoreWithCuts(v, cuts, b) === expected[i])
  }), { numRuns: 500 })
})

t.test('property: the two-step form (monotone buckets, then the values of four buckets) finds the same cuts', async () => {
  fc.assert(fc.property(values, better, fc.integer({ min: 1, max: 1000 }), (vs, b, width) => {
    // Any monotone bucketing will do; SQL uses floor(sqrt(v)), here floor(v / width).
    const bucketOf = (v: number) => Math.floor(v / width)
    const buckets = histogramOf(vs.map(bucketOf), b)
    const cuts = positionsWithin(buckets).map(({ bucket, position }) =>
      entryAt(histogramOf(vs.filter((v) => bucketOf(v) === bucket), b), position).value)
    return JSON.stringify(cuts) === JSON.stringify(cutsFromHistogram(histogramOf(vs, b)))
  }), { numRuns: 500 })
})
