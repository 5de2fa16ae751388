import { sql, type SQL } from 'drizzle-orm'
import type { Executor } from '../../db/client.js'
import { cutsFromHistogram, entryAt, positionsWithin, type Better, type Histogram, type ScoreCuts } from '../../rules/rfm-cuts.js'
import { buyerFacts } from './scoring.facts.js'
import { rows } from './scoring.sql.js'

/**
 * The cut values of the run's R, F and M scores (src/rules/rfm-cuts.ts), found with two
 * aggregate scans of customer_scores and no sort of a million rows:
 *   1. one GROUP BY GROUPING SETS gives the histograms of days (recency) and frequency, which
 *      have few distinct values, and of money by monotone bucket, floor(sqrt(monetary));
 *   2. the few buckets that hold the cut positions are read value by value.
 * The cuts then go into the scoring statement as four constants per dimension.
 */
export type RunCuts = { scored: number; r: ScoreCuts; f: ScoreCuts; m: ScoreCuts }

// sqrt is correctly rounded, so floor(sqrt(x)) never puts a larger value in a smaller bucket.
const BUCKET = sql`floor(sqrt(monetary::float8))`

export async function findCuts(ex: Executor, asOf: Date, edgeMoves: boolean): Promise<RunCuts> {
  const found = await rows(ex, sql`
    select grouping(days, frequency, ${BUCKET}) as g, days, frequency, ${BUCKET} as bucket, count(*)::int as n
    from ${buyerFacts(asOf, undefined, edgeMoves)} x where scored
    group by grouping sets ((days), (frequency), (${BUCKET}))`)
  // grouping() sets a bit per column left out: 3 = only days kept, 5 = frequency, 6 = bucket.
  const of = (g: number, key: string, better: Better): Histogram => sortedHistogram(found.filter((r) => Number(r.g) === g).map((r) => [Number(r[key]), Number(r.n)]), better)
  const recency = of(3, 'days', 'lower')
  const frequency = of(5, 'frequency', 'higher')
  const buckets = of(6, 'bucket', 'higher')
  const scored = frequency.reduce((sum, [, n]) => sum + n, 0)
  return { scored, r: cutsFromHistogram(recency), f: cutsFromHistogram(frequency), m: await moneyCuts(ex, asOf, buckets, edgeMoves) }
}

async function moneyCuts(ex: Executor, asOf: Date, buckets: Histogram, edgeMoves: boolean): Promise<ScoreCuts> {
  const wanted = positionsWithin(buckets)
  if (wanted.length === 0) return []
  const ids = [...new Set(wanted.map((w) => w.bucket))]
  const found = await rows(ex, sql`
    select ${BUCKET} as bucket, monetary, count(*)::int as n from ${buyerFacts(asOf, undefined, edgeMoves)} x
    where scored and ${BUCKET} in (${sql.join(ids.map((b) => sql.raw(String(b))), sql`, `)})
    group by 1, 2`)
  return wanted.map(({ bucket, position }) => {
    const values = sortedHistogram(found.filter((r) => Number(r.bucket) === bucket).map((r) => [Number(r.monetary), Number(r.n)]), 'higher')
    return entryAt(values, position).value
  })
}

const sortedHistogram = (entries: [number, number][], better: Better): Histogram =>
  entries.sort(([a], [b]) => (better === 'higher' ? a - b : b - a))

/** `1 + (how many cuts the value beats)` as SQL over a column; null where not scored. */
export function scoreSql(column: SQL, cuts: ScoreCuts, better: Better): SQL {
  const op = better === 'higher' ? sql.raw('>') : sql.raw('<')
  const beaten = cuts.map((cut) => {
    if (!Number.isSafeInteger(cut)) throw new RangeError(`a score cut must be a whole number, got ${cut}`)
    return sql`(${column} ${op} ${sql.raw(String(cut))})::int`
  })
  return sql`case when scored then (1 ${beaten.length ? sql` + ${sql.join(beaten, sql` + `)}` : sql``})::smallint end`
}
