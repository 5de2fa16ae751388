import t from 'tap'
import fc from 'fast-check'
import { allScoreTriples, defaultSegmentTable, segmentNames, segmentOf, segmentTableProblems, type SegmentRow } from '../../src/rules/segments.js'

const seg = (r: number, f: number, m: number) => segmentOf({ r, f, m })?.segment

t.test('the default table is total: every one of the 125 score triples gets a segment', async (t) => {
  const triples = allScoreTriples()
  t.equal(triples.length, 125)
  const missing = triples.filter((s) => segmentOf(s) === null)
  t.same(missing, [])
  t.same(segmentTableProblems(defaultSegmentTable), [], 'total, well-formed, every row reachable')
})

t.test('the default table names all eleven segments, each reached by some scores', async (t) => {
  t.same(defaultSegmentTable.map((r) => r.segment).sort(), [...segmentNames].sort())
  const reached = new Set(allScoreTriples().map((s) => segmentOf(s)?.segment))
  t.same([...reached].sort(), [...segmentNames].sort())
})

t.test('representative customers land where a manager would expect', async (t) => {
  t.equal(seg(5, 5, 5), 'Champions')
  t.equal(seg(5, 5, 2), 'Loyal', 'frequent and recent but small baskets')
  t.equal(seg(3, 4, 1), 'Loyal')
  t.equal(seg(4, 2, 3), 'Potential Loyalist')
  t.equal(seg(5, 1, 5), 'New')
  t.equal(seg(4, 1, 1), 'Promising')
  t.equal(seg(3, 3, 3), 'Need Attention')
  t.equal(seg(3, 1, 2), 'About to Sleep')
  t.equal(seg(1, 5, 5), "Can't Lose Them")
  t.equal(seg(2, 5, 3), 'At Risk', 'lapsed frequent buyer without the high value')
  t.equal(seg(1, 3, 1), 'At Risk')
  t.equal(seg(2, 2, 4), 'Hibernating')
  t.equal(seg(1, 1, 1), 'Lost')
})

t.test('a match says which row matched and why each earlier row did not', async (t) => {
  const match = segmentOf({ r: 4, f: 1, m: 2 })
  t.equal(match?.row, 4)
  t.equal(match?.explanation, 'Promising (row 5): r 4 in 4, f 1 in 1, m 2 in 1–5')
  t.same(match?.skipped.map((s) => s.reason), ['f 1 not in 4–5', 'f 1 not in 4–5', 'f 1 not in 2–3', 'r 4 not in 5'])
})

t.test('first match wins: an earlier row shadows a later one', async (t) => {
  const table: SegmentRow[] = [{ segment: 'Everyone', r: [1, 5], f: [1, 5], m: [1, 5] }, ...defaultSegmentTable]
  t.equal(segmentOf({ r: 5, f: 5, m: 5 }, table)?.segment, 'Everyone')
  const problems = segmentTableProblems(table)
  t.equal(problems.length, defaultSegmentTable.length)
  t.match(problems[0], /row 2 \(Champions\) is never reached/)
})

t.test('a custom table with gaps, bad ranges or no rows is refused with reasons', async (t) => {
  t.same(segmentTableProblems([]), ['the table has no rows'])
  const gap: SegmentRow[] = [{ segment: 'Recent', r: [3, 5], f: [1, 5], m: [1, 5] }]
  t.same(segmentTableProblems(gap), ['50 score triple(s) (rfm) match no row: 111, 112, 113, 114, 115, 121, 122, 123, 124, 125, …'])
  t.equal(segmentOf({ r: 1, f: 1, m: 1 }, gap), null, 'no row: no segment, not a guess')
  const bad = [{ segment: '', r: [5, 3], f: [0, 5], m: [1, 5] }] as unknown as SegmentRow[]
  t.same(segmentTableProblems(bad), [
    'row 1: the segment needs a name',
    'row 1 (): r must be a range of whole scores within 1–5, low first, not [5, 3]',
    'row 1 (): f must be a range of whole scores within 1–5, low first, not [0, 5]'
  ])
})

t.test('property: any table ending in a catch-all row is total, and segmentOf agrees with a direct scan', async () => {
  const score = fc.integer({ min: 1, max: 5 })
  const range = fc.tuple(score, score).map(([a, b]) => (a <= b ? [a, b] : [b, a]) as SegmentRow['r'])
  const row = fc.record({ segment: fc.constantFrom('A', 'B', 'C'), r: range, f: range, m: range })
  fc.assert(fc.property(fc.array(row, { maxLength: 6 }), score, score, score, (rows, r, f, m) => {
    const table: SegmentRow[] = [...rows, { segment: 'Rest', r: [1, 5], f: [1, 5], m: [1, 5] }]
    const match = segmentOf({ r, f, m }, table)
    const expected = table.findIndex((x) => r >= x.r[0] && r <= x.r[1] && f >= x.f[0] && f <= x.f[1] && m >= x.m[0] && m <= x.m[1])
    return match !== null && match.row === expected && match.skipped.length === expected &&
      segmentTableProblems(table).every((p) => p.includes('never reached'))
  }))
})
