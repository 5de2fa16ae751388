/**
 * Orders (订单/回款): what a payment and its refunds may be. Pure and explainable; time is
 * an argument.
 *
 * - A payment's `paidAt` may run ahead of `now` by at most `PAID_AT_SKEW_MS` (the ERP's
 *   clock), never more: money cannot arrive in the future.
 * - A refund takes at most what remains (amount − refunded so far), in the order's
 *   currency, dated no earlier than the payment and, like a payment, not in the future. Without an amount it takes all that
 *   remains. A fully refunded order takes no more refunds.
 * - The order is `refunded` once its refunds reach its amount, else `paid`.
 * - An order's amount may be corrected only while it has no refunds (they were taken
 *   against the old amount).
 */
export const orderStatuses = ['paid', 'refunded'] as const
export type OrderStatus = (typeof orderStatuses)[number]

export const PAID_AT_SKEW_MS = 86_400_000

/** A refused request: `state` refusals depend on the order (422), `input` ones on the request alone (400). */
export type Refusal = { ok: false; kind: 'state' | 'input'; field: string; code: string; explanation: string }

export type OrderAmounts = { amount: number; refundedAmount: number; currency: string; paidAt: Date }
export type RefundRequest = { amount?: number; currency?: string; refundedAt: Date; now: Date }
export type RefundDecision =
  | { ok: true; amount: number; refundedAmount: number; remaining: number; status: OrderStatus; explanation: string }
  | Refusal

export function statusOf(amount: number, refundedAmount: number): OrderStatus {
  return refundedAmount >= amount ? 'refunded' : 'paid'
}

/** Null when `paidAt` is acceptable as of `now`. */
export function checkPaidAt(paidAt: Date, now: Date): Refusal | null {
  if (paidAt.getTime() <= now.getTime() + PAID_AT_SKEW_MS) return null
  return { ok: false, kind: 'input', field: 'paidAt', code: 'IN_FUTURE', explanation: `is more than a day after now (${now.toISOString()})` }
}

/** How much a refund takes and what the order becomes, or why it is refused. */
export function decideRefund(order: OrderAmounts, request: RefundRequest): RefundDecision {
  const remaining = order.amount - order.refundedAmount
  if (request.currency !== undefined && request.currency !== order.currency) {
    return { ok: false, kind: 'input', field: 'amount.currency', code: 'CURRENCY_MISMATCH', explanation: `must be the order's currency, ${order.currency}` }
  }
  if (request.refundedAt.getTime() > request.now.getTime() + PAID_AT_SKEW_MS) {
    return { ok: false, kind: 'input', field: 'refundedAt', code: 'IN_FUTURE', explanation: `is more than a day after now (${request.now.toISOString()})` }
  }
  if (request.refundedAt.getTime() < order.paidAt.getTime()) {
    return { ok: false, kind: 'input', field: 'refundedAt', code: 'BEFORE_PAYMENT', explanation: `cannot be before the payment (${order.paidAt.toISOString()})` }
  }
  if (remaining <= 0) {
    return { ok: false, kind: 'state', field: 'amount', code: 'FULLY_REFUNDED', explanation: 'the order is already fully refunded' }
  }
  const amount = request.amount ?? remaining
  if (!Number.isSafeInteger(amount) || amount <= 0) {
    return { ok: false, kind: 'input', field: 'amount.amount', code: 'NOT_POSITIVE', explanation: 'must be a positive integer (minor units)' }
  }
  if (amount > remaining) {
    return {
      ok: false, kind: 'state', field: 'amount.amount', code: 'EXCEEDS_REFUNDABLE',
      explanation: `${amount} is more than the ${remaining} ${order.currency} left to refund (paid ${order.amount}, refunded ${order.refundedAmount})`
    }
  }
  const refundedAmount = order.refundedAmount + amount
  const status = statusOf(order.amount, refundedAmount)
  return {
    ok: true, amount, refundedAmount, remaining: order.amount - refundedAmount, status,
    explanation: status === 'refunded' ? `refunds ${amount}: the order is now fully refunded` : `refunds ${amount}: ${order.amount - refundedAmount} left`
  }
}

/** Null when the order's amount may become `next` (unchanged, or no refunds yet). */
export function checkAmountCorrection(order: OrderAmounts, next: { amount: number; currency: string }): Refusal | null {
  if (next.amount === order.amount && next.currency === order.currency) return null
  if (order.refundedAmount === 0) return null
  return {
    ok: false, kind: 'state', field: 'amount', code: 'HAS_REFUNDS',
    explanation: `cannot change once the order has refunds (${order.refundedAmount} ${order.currency} refunded); refund instead`
  }
}
