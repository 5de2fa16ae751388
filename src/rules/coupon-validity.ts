/**
 * 优惠券核销规则: whether a coupon applies to an order and what it gives, or why not.
 * Pure: the coupon, its template, the order and the customer's use count come in; time is
 * an argument. The service asks this before using a coupon, and again (on locked facts)
 * when it uses one.
 */

export type CouponKind = 'amount_off' | 'percent_off' | 'gift'
export type CouponStatus = 'issued' | 'redeemed' | 'voided'

/** What a template offers, as the rules read it. */
export type CouponOffer = {
  kind: CouponKind
  currency: string
  /** amount_off: minor units taken off. */
  amountOff: number | null
  /** percent_off: basis points of the order amount (1500 = 15%). */
  percentBp: number | null
  /** percent_off: the most it takes off (null: no cap). */
  maxDiscount: number | null
  /** gift: the item the coupon gives. */
  giftItemCode: string | null
  minOrderAmount: number
  /** Uses per customer of this template's coupons (null: no limit). */
  perCustomerLimit: number | null
}

/** One coupon's state. `holderCustomerId`: the customer who may use it (its own, or its referrer's customer); null: whoever presents it. */
export type CouponFacts = {
  status: CouponStatus
  holderCustomerId: string | null
  validFrom: Date | null
  validUntil: Date | null
}

export type CouponUse = {
  /** Who is buying; null when the till does not know. */
  customerId: string | null
  orderAmount: number
  currency: string
  now: Date
  /** The buyer's uses of this template so far (redemptions not restored). */
  customerUses: number
}

export const refusalReasons = [
  'VOIDED', 'ALREADY_REDEEMED', 'CUSTOMER_REQUIRED', 'WRONG_CUSTOMER', 'NOT_STARTED', 'EXPIRED',
  'CURRENCY_MISMATCH', 'BELOW_MINIMUM', 'LIMIT_REACHED'
] as const
export type RefusalReason = (typeof refusalReasons)[number]

export type CouponDecision =
  | { ok: true; discount: number; giftItemCode: string | null; explanation: string }
  | { ok: false; reason: RefusalReason; message: string }

const refuse = (reason: RefusalReason, message: string): CouponDecision => ({ ok: false, reason, message })

/**
 * Whether the coupon applies, first reason first: its state (voided, used), whose it is,
 * its dates, then the order (currency, minimum) and the buyer's uses of the template.
 */
export function decideCoupon(offer: CouponOffer, coupon: CouponFacts, use: CouponUse): CouponDecision {
  if (coupon.status === 'voided') return refuse('VOIDED', 'the coupon has been voided')
  if (coupon.status === 'redeemed') return refuse('ALREADY_REDEEMED', 'the coupon has already been used')
  if (coupon.holderCustomerId !== null || offer.perCustomerLimit !== null) {
    if (use.customerId === null) return refuse('CUSTOMER_REQUIRED', 'name the customer: the coupon belongs to one, or its uses per customer are limited')
  }
  if (coupon.holderCustomerId !== null && use.customerId !== coupon.holderCustomerId) return refuse('WRONG_CUSTOMER', 'the coupon belongs to another customer')
  if (coupon.validFrom && use.now.getTime() < coupon.validFrom.getTime()) return refuse('NOT_STARTED', `the coupon is valid from ${coupon.validFrom.toISOString()}`)
  if (coupon.validUntil && use.now.getTime() >= coupon.validUntil.getTime()) return refuse('EXPIRED', `the coupon expired at ${coupon.validUntil.toISOString()}`)
  if (use.currency !== offer.currency) return refuse('CURRENCY_MISMATCH', `the coupon is for orders in ${offer.currency}`)
  if (use.orderAmount < offer.minOrderAmount) return refuse('BELOW_MINIMUM', `the order is below the coupon's minimum of ${offer.minOrderAmount}`)
  if (offer.perCustomerLimit !== null && use.customerUses >= offer.perCustomerLimit) {
    return refuse('LIMIT_REACHED', `the customer has used this offer ${use.customerUses} times, the most allowed`)
  }
  const discount = discountOf(offer, use.orderAmount)
  return { ok: true, discount, giftItemCode: offer.kind === 'gift' ? offer.giftItemCode : null, explanation: explain(offer, discount) }
}

