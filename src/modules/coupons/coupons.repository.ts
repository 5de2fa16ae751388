import { and, count, eq, isNull, sql, type SQL } from 'drizzle-orm'
import type { Executor, Tx } from '../../db/client.js'
import { couponBatches, couponRedemptions, coupons, couponTemplates } from '../../db/schema/coupons.js'
import { customers } from '../../db/schema/customers.js'
import { referrers } from '../../db/schema/referrers.js'
import type { CouponFacts, CouponOffer } from '../../rules/coupon-validity.js'
import type { Actor } from '../auth/actor.js'
import { authorize } from '../auth/permissions.js'
import { reachFilter } from '../auth/reach.js'

export type TemplateRow = typeof couponTemplates.$inferSelect
export type TemplateInsert = typeof couponTemplates.$inferInsert
export type CouponRow = typeof coupons.$inferSelect
export type CouponInsert = typeof coupons.$inferInsert
export type BatchRow = typeof couponBatches.$inferSelect
export type RedemptionRow = typeof couponRedemptions.$inferSelect

/** A coupon with its template, and the customer who may use it (its own, a merged one's survivor, or its referrer's customer). */
export type CouponWithTemplate = { coupon: CouponRow; template: TemplateRow; holderCustomerId: string | null }

export const offerOf = (t: TemplateRow): CouponOffer => ({
  kind: t.kind, currency: t.currency, amountOff: t.amountOff, percentBp: t.percentBp, maxDiscount: t.maxDiscount,
  giftItemCode: t.giftItemCode, minOrderAmount: t.minOrderAmount, perCustomerLimit: t.perCustomerLimit
})

export const factsOf = (c: CouponWithTemplate): CouponFacts => ({
  status: c.coupon.status, holderCustomerId: c.holderCustomerId, validFrom: c.coupon.validFrom, validUntil: c.coupon.validUntil
})

/** The customer who may use a coupon: its own (a merged one's survivor), else its referrer's linked customer. */
export const holderCustomerSql = sql<string | null>`coalesce(
  (select coalesce(hc.merged_into_id, hc.id) from customers hc where hc.id = ${coupons.customerId}),
  (select r.customer_id from referrers r where r.id = ${coupons.referrerId}))`

const live = isNull(couponTemplates.deletedAt)

export const couponsRepository = {
  async template(ex: Executor, id: string): Promise<TemplateRow | undefined> {
    const [row] = await ex.select().from(couponTemplates).where(and(eq(couponTemplates.id, id), live))
    return row
  },

  async lockTemplate(tx: Tx, id: string): Promise<TemplateRow | undefined> {
    const [row] = await tx.select().from(couponTemplates).where(and(eq(couponTemplates.id, id), live)).for('update')
    return row
  },

  /**
   * Counts `n` more coupons of an active template as issued, unless that would pass its total
   * quantity: one conditional update, so concurrent issuers can never overshoot. Null when refused.
   */
  async reserve(tx: Tx, templateId: string, n: number): Promise<TemplateRow | null> {
    const [row] = await tx.update(couponTemplates).set({ issuedCount: sql`${couponTemplates.issuedCount} + ${n}` })
      .where(and(eq(couponTemplates.id, templateId), live, eq(couponTemplates.active, true),
        sql`(${couponTemplates.totalQuantity} is null or ${couponTemplates.issuedCount} + ${n} <= ${couponTemplates.totalQuantity})`))
      .returning()
    return row ?? null
  },

  /** Gives back `n` reserved but never made (a failed batch, a reward's coupon that existed already). */
  async release(tx: Tx, templateId: string, n: number): Promise<void> {
    await tx.update(couponTemplates).set({ issuedCount: sql`greatest(${couponTemplates.issuedCount} - ${n}, 0)` }).where(eq(couponTemplates.id, templateId))
  },

  async byCode(ex: Executor, code: string, where?: SQL): Promise<CouponWithTemplate | undefined> {
    const [row] = await ex.select({ coupon: coupons, template: couponTemplates, holderCustomerId: holderCustomerSql })
      .from(coupons).innerJoin(couponTemplates, eq(couponTemplates.id, coupons.templateId))
      .where(and(eq(coupons.code, code), where))
    return row
  },

  async byIds(ex: Executor, ids: readonly string[], where?: SQL): Promise<CouponWithTemplate[]> {
    if (ids.length === 0) return []
    return ex.select({ coupon: coupons, template: couponTemplates, holderCustomerId: holderCustomerSql })
      .from(coupons).innerJoin(couponTemplates, eq(couponTemplates.id, coupons.templateId))
      .where(and(sql`${coupons.id} in ${ids}`, where))
  },

  async byReward(ex: Executor, rewardId: string): Promise<CouponRow | undefined> {
    const [row] = await ex.select().from(coupons).where(eq(coupons.rewardId, rewardId))
    return row
  },

  /** The buyer's uses of a template that still count (not restored). */
  async usesOf(ex: Executor, templateId: string, customerId: string): Promise<number> {
    const [row] = await ex.select({ n: count() }).from(couponRedemptions)
      .where(and(eq(couponRedemptions.templateId, templateId), eq(couponRedemptions.customerId, customerId), isNull(couponRedemptions.restoredAt)))
    return row.n
  },

  /** Serialises uses of one template by one customer for the rest of the transaction (only templates with a per-customer limit). */
  async lockUses(tx: Tx, templateId: string, customerId: string): Promise<void> {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`coupon-uses:${templateId}:${customerId}`}, 0))`)
  },

  async redemption(ex: Executor, id: string): Promise<RedemptionRow | undefined> {
    const [row] = await ex.select().from(couponRedemptions).where(eq(couponRedemptions.id, id))
    return row
  },

  async batch(ex: Executor, id: string): Promise<BatchRow | undefined> {
    const [row] = await ex.select().from(couponBatches).where(eq(couponBatches.id, id))
    return row
  }
}

/**
 * The coupons the actor reaches for `op` (undefined: all): those held by customers or referrers
 * in its reach. Unassigned codes are reached only by roles that reach everything.
 */
export function couponReach(actor: Actor, op: 'read' | 'write'): SQL | undefined {
  const reach = authorize(actor, 'loyalty', op)
  if (reach === 'all') return undefined
  const customer = reachFilter(actor, reach, { owner: customers.ownerId })
  const referrer = reachFilter(actor, reach, { owner: referrers.ownerId, self: referrers.id })
  return sql`(${coupons.customerId} in (select ${customers.id} from ${customers} where ${customer})
    or ${coupons.referrerId} in (select ${referrers.id} from ${referrers} where ${referrer}))`
}
