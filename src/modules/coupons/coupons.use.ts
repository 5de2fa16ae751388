import { and, eq, sql } from 'drizzle-orm'
import { uuidv7 } from 'uuidv7'
import type { Action } from '../../db/action.js'
import type { Executor } from '../../db/client.js'
import { couponRedemptions, coupons } from '../../db/schema/coupons.js'
import { insertedRow } from '../../db/statement.js'
import { CrmError } from '../../errors.js'
import { decideCoupon, type CouponDecision } from '../../rules/coupon-validity.js'
import { refused, unknownCode } from './coupons.buyer.js'
import { useCoupon } from './coupons.statements.js'
import { couponsRepository as repo, factsOf, offerOf, type CouponRow, type CouponWithTemplate, type RedemptionRow, type TemplateRow } from './coupons.repository.js'
import { couponEventData, redemptionView } from './coupons.views.js'

const redemptionRow = insertedRow(couponRedemptions)

/** An order a coupon is checked against or used on. */
export type UseRequest = { buyer: string | null; orderAmount: number; currency: string; now: Date }

/** The rules' answer for this coupon and order, with the buyer's uses of the template counted. */
export async function decide(ex: Executor, found: CouponWithTemplate, use: UseRequest): Promise<CouponDecision> {
  const needsUses = found.template.perCustomerLimit !== null && use.buyer !== null && found.coupon.status === 'issued'
  const customerUses = needsUses ? await repo.usesOf(ex, found.template.id, use.buyer!) : 0
  return decideCoupon(offerOf(found.template), factsOf(found), { customerId: use.buyer, orderAmount: use.orderAmount, currency: use.currency, now: use.now, customerUses })
}

export type Redeemed = { redemption: RedemptionRow; coupon: CouponRow; template: TemplateRow }
export type Restored = { redemption: RedemptionRow; coupon: CouponRow }

/** Reads the coupon again (with its template and holder): each try of a use starts from what is committed. */
export type FindCoupon = () => Promise<CouponWithTemplate | undefined>

const TRIES = 5

/**
 * Uses a coupon exactly once, inside the caller's action. The rules decide on the coupon as
 * read; then ONE conditional update moves it `issued → redeemed` only if it is still the
 * version they decided on. Of any number of concurrent uses the database lets exactly one
 * through; the others read it again and find it redeemed (ALREADY_REDEEMED). A coupon that
 * changed otherwise meanwhile (handed to a customer, restored) is decided again on what it
 * is now. A template with a per-customer limit serialises the buyer's uses of it, so
 * concurrent uses of two of its codes cannot both pass the limit.
 */
export async function redeemInAction(action: Action, find: FindCoupon, use: UseRequest & { orderId: string | null; orderExternalId: string | null }): Promise<Redeemed> {
  let locked = false
  for (let attempt = 0; attempt < TRIES; attempt++) {
    const found = await find()
    if (!found) throw unknownCode()
    if (!locked && found.template.perCustomerLimit !== null && use.buyer !== null) {
      await repo.lockUses(action.tx, found.template.id, use.buyer)
      locked = true
    }
    const decision = await decide(action.tx, found, use)
    if (!decision.ok) throw refused(decision.reason, decision.message)
    const values = {
      id: uuidv7(), couponId: found.coupon.id, templateId: found.coupon.templateId, customerId: use.buyer, orderId: use.orderId,
      orderExternalId: use.orderExternalId, orderAmount: use.orderAmount, currency: use.currency, discount: decision.discount,
      giftItemCode: decision.giftItemCode, redeemedAt: use.now
    }
    if (!(await useCoupon(action.tx, { ...values, version: found.coupon.version }))) continue
    // The update matched the version read: the coupon is that row, redeemed; the redemption is what was inserted.
    const coupon: CouponRow = { ...found.coupon, status: 'redeemed', redeemedAt: use.now, version: found.coupon.version + 1 }
    const redemption = redemptionRow(values)
    const data = { coupon: couponEventData(coupon), redemption: redemptionView(redemption) }
    action.audit({ action: 'coupon.redeemed', entityType: 'coupon', entityId: coupon.id, changes: { status: { from: 'issued', to: 'redeemed' }, redemption: data.redemption } })
    action.emit({ type: 'coupon.redeemed', entityType: 'coupon', entityId: coupon.id, data })
    return { redemption, coupon, template: found.template }
  }
  throw new CrmError('CRM_ERR_CONFLICT', 'code: the coupon keeps changing; retry', [{ field: 'code', message: 'the coupon keeps changing; retry', code: 'CONFLICT' }])
}

/**
 * Puts a used coupon back (`redeemed → issued`) and marks its redemption restored, inside
 * the caller's action. Nothing when the redemption was already restored. The coupon's
 * dates still apply when it is used again.
 */
export async function restoreInAction(action: Action, redemption: RedemptionRow, reason: string, now: Date): Promise<Restored | null> {
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
