import { and, asc, eq, isNull, sql } from 'drizzle-orm'
import type { Action } from '../../db/action.js'
import { pointsEarningRules } from '../../db/schema/points.js'
import { rows } from '../../db/rows.js'
import { orderPoints, refundedPoints, type EarningRule } from '../../rules/points-earning.js'
import { levelsOnPointsEarned } from '../levels/levels.evaluate.js'
import { creditLot, debitLots } from './points.ledger.js'
import { pointsRepository as repo, type Holder } from './points.repository.js'
import { reverseRedemption } from './points.redemptions.js'

/**
 * Where the rest of the service meets the points ledger, inside the caller's action:
 * points rewards credited on approval and taken back with their reward, points earned by
 * paid orders and taken back by refunds, and redemptions returned when the order they paid
 * for is refunded (docs/loyalty.md).
 */

/** The reward facts the ledger needs (a row of rewards). */
export type PointsReward = { id: string; rewardType: string; beneficiaryType: 'referrer' | 'referred'; beneficiaryId: string; campaignId: string | null; orderId: string | null }

const holderOf = (r: PointsReward): Holder => r.beneficiaryType === 'referrer' ? { referrerId: r.beneficiaryId } : { customerId: r.beneficiaryId }

/** An approved points reward: `net` points (the reward less reversals made while it waited) into a new lot. */
export async function creditReward(action: Action, reward: PointsReward, net: number, now: Date): Promise<void> {
  if (reward.rewardType !== 'points' || net <= 0) return
  const account = (await repo.lock(action.tx, holderOf(reward), true, now))!
  const entry = await creditLot(action, account, 'earn', net, {
    sourceType: 'reward', sourceId: reward.id, campaignId: reward.campaignId, orderId: reward.orderId, reason: 'incentive reward'
  }, now, now)
  // Points earned count towards a customer's member level at once (docs/loyalty.md, "Member levels").
  if (entry && reward.beneficiaryType === 'referred') await levelsOnPointsEarned(action, reward.beneficiaryId, now)
}

/**
 * Takes back `amount` points of a credited reward for `cause` (a reversal entry's id, or
 * `cancel`): from the reward's own lot first, then first-expiring-first; what was already
 * spent stays spent and is recorded as the entry's shortfall. Nothing when the reward was
 * never credited (it was pending: the credit at approval is already net).
 */
export async function reverseReward(action: Action, reward: PointsReward, amount: number | 'rest', cause: string, now: Date): Promise<void> {
  if (reward.rewardType !== 'points') return
  const account = await repo.lock(action.tx, holderOf(reward), false, now)
  if (!account) return
  const credit = await repo.entryBySource(action.tx, account.id, 'earn', 'reward', reward.id)
  if (!credit) return
  const taken = await repo.entriesWithSourcePrefix(action.tx, account.id, 'reverse', 'reward', `${reward.id}:`)
  const already = taken.reduce((s, e) => s - e.amount + e.shortfall, 0)
  const left = credit.amount - already
  const take = Math.min(amount === 'rest' ? left : amount, left)
  if (take <= 0) return
  await debitLots(action, account, 'reverse', take, { sourceType: 'reward', sourceId: `${reward.id}:${cause}`, campaignId: reward.campaignId, orderId: reward.orderId, reason: `reward ${cause === 'cancel' ? 'cancelled' : 'reversed'}` }, now, { partial: true, prefer: credit.id })
}

export type PaidOrder = { id: string; customerId: string; amount: number; currency: string; campaignId: string | null; paidAt: Date }

/** The active earning rules, and the customer's level multiplier (its level, else the base level's). */
async function earningFacts(action: Action, customerId: string): Promise<{ rules: EarningRule[]; multiplierBp: number }> {
  const rules = await action.tx.select().from(pointsEarningRules)
    .where(and(eq(pointsEarningRules.active, true), isNull(pointsEarningRules.deletedAt))).orderBy(asc(pointsEarningRules.priority))
  if (rules.length === 0) return { rules: [], multiplierBp: 10000 }
  const [level] = await rows<{ bp: number }>(action.tx, sql`
    select coalesce(
      (select ml.points_multiplier_bp from customer_levels cl join member_levels ml on ml.id = cl.level_id where cl.customer_id = ${customerId}),
      (select ml.points_multiplier_bp from member_levels ml where ml.deleted_at is null and ml.active order by ml.rank limit 1),
      10000) as bp`)
  return { rules, multiplierBp: Number(level?.bp ?? 10000) }
}

/** A paid order earns points by the earning rules (none: nothing, in one small query). */
export async function earnForOrder(action: Action, order: PaidOrder, now: Date): Promise<number> {
  const { rules, multiplierBp } = await earningFacts(action, order.customerId)
  if (rules.length === 0) return 0
  const decision = orderPoints({ amount: order.amount, currency: order.currency, campaignId: order.campaignId, at: order.paidAt }, rules, multiplierBp)
  if (decision.points <= 0) return 0
  const account = (await repo.lock(action.tx, { customerId: order.customerId }, true, now))!
  const entry = await creditLot(action, account, 'earn', decision.points, {
    sourceType: 'order', sourceId: order.id, orderId: order.id, campaignId: order.campaignId, reason: decision.reason
  }, now, now)
  return entry?.amount ?? 0
}

export type OrderRefund = { order: { id: string; externalId: string | null; customerId: string; amount: number }; refundId: string; refundedBefore: number; refundedAfter: number }

/**
 * A refund takes back the order's share of the points it earned (from the order's own lot
 * first; what was spent stays spent, recorded as shortfall) and returns the same share of
 * the points redeemed to pay for it.
 */
export async function pointsOnOrderRefunded(action: Action, r: OrderRefund, now: Date): Promise<void> {
  // Points that paid for the order come back first, so taking back its earnings can use them.
  for (const redemption of await repo.redemptionsForOrder(action.tx, r.order)) {
    const give = refundedPoints(redemption.amount, r.order.amount, r.refundedBefore, r.refundedAfter)
    if (give > 0) await reverseRedemption(action, redemption, give, `refund:${r.refundId}`, 'order refunded', now, r.order.id)
  }
  const account = await repo.lock(action.tx, { customerId: r.order.customerId }, false, now)
  if (!account) return
  const earned = await repo.entryBySource(action.tx, account.id, 'earn', 'order', r.order.id)
  const take = earned ? refundedPoints(earned.amount, r.order.amount, r.refundedBefore, r.refundedAfter) : 0
  if (earned && take > 0) {
    await debitLots(action, account, 'reverse', take, { sourceType: 'refund', sourceId: r.refundId, orderId: r.order.id, reason: 'order refunded' }, now, { partial: true, prefer: earned.id })
  }
}
