/**
 * RFM segments (客户分群): a first-match table over the (r, f, m) scores. The table is
 * configuration; the default below is shown in docs/scoring.md and covers all 125 score
 * triples (a test checks every one). A custom table is checked by `segmentTableProblems`.
 * The default reads mostly off R × F; M only separates Champions from Loyal and
 * Can't Lose Them from At Risk.
 */
import type { RfmScore } from './rfm.js'

export type ScoreRange = readonly [RfmScore, RfmScore]
export type SegmentRow = { segment: string; r: ScoreRange; f: ScoreRange; m: ScoreRange }
export type RfmScores = { r: number; f: number; m: number }
export type SegmentMatch = {
  segment: string
  /** Index of the matching row in the table. */
  row: number
  /** Why the earlier rows did not match, one per row, in table order. */
  skipped: { row: number; segment: string; reason: string }[]
  explanation: string
}

export const segmentNames = [
  'Champions', 'Loyal', 'Potential Loyalist', 'New', 'Promising', 'Need Attention',
  'About to Sleep', "Can't Lose Them", 'At Risk', 'Hibernating', 'Lost'
] as const
export type SegmentName = (typeof segmentNames)[number]

const ANY: ScoreRange = [1, 5]
/** The default table, first match wins. */
export const defaultSegmentTable: readonly SegmentRow[] = [
  { segment: 'Champions', r: [4, 5], f: [4, 5], m: [4, 5] },
  { segment: 'Loyal', r: [3, 5], f: [4, 5], m: ANY },
  { segment: 'Potential Loyalist', r: [4, 5], f: [2, 3], m: ANY },
  { segment: 'New', r: [5, 5], f: [1, 1], m: ANY },
  { segment: 'Promising', r: [4, 4], f: [1, 1], m: ANY },
  { segment: 'Need Attention', r: [3, 3], f: [2, 3], m: ANY },
  { segment: 'About to Sleep', r: [3, 3], f: [1, 1], m: ANY },
  { segment: "Can't Lose Them", r: [1, 2], f: [4, 5], m: [4, 5] },
  { segment: 'At Risk', r: [1, 2], f: [3, 5], m: ANY },
  { segment: 'Hibernating', r: [2, 2], f: [1, 2], m: ANY },
  { segment: 'Lost', r: [1, 1], f: [1, 2], m: ANY }
]

const DIMENSIONS = ['r', 'f', 'm'] as const
const within = (v: number, [lo, hi]: ScoreRange) => v >= lo && v <= hi
const span = ([lo, hi]: ScoreRange) => (lo === hi ? `${lo}` : `${lo}–${hi}`)

/** The first row that does not match `scores` says why; null when it matches. */
function mismatch(row: SegmentRow, scores: RfmScores): string | null {
  for (const d of DIMENSIONS) if (!within(scores[d], row[d])) return `${d} ${scores[d]} not in ${span(row[d])}`
  return null
}

/** The segment of `scores` by the first matching row, or null when no row matches (an incomplete custom table). */
export function segmentOf(scores: RfmScores, table: readonly SegmentRow[] = defaultSegmentTable): SegmentMatch | null {
  const skipped: SegmentMatch['skipped'] = []
  for (let i = 0; i < table.length; i++) {
    const row = table[i]
    const reason = mismatch(row, scores)
    if (reason !== null) {
      skipped.push({ row: i, segment: row.segment, reason })
      continue
    }
    const ranges = DIMENSIONS.map((d) => `${d} ${scores[d]} in ${span(row[d])}`).join(', ')
    return { segment: row.segment, row: i, skipped, explanation: `${row.segment} (row ${i + 1}): ${ranges}` }
  }
  return null
}

/** Every (r, f, m) in 1..5³, in lexicographic order. */
export function allScoreTriples(): RfmScores[] {
  const triples: RfmScores[] = []
  for (let r = 1; r <= 5; r++) for (let f = 1; f <= 5; f++) for (let m = 1; m <= 5; m++) triples.push({ r, f, m })
  return triples
}

/**
 * Why a table is unusable: malformed rows, score triples no row covers, rows that can never
 * be the first match. Empty when the table is total and every row is reachable.
 */
export function segmentTableProblems(table: readonly SegmentRow[]): string[] {
  const problems: string[] = []
  if (table.length === 0) return ['the table has no rows']
  table.forEach((row, i) => {
    if (typeof row.segment !== 'string' || row.segment.trim() === '') problems.push(`row ${i + 1}: the segment needs a name`)
    for (const d of DIMENSIONS) {
      const [lo, hi] = row[d]
      const ok = [lo, hi].every((v) => Number.isInteger(v) && v >= 1 && v <= 5) && lo <= hi
      if (!ok) problems.push(`row ${i + 1} (${row.segment}): ${d} must be a range of whole scores within 1–5, low first, not [${lo}, ${hi}]`)
    }
  })
  if (problems.length) return problems
  const used = new Set<number>()
  const uncovered: string[] = []
  for (const s of allScoreTriples()) {
    const match = segmentOf(s, table)
    if (match) used.add(match.row)
    else uncovered.push(`${s.r}${s.f}${s.m}`)
  }
  if (uncovered.length) {
    const shown = uncovered.slice(0, 10).join(', ') + (uncovered.length > 10 ? ', …' : '')
    problems.push(`${uncovered.length} score triple(s) (rfm) match no row: ${shown}`)
  }
  table.forEach((row, i) => {
    if (!used.has(i)) problems.push(`row ${i + 1} (${row.segment}) is never reached: earlier rows take all its scores`)
  })
  return problems
}
