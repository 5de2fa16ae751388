import type { RfmScore } from './rfm.js'

/**
 * The tie-aware scores of rfm.ts (`1 + floor(5·w / N)`, w = how many are strictly worse) as
 * four cut values, so that a million customers are scored by comparing each value with four
 * numbers instead of ranking them all.
 *
 * Why four order statistics decide everything: list the N values from worst to best,
 * x₁ … x_N. A value v scores at least k exactly when w(v) ≥ T_k = ⌈(k−1)·N/5⌉, and w(v) ≥ T
 * exactly when v beats x_T (every one of x₁ … x_T is then worse than v; if v does not beat
 * x_T, at most T−1 values are worse). So cut_k = x_{T_k} for k = 2 … 5, and
 * `score(v) = 1 + #{k : v beats cut_k}`. Ties stay tied: equal values beat the same cuts.
 *
 * The values are given as a histogram (value, count) from worst to best, which SQL builds
 * with a GROUP BY. Where there are too many distinct values to fetch (money), the histogram
 * is first taken over monotone buckets, and only the buckets holding T₂ … T₅ are fetched
 * value by value (`positionsWithin`).
 */

export type Better = 'higher' | 'lower'
/** (value, count) pairs, each value once, ordered from worst to best; counts ≥ 1. */
export type Histogram = readonly (readonly [value: number, count: number])[]
/** cuts[k − 2] is x_{T_k}, k = 2 … 5; empty when nobody is scored. */
export type ScoreCuts = readonly number[]

/** T₂ … T₅, the 1-based positions (worst first) of the values that decide the scores; none for n = 0. */
export function cutPositions(n: number): number[] {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`n must be a whole number >= 0, got ${n}`)
  if (n === 0) return []
  return [1, 2, 3, 4].map((k) => Math.ceil((k * n) / 5))
}

/** The entry of `histogram` holding 1-based position `position`, and how many come before it. */
export function entryAt(histogram: Histogram, position: number): { value: number; before: number } {
  let before = 0
  for (const [value, count] of histogram) {
    if (before + count >= position) return { value, before }
    before += count
  }
  throw new RangeError(`position ${position} is past the histogram's ${before} values`)
}

/** The cuts for a whole histogram of the scored values. */
export function cutsFromHistogram(histogram: Histogram): ScoreCuts {
  const n = histogram.reduce((sum, [, count]) => sum + count, 0)
  return cutPositions(n).map((p) => entryAt(histogram, p).value)
}

/**
 * The two-step form: `buckets` is the histogram over a monotone bucketing of the values
 * (worse values never in a better bucket). Returns, for each cut, its bucket and its position
 * inside that bucket; fetch those buckets' values and read each with `entryAt`.
 */
export function positionsWithin(buckets: Histogram): { bucket: number; position: number }[] {
  const n = buckets.reduce((sum, [, count]) => sum + count, 0)
  return cutPositions(n).map((p) => {
    const { value, before } = entryAt(buckets, p)
    return { bucket: value, position: p - before }
  })
}

/** Whether `v` is better than `cut` in the direction `better`. */
const beats = (v: number, cut: number, better: Better) => (better === 'higher' ? v > cut : v < cut)

/** The score of `v` given the cuts of its population (v must be one of that population's values). */
export function scoreWithCuts(v: number, cuts: ScoreCuts, better: Better): RfmScore {
  let score = 1
  for (const cut of cuts) if (beats(v, cut, better)) score++
  return score as RfmScore
}

/** (value, count) pairs, each value once, put in histogram order: worst to best. */
export const sortedHistogram = (entries: [number, number][], better: Better): Histogram =>
  entries.sort(([a], [b]) => (better === 'higher' ? a - b : b - a))

/** The values of `values` as a histogram from worst to best. */
export function histogramOf(values: readonly number[], better: Better): Histogram {
  const counts = new Map<number, number>()
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1)
  return sortedHistogram([...counts.entries()], better)
}
