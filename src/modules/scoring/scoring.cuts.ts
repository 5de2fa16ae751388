import { sql, type SQL } from 'drizzle-orm'
import type { Executor } from '../../db/client.js'
import { cutsFromHistogram, entryAt, positionsWithin, sortedHistogram, type Better, type Histogram, type ScoreCuts } from '../../rules/rfm-cuts.js'
import { buyerFacts } from './scoring.facts.js'
import { contributions, dayOf, keptHistograms, moneyBucketOf, type Kept } from './scoring.histograms.js'
import { rows } from '../../db/rows.js'
import { daysSince } from './scoring.sql.js'

/**
 * The cut values of the run's R, F and M scores (src/rules/rfm-cuts.ts), found without a
 * sort of a million rows, from histograms in which every value or monotone bucket of values
 * is counted; only the few buckets that hold the cut positions are then read value by value.
 * A full pass (findCuts) counts them in one aggregate scan of customer_scores; a nightly run
 * (nightlyCuts) takes the kept histograms (scoring.histograms.ts) and changes them by the
 * rows it knows have changed. The cuts then go into the scoring statement as four constants
 * per dimension.
 */
export type CutValues = { r: ScoreCuts; f: ScoreCuts; m: ScoreCuts }
export type RunCuts = CutValues & { scored: number; mBuckets: number[] }

const BUCKET = moneyBucketOf(sql`monetary`)
const LAST_PAID_DAY = dayOf(sql`last_paid_at`)
const list = (values: readonly number[]) => sql.join(values.map((b) => sql.raw(String(b))), sql`, `)

/**
 * A full pass's cuts, and the histograms it leaves behind (those of the values the run will
 * store). One GROUP BY GROUPING SETS over the run's facts counts days (recency) by the day of
 * the last payment, frequency, and money by bucket. `likelyBuckets` are the money buckets that
 * held the last run's cuts: the same scan reads their values one by one, and when this run's
 * cuts fall in them (as they do from one night to the next) no second scan is needed.
 */
export async function findCuts(ex: Executor, asOf: Date, edgeMoves: boolean, likelyBuckets: readonly number[]): Promise<RunCuts & { kept: Kept }> {
  const likely = likelyBuckets.filter((b) => Number.isSafeInteger(b) && b >= 0)
  // Buckets are never negative: with no last run, -1 keeps the query's shape and matches nothing.
  const inLikely = sql`case when ${BUCKET} in (${list(likely.length ? likely : [-1])}) then monetary end`
  const found = await rows(ex, sql`
    select grouping(days, ${LAST_PAID_DAY}, frequency, ${BUCKET}, ${inLikely}) as g, days, ${LAST_PAID_DAY} as day, frequency, ${BUCKET} as bucket, ${inLikely} as value, count(*)::int as n
    from ${buyerFacts(asOf, { edgeMoves })} x where scored
    group by grouping sets ((days, ${LAST_PAID_DAY}), (frequency), (${BUCKET}), (${BUCKET}, ${inLikely}))`)
  // grouping() sets a bit per column left out (days, day, frequency, bucket, value), the
  // first the highest: 7 = days and day kept, 27 = frequency, 29 = bucket, 28 = bucket and value.
  const group = (g: number) => found.filter((r) => Number(r.g) === g)
  const summed = (g: number, key: string, better: Better): Histogram => {
    const counts = new Map<number, number>()
    for (const r of group(g)) counts.set(Number(r[key]), (counts.get(Number(r[key])) ?? 0) + Number(r.n))
    return sortedHistogram([...counts.entries()], better)
  }
  const recency = summed(7, 'days', 'lower')
  const frequency = summed(27, 'frequency', 'higher')
  const buckets = summed(29, 'bucket', 'higher')
  const wanted = positionsWithin(buckets)
  const mBuckets = [...new Set(wanted.map((w) => w.bucket))]
  const known = new Set(likely)
  const values = mBuckets.every((b) => known.has(b))
    ? group(28).filter((r) => r.value !== null).map((r) => ({ bucket: Number(r.bucket), value: Number(r.value), n: Number(r.n) }))
    : await bucketValues(ex, asOf, mBuckets, edgeMoves)
  const m = wanted.map(({ bucket, position }) => entryAt(within(values, bucket, 'higher'), position).value)
  const scored = frequency.reduce((sum, [, n]) => sum + n, 0)
  const kept: Kept = { r: summed(7, 'day', 'higher'), f: frequency, m: buckets }
  return { scored, r: cutsFromHistogram(recency), f: cutsFromHistogram(frequency), m, mBuckets, kept }
}

type BucketValue = { bucket: number; value: number; n: number }
const within = (values: readonly BucketValue[], bucket: number, better: Better): Histogram =>
  sortedHistogram(values.filter((v) => v.bucket === bucket).map((v) => [v.value, v.n]), better)

