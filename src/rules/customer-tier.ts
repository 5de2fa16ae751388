/**
 * Customer tier (客户分级) A/B/C, by value rather than timing (lifecycle.ts covers timing):
 *   A  bought, high value, repeat: at least `aMinPaidOrders` counted orders and
 *      `aMinNetPaid` net paid (minor units), all time;
 *   C  bought, but not both: occasional or low value (one large order is C until a second);
 *   B  never bought but interested: an open lead or opportunity, or an activity within
 *      `interestDays` as of `asOf`;
 *   null  never bought and no sign of interest: untiered (the column is nullable).
 * Absolute thresholds, not scores, so a customer's tier does not move when others buy.
 */
import { interestOf, wholeNumberProblems, type CustomerFacts } from './customer-facts.js'

export type CustomerTier = 'A' | 'B' | 'C'
export type CustomerTierConfig = { aMinPaidOrders: number; aMinNetPaid: number; interestDays: number }
export type TierDecision = { tier: CustomerTier | null; explanation: string }

/** Defaults: A from 2 orders and ¥5,000.00 net; interest within 90 days. */
export const defaultCustomerTierConfig: CustomerTierConfig = { aMinPaidOrders: 2, aMinNetPaid: 500_000, interestDays: 90 }

/** Why a tier config is unusable; empty when fine. */
export const customerTierConfigProblems = (config: CustomerTierConfig): string[] =>
  wholeNumberProblems(config, { aMinPaidOrders: 1, aMinNetPaid: 0, interestDays: 1 })

/** The customer's tier as of `asOf`, with a one-line reason. */
export function customerTier(facts: CustomerFacts, asOf: Date, config: CustomerTierConfig = defaultCustomerTierConfig): TierDecision {
  const p = facts.purchases
  if (p) {
    const repeat = p.paidOrders >= config.aMinPaidOrders
    const valuable = p.netPaid >= config.aMinNetPaid
    const summary = `${p.paidOrders} paid order(s), ${p.netPaid} net`
    if (repeat && valuable) return { tier: 'A', explanation: `A: ${summary} (A from ${config.aMinPaidOrders} orders and ${config.aMinNetPaid} net)` }
    const short = [repeat ? null : `fewer than ${config.aMinPaidOrders} orders`, valuable ? null : `less than ${config.aMinNetPaid} net`]
      .filter((s): s is string => s !== null).join(' and ')
    return { tier: 'C', explanation: `C: ${summary}, ${short} for A` }
  }
  const interest = interestOf(facts, asOf, config.interestDays)
  if (interest) return { tier: 'B', explanation: `B: no paid order yet, ${interest}` }
  return { tier: null, explanation: `untiered: no paid order, no open lead or opportunity, no activity within ${config.interestDays} days` }
}
