import type { Action } from '../../db/action.js'
import { evaluateLevelInAction, type LevelChange } from '../levels/levels.evaluate.js'
import { earnForOrder, pointsOnOrderRefunded } from '../points/points.hooks.js'
import { restoreCouponsForRefund } from '../coupons/coupons.use.js'

/**
 * What loyalty does when an order is recorded or refunded, inside the order's action
 * (docs/loyalty.md): the order's points, and what a refund gives back.
 */

export type LoyaltyOrder = { id: string; externalId: string | null; customerId: string; amount: number; currency: string; campaignId: string | null; paidAt: Date }

/** What the order's customer statement already told (src/modules/orders/orders.statements.ts): nothing to do costs nothing. */
export type LoyaltyFlags = { earnsPoints: boolean; memberLevels: boolean }

/** The order's points first, so the member level counts them; the level's move (null: none) for coupons on reaching it. */
export async function loyaltyOnOrderRecorded(action: Action, order: LoyaltyOrder, flags: LoyaltyFlags, now: Date): Promise<LevelChange | null> {
  if (flags.earnsPoints) await earnForOrder(action, order, now)
  return flags.memberLevels ? evaluateLevelInAction(action, order.customerId, now, 'activity') : null
}

/** A refund never moves a member level down: that waits for the level's review. */
export async function loyaltyOnOrderRefunded(action: Action, order: LoyaltyOrder, refund: { id: string; refundedBefore: number; refundedAfter: number }, now: Date): Promise<void> {
  await pointsOnOrderRefunded(action, { order, refundId: refund.id, refundedBefore: refund.refundedBefore, refundedAfter: refund.refundedAfter }, now)
  await restoreCouponsForRefund(action, order, refund.refundedAfter >= order.amount, now)
}