/** The second scan: the money values of the buckets that hold the cut positions. */
async function bucketValues(ex: Executor, asOf: Date, ids: readonly number[], edgeMoves: boolean): Promise<BucketValue[]> {
  if (ids.length === 0) return []
  const found = await rows(ex, sql`
    select ${BUCKET} as bucket, monetary as value, count(*)::int as n from ${buyerFacts(asOf, { edgeMoves })} x
    where scored and ${BUCKET} in (${list(ids)})
    group by 1, 2`)
  return found.map((r) => ({ bucket: Number(r.bucket), value: Number(r.value), n: Number(r.n) }))
}

/**
 * A nightly run's cuts. The rows whose stored values change this run are in scoring_fresh
 * (values before and now, scoring.candidates.ts); every other row's stored values are its
 * values now. So the histograms now are the kept ones, less the fresh rows' old values and
 * the removed rows, plus the fresh rows' new values; and a cut bucket's values are read
 * through the index on that column (stored rows not fresh, and the fresh rows' new values).
 * Recency's buckets are days of the last payment: a bucket's values are its rows' whole days
 * as of asOf.
 */
export async function nightlyCuts(ex: Executor, asOf: Date): Promise<RunCuts> {
  const kept = await keptHistograms(ex, [contributions(sql`scoring_fresh x`, '_before', -1), contributions(sql`scoring_fresh x`, '_now', 1)])
  const rWanted = positionsWithin(kept.r)
  const mWanted = positionsWithin(kept.m)
  const days = [...new Set(rWanted.map((w) => w.bucket))]
  const mBuckets = [...new Set(mWanted.map((w) => w.bucket))]
  const values = await keptBucketValues(ex, asOf, days, mBuckets)
  const r = rWanted.map(({ bucket, position }) => entryAt(within(values.r, bucket, 'lower'), position).value)
  const m = mWanted.map(({ bucket, position }) => entryAt(within(values.m, bucket, 'higher'), position).value)
  const scored = kept.f.reduce((sum, [, n]) => sum + n, 0)
  return { scored, r, f: cutsFromHistogram(kept.f), m, mBuckets }
}

/** The values in the given day (recency) and money buckets as the run will store them: by index range, the fresh rows by their new values. */
async function keptBucketValues(ex: Executor, asOf: Date, days: readonly number[], mBuckets: readonly number[]): Promise<{ r: BucketValue[]; m: BucketValue[] }> {
  if (days.length === 0 && mBuckets.length === 0) return { r: [], m: [] }
  const dayRanges = (column: SQL) => sql.join(days.map((d) => sql`(${column} >= to_timestamp(${sql.raw(String(d * 86400))}) and ${column} < to_timestamp(${sql.raw(String((d + 1) * 86400))}))`), sql` or `)
  const moneyRanges = (column: SQL) => sql.join(mBuckets.map((b) => sql`(${column} >= ${sql.raw(String(b * b))} and ${column} < ${sql.raw(String((b + 1) * (b + 1)))})`), sql` or `)
  const notFresh = sql`not exists (select 1 from scoring_fresh x where x.customer_id = s.customer_id)`
  const parts: SQL[] = []
  if (days.length) {
    parts.push(sql`select 'r' as dimension, ${dayOf(sql`s.recency_from`)} as bucket, ${daysSince(sql`s.recency_from`, asOf)} as value from customer_scores s
      where (${dayRanges(sql`s.recency_from`)}) and s.frequency is not null and ${notFresh}`)
    parts.push(sql`select 'r', ${dayOf(sql`x.recency_from_now`)}, ${daysSince(sql`x.recency_from_now`, asOf)} from scoring_fresh x
      where (${dayRanges(sql`x.recency_from_now`)}) and x.frequency_now is not null`)
  }
  if (mBuckets.length) {
    parts.push(sql`select 'm', ${moneyBucketOf(sql`s.monetary`)}, s.monetary from customer_scores s where (${moneyRanges(sql`s.monetary`)}) and ${notFresh}`)
    parts.push(sql`select 'm', ${moneyBucketOf(sql`x.monetary_now`)}, x.monetary_now from scoring_fresh x where (${moneyRanges(sql`x.monetary_now`)})`)
  }
  const found = await rows(ex, sql`select dimension, bucket, value, count(*)::int as n from (${sql.join(parts, sql` union all `)}) v group by 1, 2, 3`)
  const of = (d: string) => found.filter((x) => x.dimension === d).map((x) => ({ bucket: Number(x.bucket), value: Number(x.value), n: Number(x.n) }))
  return { r: of('r'), m: of('m') }
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
