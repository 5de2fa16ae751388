import type { Action } from '../../db/action.js'
import { creditReward, reverseReward } from '../points/points.hooks.js'
import { couponOnRewardApproved, couponOnRewardWithdrawn } from '../coupons/coupons.rewards.js'
import { rewardsRepository as repo } from './rewards.repository.js'
import type { RewardStatus } from './rewards.schemas.js'
import { rewardEventData, type RewardInsert, type RewardRow } from './rewards.views.js'

/**
 * The ledger's state changes, on locked entries, inside the caller's action. A reward moves
 * pending → approved → paid, or to cancelled while unpaid; a paid reward that a refund
 * takes back in full becomes reversed. A reversal entry of an UNPAID reward (a partial
 * refund) follows its reward: approved, paid or cancelled with it, so the payout is the
 * reward net of its reversals. A reversal of a PAID reward is a clawback of its own:
 * created approved, marked paid when the money is recovered.
 *
 * Events: reward.approved, reward.paid, and reward.reversed for both a cancellation
 * (`status: cancelled`) and a reversal entry (`status` of the reward after it).
 */

type Change = { action: string; event: string | null }

async function move(action: Action, row: RewardRow, values: Partial<RewardInsert>, now: Date, change: Change, extra: Record<string, unknown> = {}): Promise<RewardRow> {
  const after = await repo.update(action.tx, row.id, values, now)
  action.audit({
    action: change.action, entityType: 'reward', entityId: row.id,
    changes: { status: { from: row.status, to: after.status }, ...valuesForAudit(values), ...extra }
  })
  if (change.event) action.emit({ type: change.event, entityType: 'reward', entityId: row.id, data: { reward: rewardEventData(after), from: row.status, ...extra } })
  return after
}

function valuesForAudit(values: Partial<RewardInsert>): Record<string, unknown> {
  const { status: _s, ...rest } = values
  return rest
}

/** The reversal entries that follow a reward still unpaid move with it (audited, no event of their own). */
async function carryReversals(action: Action, reward: RewardRow, from: readonly RewardStatus[], values: Partial<RewardInsert>, now: Date): Promise<number> {
  if (reward.kind !== 'reward') return 0
  let net = 0
  for (const rev of await repo.reversalsOf(action.tx, reward.id, from)) {
    const after = await move(action, rev, values, now, { action: `reward.${values.status}`, event: null }, { with: reward.id })
    net += after.amount
  }
  return net
}

/** pending → approved; by a manager (`approvedBy`) or the system (auto-approval, hold over). */
export async function approveEntry(action: Action, row: RewardRow, approvedBy: string | null, via: string, now: Date): Promise<RewardRow> {
  const values = { status: 'approved' as const, approvedAt: now, approvedBy }
  const reversed = await carryReversals(action, row, ['pending'], values, now)
  const after = await move(action, row, values, now, { action: 'reward.approved', event: 'reward.approved' }, { via })
  // A points reward reaches the beneficiary's points account now, net of what refunds took meanwhile.
  if (after.kind === 'reward') await creditReward(action, after, after.amount + reversed, now)
  // A coupon reward with a template issues its coupon to the beneficiary now.
  if (after.kind === 'reward') await couponOnRewardApproved(action, after, now)
  return after
}

/** approved → paid, with the payout reference. An unpaid reward's reversals are settled in the same payout. */
export async function payEntry(action: Action, row: RewardRow, payoutReference: string, paidAt: Date, now: Date): Promise<RewardRow> {
  const values = { status: 'paid' as const, paidAt, payoutReference }
  const reversed = await carryReversals(action, row, ['approved'], values, now)
  return move(action, row, values, now, { action: 'reward.paid', event: 'reward.paid' }, { payout: row.amount + reversed })
}

/** pending | approved → cancelled (its unpaid reversals with it). Announced as reward.reversed, status cancelled. */
export async function cancelEntry(action: Action, row: RewardRow, reason: string, now: Date): Promise<RewardRow> {
  const values = { status: 'cancelled' as const, cancelledAt: now, cancelReason: reason }
  await carryReversals(action, row, ['pending', 'approved'], values, now)
  // Points already credited (approved) go back out of the account.
  if (row.status === 'approved' && row.kind === 'reward') await reverseReward(action, row, 'rest', 'cancel', now)
  // Its coupon, if one was issued and is still unused, is voided.
  if (row.kind === 'reward') await couponOnRewardWithdrawn(action, row, 'reward cancelled', now)
  return move(action, row, values, now, { action: 'reward.cancelled', event: 'reward.reversed' }, { reason })
}

/**
 * Appends a reversal entry of `amount` (> 0, stored negative) against `reward` for `cause`
 * (e.g. `refund:<id>`), once per reward and cause. A reversal of a paid reward is a clawback
 * (approved); of an unpaid one it takes the reward's status. `full`: a paid reward becomes
 * `reversed`. Returns null when this cause was already applied.
 */
export async function reverseEntry(action: Action, reward: RewardRow, amount: number, cause: string, full: boolean, reason: string, now: Date): Promise<RewardRow | null> {
  const [entry] = await repo.insertNew(action.tx, [{
    kind: 'reversal', ruleId: reward.ruleId, eventKey: cause, beneficiaryType: reward.beneficiaryType, beneficiaryId: reward.beneficiaryId,
    referrerId: reward.referrerId, customerId: reward.customerId, referralId: reward.referralId, orderId: reward.orderId,
    campaignId: reward.campaignId, rewardType: reward.rewardType, amount: -amount, currency: reward.currency, couponCode: reward.couponCode,
    status: reward.status === 'paid' ? 'approved' : reward.status, approvedAt: reward.status === 'pending' ? null : now,
    reversesId: reward.id, explanation: { reason }, createdAt: now, updatedAt: now
  }])
  if (!entry) return null
  // A credited points reward gives the reversed points back out of the account at once.
  if (reward.status === 'approved' || reward.status === 'paid') await reverseReward(action, reward, amount, entry.id, now)
  const after = full && reward.status === 'paid'
    ? await repo.update(action.tx, reward.id, { status: 'reversed' }, now)
    : reward
  if (after.status === 'reversed') await couponOnRewardWithdrawn(action, reward, 'reward reversed', now)
  action.audit({
    action: 'reward.reversed', entityType: 'reward', entityId: reward.id,
    changes: { reversal: rewardEventData(entry), ...(after !== reward ? { status: { from: reward.status, to: after.status } } : {}), reason }
  })
  action.emit({ type: 'reward.reversed', entityType: 'reward', entityId: reward.id, data: { reward: rewardEventData(after), reversal: rewardEventData(entry), reason } })
  return entry
}
