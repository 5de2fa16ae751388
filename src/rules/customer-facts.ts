/**
 * What the customer tier and lifecycle rules look at: purchases (RFM's counted orders over all
 * time, see rfm.ts) and signs of interest. Kept minimal so the service can fill it with a few
 * keyed queries per customer, and the refresh job with one grouped query per table.
 */
import { DAY_MS, type RfmAggregate } from './rfm.js'

export type Purchases = { paidOrders: number; netPaid: number; lastPaidAt: Date }
export type CustomerFacts = {
  /** All-time counted orders (window `{ days: null }`); null when the customer never bought. */
  purchases: Purchases | null
  /** The customer has an open lead (new, contacted, qualified) or an open opportunity (not won or lost). */
  openPipeline: boolean
  /** The latest activity logged about the customer, their leads or opportunities; null when none. */
  lastActivityAt: Date | null
}

/** Facts from an all-time aggregate (undefined: never bought) and the interest signals. */
export function customerFacts(aggregate: RfmAggregate | undefined, openPipeline: boolean, lastActivityAt: Date | null): CustomerFacts {
  const purchases = aggregate && aggregate.paidOrders >= 1
    ? { paidOrders: aggregate.paidOrders, netPaid: aggregate.netPaid, lastPaidAt: aggregate.lastPaidAt }
    : null
  return { purchases, openPipeline, lastActivityAt }
}

/** `at` lies in [asOf − days·24h, asOf]: the same inclusive window as RFM's. */
export const withinDays = (at: Date, asOf: Date, days: number): boolean =>
  at.getTime() <= asOf.getTime() && at.getTime() >= asOf.getTime() - days * DAY_MS

/** Interest without a purchase: an open lead or opportunity, or an activity in the last `days`. */
export function interestOf(facts: CustomerFacts, asOf: Date, days: number): string | null {
  if (facts.openPipeline) return 'has an open lead or opportunity'
  if (facts.lastActivityAt && withinDays(facts.lastActivityAt, asOf, days)) return `had an activity within ${days} days`
  return null
}

/** Problems with whole-number thresholds: each must be a safe integer of at least `min`. */
export function wholeNumberProblems(config: Readonly<Record<string, number>>, min: Readonly<Record<string, number>>): string[] {
  return Object.keys(min).filter((k) => !Number.isSafeInteger(config[k]) || config[k] < min[k])
    .map((k) => `${k} must be a whole number of at least ${min[k]}, not ${config[k]}`)
}
