import { displayCouponCode } from '../../rules/coupon-code.js'
import type { BatchRow, CouponRow, CouponWithTemplate, RedemptionRow, TemplateRow } from './coupons.repository.js'

const iso = (d: Date | null) => d?.toISOString() ?? null

export type CouponTemplateView = ReturnType<typeof templateView>

export function templateView(t: TemplateRow) {
  return {
    id: t.id, externalId: t.externalId, name: t.name, description: t.description, kind: t.kind, currency: t.currency,
    amountOff: t.amountOff, percentBp: t.percentBp, maxDiscount: t.maxDiscount, giftItemCode: t.giftItemCode,
    minOrderAmount: t.minOrderAmount, validFrom: iso(t.validFrom), validUntil: iso(t.validUntil), validDays: t.validDays,
    perCustomerLimit: t.perCustomerLimit, totalQuantity: t.totalQuantity, issuedCount: t.issuedCount, stackable: t.stackable,
    restoreOnRefund: t.restoreOnRefund, campaignId: t.campaignId, active: t.active, version: t.version,
    createdAt: t.createdAt.toISOString(), updatedAt: t.updatedAt.toISOString()
  }
}

/** What a coupon gives, as its holder may read it (a referrer token cannot read templates). */
export type CouponOfferView = ReturnType<typeof offerView>

export function offerView(t: TemplateRow) {
  return {
    name: t.name, description: t.description, kind: t.kind, currency: t.currency, amountOff: t.amountOff, percentBp: t.percentBp,
    maxDiscount: t.maxDiscount, giftItemCode: t.giftItemCode, minOrderAmount: t.minOrderAmount, perCustomerLimit: t.perCustomerLimit,
    stackable: t.stackable
  }
}

export type CouponView = ReturnType<typeof couponView>

export function couponView(c: CouponRow, t: TemplateRow) {
  return {
    id: c.id, code: c.code, displayCode: displayCouponCode(c.code), templateId: c.templateId, batchId: c.batchId,
    customerId: c.customerId, referrerId: c.referrerId, status: c.status, issuedAt: c.issuedAt.toISOString(),
    validFrom: iso(c.validFrom), validUntil: iso(c.validUntil), redeemedAt: iso(c.redeemedAt), voidedAt: iso(c.voidedAt),
    voidReason: c.voidReason, rewardId: c.rewardId, version: c.version, offer: offerView(t)
  }
}

export const couponViewOf = (c: CouponWithTemplate) => couponView(c.coupon, c.template)

export type CouponBatchView = ReturnType<typeof batchView>

export function batchView(b: BatchRow) {
  return {
    id: b.id, templateId: b.templateId, quantity: b.quantity, issued: b.issued, status: b.status, error: b.error,
    createdAt: b.createdAt.toISOString(), completedAt: iso(b.completedAt)
  }
}

export type CouponRedemptionView = ReturnType<typeof redemptionView>

export function redemptionView(r: RedemptionRow) {
  return {
    id: r.id, couponId: r.couponId, templateId: r.templateId, customerId: r.customerId, orderId: r.orderId, orderExternalId: r.orderExternalId,
    orderAmount: { amount: r.orderAmount, currency: r.currency }, discount: { amount: r.discount, currency: r.currency },
    giftItemCode: r.giftItemCode, redeemedAt: r.redeemedAt.toISOString(), restoredAt: iso(r.restoredAt), restoreReason: r.restoreReason
  }
}

/** The coupon as events carry it: the code included, so a consumer can send it to its holder. */
export function couponEventData(c: CouponRow) {
  return {
    id: c.id, code: c.code, displayCode: displayCouponCode(c.code), templateId: c.templateId, batchId: c.batchId,
    customerId: c.customerId, referrerId: c.referrerId, status: c.status, issuedAt: c.issuedAt.toISOString(),
    validFrom: iso(c.validFrom), validUntil: iso(c.validUntil), rewardId: c.rewardId
  }
}