/**
 * What the offer takes off an order: amount_off at most the order; percent_off the
 * percentage rounded down (fen), at most maxDiscount; a gift nothing (it gives its item).
 * Exact for any safe integer amount (BigInt: amount × basis points passes 2^53).
 */
export function discountOf(offer: CouponOffer, orderAmount: number): number {
  switch (offer.kind) {
    case 'amount_off':
      return Math.min(offer.amountOff ?? 0, orderAmount)
    case 'percent_off': {
      const raw = Number((BigInt(orderAmount) * BigInt(offer.percentBp ?? 0)) / 10000n)
      return offer.maxDiscount === null ? raw : Math.min(raw, offer.maxDiscount)
    }
    case 'gift':
      return 0
  }
}

function explain(offer: CouponOffer, discount: number): string {
  switch (offer.kind) {
    case 'amount_off': return `${discount} off (amount_off ${offer.amountOff})`
    case 'percent_off': return `${discount} off (${(offer.percentBp ?? 0) / 100}%${offer.maxDiscount !== null ? `, at most ${offer.maxDiscount}` : ''})`
    case 'gift': return `gift ${offer.giftItemCode}`
  }
}

const DAY = 86_400_000

/** A template's validity: fixed dates, N days from issue, or both (then the days end no later than validUntil). */
export type TemplateValidity = { validFrom: Date | null; validUntil: Date | null; validDays: number | null }

/**
 * The window of a coupon that reaches its holder at `issuedAt`: from the later of validFrom
 * and the issue, to the earlier of validUntil and issue + validDays.
 */
export function couponWindow(t: TemplateValidity, issuedAt: Date): { validFrom: Date | null; validUntil: Date | null } {
  if (t.validDays === null) return { validFrom: t.validFrom, validUntil: t.validUntil }
  const from = t.validFrom && t.validFrom.getTime() > issuedAt.getTime() ? t.validFrom : issuedAt
  const end = new Date(from.getTime() + t.validDays * DAY)
  return { validFrom: from, validUntil: t.validUntil && t.validUntil.getTime() < end.getTime() ? t.validUntil : end }
}

/** A template as it will be stored: the fields the cross-field checks look at. */
export type TemplateShape = CouponOffer & TemplateValidity & { totalQuantity: number | null; issuedCount: number }

export type TemplateProblem = { field: string; message: string; code: string }

/** The checks a schema cannot express: what each kind needs and forbids, dates in order, quantity not below what is issued. */
export function templateProblems(t: TemplateShape): TemplateProblem[] {
  const out: TemplateProblem[] = []
  const add = (field: string, message: string, code: string) => out.push({ field, message, code })
  if (t.kind === 'amount_off' && t.amountOff === null) add('amountOff', 'is required for an amount_off coupon', 'REQUIRED')
  if (t.kind !== 'amount_off' && t.amountOff !== null) add('amountOff', 'is only for amount_off coupons', 'NOT_APPLICABLE')
  if (t.kind === 'percent_off' && t.percentBp === null) add('percentBp', 'is required for a percent_off coupon (1 to 10000 basis points)', 'REQUIRED')
  if (t.kind !== 'percent_off' && t.percentBp !== null) add('percentBp', 'is only for percent_off coupons', 'NOT_APPLICABLE')
  if (t.kind !== 'percent_off' && t.maxDiscount !== null) add('maxDiscount', 'is only for percent_off coupons', 'NOT_APPLICABLE')
  if (t.kind === 'gift' && t.giftItemCode === null) add('giftItemCode', 'is required for a gift coupon', 'REQUIRED')
  if (t.kind !== 'gift' && t.giftItemCode !== null) add('giftItemCode', 'is only for gift coupons', 'NOT_APPLICABLE')
  if (t.validFrom && t.validUntil && t.validUntil.getTime() <= t.validFrom.getTime()) add('validUntil', 'must be after validFrom', 'BEFORE_START')
  if (t.totalQuantity !== null && t.totalQuantity < t.issuedCount) {
    add('totalQuantity', `must be at least the ${t.issuedCount} coupons already issued`, 'BELOW_ISSUED')
  }
  return out
}
