/**
 * RFM (最近一次消费 / 消费频率 / 消费金额): the one definition. The SQL that refreshes RFM at
 * scale is tested against these functions on the same order histories, so change both together.
 * Pure: `asOf` is an argument, no clock, no I/O.
 *
 * Which orders count, per customer, for a window `{ days }` as of `asOf`:
 *   status `paid` with something left after refunds (refundedAmount < amount), and
 *   asOf − days·24h ≤ paidAt ≤ asOf (both ends inclusive; `days: null` drops the lower bound).
 *   An order paid after `asOf` has not happened yet as of `asOf` and does not count.
 * Refunds are taken as the input gives them: to score as of a past time, pass the refunds
 * made up to then.
 *
 *   recency   = whole days (floor) from the last counted order to asOf   (fewer is better)
 *   frequency = number of counted orders                                (more is better)
 *   monetary  = Σ (amount − refundedAmount) over counted orders, minor units (more is better)
 *
 * Scores 1–5 per dimension, tie-aware: with N scored customers and w those strictly worse,
 * `score = 1 + floor(5·w / N)`. Equal values get equal scores; the worst value always gets 1;
 * a unique best value gets 5 only when N ≥ 5 (N = 1 → 1, N = 2 → 1 and 3). In SQL,
 * w = `rank() over (order by x) - 1` (for recency `order by recency desc`), and integer
 * division `(5 * w) / n` is the floor.
 * Only customers with at least one counted order are scored; the others are absent.
 * Amounts are assumed to share one currency (the deployment's); mixed currencies must be
 * converted before they get here.
 */
export type RfmOrder = { paidAt: Date; amount: number; refundedAmount: number; status: 'paid' | 'refunded' }
export type OrderHistory = { customerId: string; orders: readonly RfmOrder[] }
export type RfmWindow = { days: number | null }
/** Counted orders of one customer; `paidOrders` ≥ 1 for every aggregate `aggregateOrders` returns. */
export type RfmAggregate = { customerId: string; lastPaidAt: Date; paidOrders: number; netPaid: number }
export type RfmScore = 1 | 2 | 3 | 4 | 5
export type CustomerRfm = {
  customerId: string
  recency: number
  frequency: number
  monetary: number
  r: RfmScore
  f: RfmScore
  m: RfmScore
}

export const DAY_MS = 86_400_000
export const defaultRfmWindow: RfmWindow = { days: 365 }

/** Why a window is unusable; empty when fine (a positive whole number of days, or null). */
export function rfmWindowProblems(window: RfmWindow): string[] {
  if (window.days === null) return []
  return Number.isSafeInteger(window.days) && window.days > 0 ? [] : [`window days must be a positive whole number or null (all time), not ${window.days}`]
}

/** Whether an order counts for RFM in `window` as of `asOf` (see the header). */
export function orderCounts(order: RfmOrder, window: RfmWindow, asOf: Date): boolean {
  const paid = order.paidAt.getTime()
  if (order.status !== 'paid' || order.refundedAmount >= order.amount) return false
  if (paid > asOf.getTime()) return false
  return window.days === null || paid >= asOf.getTime() - window.days * DAY_MS
}

/** Each customer's counted orders; customers with none are left out. Histories sharing a customerId are merged. */
export function aggregateOrders(histories: readonly OrderHistory[], window: RfmWindow, asOf: Date): RfmAggregate[] {
  const byCustomer = new Map<string, RfmAggregate>()
  for (const history of histories) {
    for (const order of history.orders) {
      if (!orderCounts(order, window, asOf)) continue
      const net = order.amount - order.refundedAmount
      const seen = byCustomer.get(history.customerId)
      if (!seen) {
        byCustomer.set(history.customerId, { customerId: history.customerId, lastPaidAt: order.paidAt, paidOrders: 1, netPaid: net })
      } else {
        seen.paidOrders += 1
        seen.netPaid += net
        if (order.paidAt > seen.lastPaidAt) seen.lastPaidAt = order.paidAt
      }
    }
  }
  return [...byCustomer.values()]
}

/** Whole days from `lastPaidAt` to `asOf`, rounded down. */
export const recencyDays = (lastPaidAt: Date, asOf: Date): number => Math.floor((asOf.getTime() - lastPaidAt.getTime()) / DAY_MS)

/**
 * Tie-aware quintile scores for `values`, in their order: `1 + floor(5·w / N)` with w the
 * number of values strictly worse. O(N log N): one sort, then a binary search per value.
 */
export function tieAwareScores(values: readonly number[], better: 'higher' | 'lower'): RfmScore[] {
  const n = values.length
  const sorted = Float64Array.from(values).sort()
  return values.map((v) => {
    const worse = better === 'higher' ? lowerBound(sorted, v) : n - upperBound(sorted, v)
    const fifths = 5 * worse
    return (1 + (fifths - (fifths % n)) / n) as RfmScore
  })
}

/** Scores every aggregate with at least one paid order; the result keeps the input's order. */
export function scoreRfm(aggregates: readonly RfmAggregate[], asOf: Date): CustomerRfm[] {
  const scored = aggregates.filter((a) => a.paidOrders >= 1)
  const recency = scored.map((a) => recencyDays(a.lastPaidAt, asOf))
  const frequency = scored.map((a) => a.paidOrders)
  const monetary = scored.map((a) => a.netPaid)
  const r = tieAwareScores(recency, 'lower')
  const f = tieAwareScores(frequency, 'higher')
  const m = tieAwareScores(monetary, 'higher')
  return scored.map((a, i) => ({
    customerId: a.customerId, recency: recency[i], frequency: frequency[i], monetary: monetary[i], r: r[i], f: f[i], m: m[i]
  }))
}

/** RFM for order histories in one call: `scoreRfm(aggregateOrders(histories, window, asOf), asOf)`. */
export const computeRfm = (histories: readonly OrderHistory[], window: RfmWindow, asOf: Date): CustomerRfm[] =>
  scoreRfm(aggregateOrders(histories, window, asOf), asOf)

/** Index of the first element ≥ v (= how many are < v). */
function lowerBound(sorted: Float64Array, v: number): number {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (sorted[mid] < v) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** Index of the first element > v (= how many are ≤ v). */
function upperBound(sorted: Float64Array, v: number): number {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (sorted[mid] <= v) lo = mid + 1
    else hi = mid
  }
  return lo
}
