import type { Action } from '../../db/action.js'
import { CrmError } from '../../errors.js'
import { decideRefund } from '../../rules/orders.js'
import { incentivesOnOrderRefunded } from '../incentives/incentive-triggers.js'
import { loyaltyOnOrderRefunded } from '../loyalty/order-loyalty.js'
import { recountCustomers } from '../scoring/scoring.aggregates.js'
import { ordersRepository as repo } from './orders.repository.js'
import { refused } from './orders.recording.js'
import { orderView, refundView, type OrderRow, type RefundRow } from './orders.views.js'

/** A refund request, validated; undefined: not given (the amount then is all that remains). */
export type RefundData = {
  amount?: number
  currency?: string
  externalId: string | null
  reason: string | null
  refundedAt: Date
}

export type Refunded = { order: OrderRow; refund: RefundRow; created: boolean }

/**
 * Refunds part or all of a locked order: the refund row, the order's refunded total and
 * status, `order.refunded` and, for a referred customer's order, the incentives' reversal,
 * all in the caller's transaction. A refund whose externalId this order already has is
 * a retry: the first answer again if it asks the same, CONFLICT if it asks otherwise.
 */
export async function refundLocked(action: Action, order: OrderRow, data: RefundData, now: Date): Promise<Refunded> {
  if (data.externalId) {
    const earlier = await repo.refundByExternalId(action.tx, order.id, data.externalId)
    if (earlier) {
      const same = (data.amount === undefined || data.amount === earlier.amount) && (data.currency === undefined || data.currency === earlier.currency)
      if (!same) {
        throw new CrmError('CRM_ERR_CONFLICT', 'refundExternalId: this order already has a refund with this id, for another amount', [{
          field: 'refundExternalId', code: 'TAKEN', message: `is already this order's refund of ${earlier.amount} ${earlier.currency}`
        }])
      }
      return { order, refund: earlier, created: false }
    }
  }
  const decision = decideRefund(order, { amount: data.amount, currency: data.currency, refundedAt: data.refundedAt, now })
  if (!decision.ok) throw refused(decision)
  const refund = await repo.insertRefund(action.tx, {
    orderId: order.id, externalId: data.externalId, amount: decision.amount, currency: order.currency,
    reason: data.reason, refundedAt: data.refundedAt, createdAt: now
  })
  const after = await repo.update(action.tx, order.id, { refundedAmount: decision.refundedAmount, status: decision.status }, now)
  await recountCustomers(action.tx, [order.customerId])
  const refundData = refundView(refund)
  action.audit({
    action: 'order.refunded', entityType: 'order', entityId: order.id,
    changes: { refund: refundData, refundedAmount: { from: order.refundedAmount, to: after.refundedAmount }, status: { from: order.status, to: after.status } }
  })
  action.emit({ type: 'order.refunded', entityType: 'order', entityId: order.id, data: { order: orderView(after), refund: refundData } })
  // Rewards earned by a referred customer's order are cancelled or reversed with it.
  if (after.referrerId) {
    await incentivesOnOrderRefunded(action, {
      orderId: order.id, refundId: refund.id, amount: refund.amount,
      orderAmount: after.amount, refundedAmount: after.refundedAmount, currency: after.currency
    }, now)
  }
  // Points earned by the order go back, and points that paid for it come back (docs/loyalty.md, "Refunds").
  await loyaltyOnOrderRefunded(action, after, { id: refund.id, refundedBefore: order.refundedAmount, refundedAfter: after.refundedAmount }, now)
  return { order: after, refund, created: true }
}
