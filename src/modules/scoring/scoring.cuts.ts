import { sql, type SQL } from 'drizzle-orm'
import type { Executor } from '../../db/client.js'
import { cutsFromHistogram, entryAt, positionsWithin, sortedHistogram, type Better, type Histogram, type ScoreCuts } from '../../rules/rfm-cuts.js'
import { buyerFacts } from './scoring.facts.js'
import { rows } from './scoring.sql.js'

/**
 * The cut values of the run's R, F and M scores (src/rules/rfm-cuts.ts), found with two
 * aggregate scans of customer_scores and no sort of a million rows:
 *   1. one GROUP BY GROUPING SETS gives the histograms of days (recency) and frequency, which
 *      have few distinct values, and of money by monotone bucket, floor(sqrt(monetary));
 *   2. the few buckets that hold the cut positions are read value by value (in the same scan
 *      when they are the last run's buckets, which is the usual case).
 * The cuts then go into the scoring statement as four constants per dimension.
 */
export type RunCuts = { scored: number; r: ScoreCuts; f: ScoreCuts; m: ScoreCuts; mBuckets: number[] }

// sqrt is correctly rounded, so floor(sqrt(x)) never puts a larger value in a smaller bucket.
const BUCKET = sql`floor(sqrt(monetary::float8))`

/**
 * The run's cuts. `likelyBuckets` are the money buckets that held the last run's cuts: the
 * first scan also reads their values one by one, and when this run's cuts fall in them (as
 * they do from one night to the next) the second scan is not needed.
 */
export async function findCuts(ex: Executor, asOf: Date, edgeMoves: boolean, likelyBuckets: readonly number[]): Promise<RunCuts> {
  const likely = likelyBuckets.filter((b) => Number.isSafeInteger(b) && b >= 0)
  // Buckets are never negative: with no last run, -1 keeps the query's shape and matches nothing.
  const inLikely = sql`case when ${BUCKET} in (${sql.join((likely.length ? likely : [-1]).map((b) => sql.raw(String(b))), sql`, `)}) then monetary end`
  const found = await rows(ex, sql`
    select grouping(days, frequency, ${BUCKET}, ${inLikely}) as g, days, frequency, ${BUCKET} as bucket, ${inLikely} as value, count(*)::int as n
    from ${buyerFacts(asOf, { edgeMoves })} x where scored
    group by grouping sets ((days), (frequency), (${BUCKET}), (${BUCKET}, ${inLikely}))`)
  // grouping() sets a bit per column left out (days, frequency, bucket, value): 7 = only days
  // kept, 11 = frequency, 13 = bucket, 12 = bucket and value.
  const of = (g: number, key: string, better: Better): Histogram => sortedHistogram(found.filter((r) => Number(r.g) === g).map((r) => [Number(r[key]), Number(r.n)]), better)
  const recency = of(7, 'days', 'lower')
  const frequency = of(11, 'frequency', 'higher')
  const buckets = of(13, 'bucket', 'higher')
  const wanted = positionsWithin(buckets)
  const mBuckets = [...new Set(wanted.map((w) => w.bucket))]
  const known = new Set(likely)
  const values = mBuckets.every((b) => known.has(b))
    ? found.filter((r) => Number(r.g) === 12 && r.value !== null)
    : await bucketValues(ex, asOf, mBuckets, edgeMoves)
  const m = wanted.map(({ bucket, position }) =>
    entryAt(sortedHistogram(values.filter((r) => Number(r.bucket) === bucket).map((r) => [Number(r.value), Number(r.n)]), 'higher'), position).value)
  const scored = frequency.reduce((sum, [, n]) => sum + n, 0)
  return { scored, r: cutsFromHistogram(recency), f: cutsFromHistogram(frequency), m, mBuckets }
}

/** The second scan: the money values of the buckets that hold the cut positions. */
async function bucketValues(ex: Executor, asOf: Date, ids: readonly number[], edgeMoves: boolean) {
  if (ids.length === 0) return []
  return rows(ex, sql`
    select ${BUCKET} as bucket, monetary as value, count(*)::int as n from ${buyerFacts(asOf, { edgeMoves })} x
    where scored and ${BUCKET} in (${sql.join(ids.map((b) => sql.raw(String(b))), sql`, `)})
    group by 1, 2`)
}


/** `1 + (how many cuts the value beats)` as SQL over a column; null where not scored. */
export function scoreSql(column: SQL, cuts: ScoreCuts, better: Better): SQL {
  const op = better === 'higher' ? sql.raw('>') : sql.raw('<')
  const beaten = cuts.map((cut) => {
    if (!Number.isSafeInteger(cut)) throw new RangeError(`a score cut must be a whole number, got ${cut}`)
    return sql`(${column} ${op} ${sql.raw(String(cut))})::int`
  })
  return sql`case when scored then (1 ${beaten.length ? sql` + ${sql.join(beaten, sql` + `)}` : sql``})::smallint end`
}
