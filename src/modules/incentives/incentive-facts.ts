import { and, eq, isNull, ne, sql } from 'drizzle-orm'
import type { Executor } from '../../db/client.js'
import { orders } from '../../db/schema/orders.js'
import { referrals } from '../../db/schema/referrals.js'
import { referrers } from '../../db/schema/referrers.js'
import type { IncentiveEvent } from '../../rules/incentives.types.js'

/** The facts the incentive conditions read about a referrer, optionally locking its row. */
export async function referrerFacts(ex: Executor, referrerId: string | null, lock = false): Promise<IncentiveEvent['referrer']> {
  if (!referrerId) return null
  const query = ex.select({ id: referrers.id, kind: referrers.kind, tier: referrers.tier }).from(referrers).where(eq(referrers.id, referrerId))
  const [row] = lock ? await query.for('no key update') : await query
  return row ?? null
}

/**
 * How many of a referrer's referrals are converted, within one campaign or overall. The
 * caller holds the referrer's lock, so concurrent conversions count one after the other.
 */
export async function conversionsOf(ex: Executor, referrerId: string, campaignId: string | null): Promise<number> {
  const [row] = await ex.select({ n: sql<number>`count(*)`.mapWith(Number) }).from(referrals)
    .where(and(eq(referrals.referrerId, referrerId), eq(referrals.status, 'converted'), isNull(referrals.deletedAt),
      campaignId ? eq(referrals.campaignId, campaignId) : undefined))
  return row.n
}

/**
 * Whether an order is its customer's first paid order: no other live order of the customer,
 * not fully refunded, was paid before it (ties broken by id). A fully refunded earlier order
 * does not count: the customer kept nothing from it.
 */
export async function isFirstOrder(ex: Executor, order: { id: string; customerId: string; paidAt: Date }): Promise<boolean> {
  const [row] = await ex.select({ id: orders.id }).from(orders)
    .where(and(eq(orders.customerId, order.customerId), ne(orders.id, order.id), isNull(orders.deletedAt), eq(orders.status, 'paid'),
      sql`(${orders.paidAt}, ${orders.id}) < (${order.paidAt.toISOString()}::timestamptz, ${order.id}::uuid)`))
    .limit(1)
  return !row
}
