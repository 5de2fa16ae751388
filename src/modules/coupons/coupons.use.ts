import { and, eq, sql } from 'drizzle-orm'
import { uuidv7 } from 'uuidv7'
import type { Action } from '../../db/action.js'
import type { Executor } from '../../db/client.js'
import { couponRedemptions, coupons } from '../../db/schema/coupons.js'
import { decideCoupon, type CouponDecision } from '../../rules/coupon-validity.js'
import { refused } from './coupons.buyer.js'
import { useCoupon } from './coupons.statements.js'
import { couponsRepository as repo, factsOf, offerOf, type CouponRow, type CouponWithTemplate, type RedemptionRow } from './coupons.repository.js'
import { couponEventData, redemptionView } from './coupons.views.js'

/** An order a coupon is checked against or used on. */
export type UseRequest = { buyer: string | null; orderAmount: number; currency: string; now: Date }

/** The rules' answer for this coupon and order, with the buyer's uses of the template counted. */
export async function decide(ex: Executor, found: CouponWithTemplate, use: UseRequest): Promise<CouponDecision> {
  const needsUses = found.template.perCustomerLimit !== null && use.buyer !== null && found.coupon.status === 'issued'
  const customerUses = needsUses ? await repo.usesOf(ex, found.template.id, use.buyer!) : 0
  return decideCoupon(offerOf(found.template), factsOf(found), { customerId: use.buyer, orderAmount: use.orderAmount, currency: use.currency, now: use.now, customerUses })
}

export type Redeemed = { redemption: RedemptionRow; coupon: CouponRow }

/**
 * Uses a coupon exactly once, inside the caller's action. The rules decide first; then ONE
 * conditional update moves it `issued → redeemed`: of any number of concurrent uses, the
 * database lets exactly one through and the others find it redeemed (ALREADY_REDEEMED).
 * A template with a per-customer limit serialises the buyer's uses of it, so concurrent
 * uses of two of its codes cannot both pass the limit.
 */
export async function redeemInAction(action: Action, found: CouponWithTemplate, use: UseRequest & { orderId: string | null; orderExternalId: string | null }): Promise<Redeemed> {
  if (found.template.perCustomerLimit !== null && use.buyer !== null) await repo.lockUses(action.tx, found.template.id, use.buyer)
  const decision = await decide(action.tx, found, use)
  if (!decision.ok) throw refused(decision.reason, decision.message)
  const done = await useCoupon(action.tx, {
    couponId: found.coupon.id, now: use.now, id: uuidv7(), customerId: use.buyer, orderId: use.orderId, orderExternalId: use.orderExternalId,
    orderAmount: use.orderAmount, currency: use.currency, discount: decision.discount, giftItemCode: decision.giftItemCode
  })
  if (!done) {
    const [now] = await action.tx.select({ status: coupons.status }).from(coupons).where(eq(coupons.id, found.coupon.id))
    throw now?.status === 'voided' ? refused('VOIDED', 'the coupon has been voided') : refused('ALREADY_REDEEMED', 'the coupon has already been used')
  }
  const { coupon, redemption } = done
  const data = { coupon: couponEventData(coupon), redemption: redemptionView(redemption) }
  action.audit({ action: 'coupon.redeemed', entityType: 'coupon', entityId: coupon.id, changes: { status: { from: 'issued', to: 'redeemed' }, redemption: data.redemption } })
  action.emit({ type: 'coupon.redeemed', entityType: 'coupon', entityId: coupon.id, data })
  return { redemption, coupon }
}

/**
 * Puts a used coupon back (`redeemed → issued`) and marks its redemption restored, inside
 * the caller's action. Nothing when the redemption was already restored. The coupon's
 * dates still apply when it is used again.
 */
export async function restoreInAction(action: Action, redemption: RedemptionRow, reason: string, now: Date): Promise<Redeemed | null> {
  const [marked] = await action.tx.update(couponRedemptions).set({ restoredAt: now, restoreReason: reason })
    .where(and(eq(couponRedemptions.id, redemption.id), sql`${couponRedemptions.restoredAt} is null`)).returning()
  if (!marked) return null
  const [coupon] = await action.tx.update(coupons).set({ status: 'issued', redeemedAt: null, version: sql`${coupons.version} + 1` })
    .where(and(eq(coupons.id, redemption.couponId), eq(coupons.status, 'redeemed'))).returning()
  if (!coupon) return null
  const data = { coupon: couponEventData(coupon), redemption: redemptionView(marked), reason }
  action.audit({ action: 'coupon.restored', entityType: 'coupon', entityId: coupon.id, changes: { status: { from: 'redeemed', to: 'issued' }, redemptionId: marked.id, reason } })
  action.emit({ type: 'coupon.restored', entityType: 'coupon', entityId: coupon.id, data })
  return { redemption: marked, coupon }
}

/**
 * A full refund of an order puts back each coupon used on it whose template restores on
 * refund (called from the order's refund, src/modules/loyalty/order-loyalty.ts). A partial
 * refund keeps them used: the order still stands. Uses recorded under the ERP's order id
 * before the CRM knew the order count as the order's too.
 */
export async function restoreCouponsForRefund(action: Action, order: { id: string; externalId: string | null; customerId: string }, fullRefund: boolean, now: Date): Promise<void> {
  if (!fullRefund) return
  const ofOrder = order.externalId
    ? sql`(${couponRedemptions.orderId} = ${order.id} or (${couponRedemptions.orderExternalId} = ${order.externalId}
        and (${couponRedemptions.customerId} is null or ${couponRedemptions.customerId} = ${order.customerId})))`
    : sql`${couponRedemptions.orderId} = ${order.id}`
  const used = await action.tx.select({ redemption: couponRedemptions }).from(couponRedemptions)
    .where(and(ofOrder, sql`${couponRedemptions.restoredAt} is null`,
      sql`${couponRedemptions.templateId} in (select id from coupon_templates where restore_on_refund)`))
    .orderBy(couponRedemptions.id).for('update')
  for (const { redemption } of used) await restoreInAction(action, redemption, 'order refunded', now)
}

/** issued → voided (conditional); null when the coupon was not unused. Announced as coupon.voided. */
export async function voidInAction(action: Action, couponId: string, reason: string, now: Date): Promise<CouponRow | null> {
  const [row] = await action.tx.update(coupons).set({ status: 'voided', voidedAt: now, voidReason: reason, version: sql`${coupons.version} + 1` })
    .where(and(eq(coupons.id, couponId), eq(coupons.status, 'issued'))).returning()
  if (!row) return null
  const data = couponEventData(row)
  action.audit({ action: 'coupon.voided', entityType: 'coupon', entityId: row.id, changes: { status: { from: 'issued', to: 'voided' }, reason } })
  action.emit({ type: 'coupon.voided', entityType: 'coupon', entityId: row.id, data: { coupon: data, reason } })
  return row
}
