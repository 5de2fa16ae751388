import { uuidv7 } from 'uuidv7'
import type { Action } from '../../db/action.js'
import { CrmError } from '../../errors.js'
import { allocateReturn, available, outstanding } from '../../rules/points-lots.js'
import { debitLots, returnToLots } from './points.ledger.js'
import { pointsRepository as repo, type AccountRow, type Holder, type RedemptionRow } from './points.repository.js'

/** A redemption request, validated. */
export type RedemptionData = {
  holder: Holder
  amount: number
  externalId: string | null
  /** The CRM order it pays for; null with an `orderExternalId` the CRM knows: that order (the customer's). */
  orderId: string | null
  orderExternalId: string | null
  itemCode: string | null
  value: { amount: number; currency: string } | null
  note: string | null
}

export type Redeemed = { redemption: RedemptionRow; account: AccountRow; created: boolean }

export const insufficient = (available: number, amount: number) =>
  new CrmError('CRM_ERR_UNPROCESSABLE', `amount: ${amount} points asked, ${available} available`, [{
    field: 'amount', code: 'INSUFFICIENT_POINTS', message: `is more than the ${available} points available`
  }])

function replayOrConflict(earlier: RedemptionRow, data: RedemptionData): RedemptionRow {
  const same = earlier.amount === data.amount &&
    ('customerId' in data.holder ? earlier.customerId === data.holder.customerId : earlier.referrerId === data.holder.referrerId) &&
    earlier.orderExternalId === data.orderExternalId && earlier.itemCode === data.itemCode &&
    // An ERP order id may have become a CRM order since the first try: the ERP id decides then.
    (data.orderExternalId !== null || earlier.orderId === data.orderId)
  if (same) return earlier
  throw new CrmError('CRM_ERR_CONFLICT', 'externalId: already used by a redemption with a different holder, amount or order', [{
    field: 'externalId', code: 'TAKEN', message: 'is already used by another redemption'
  }])
}

/**
 * 积分抵扣 inside an action: locks the account (every change to an account's lots takes this
 * lock, so concurrent redemptions queue and none overdraws), takes the points
 * first-expiring-first, and records the redemption. A redemption whose externalId exists
 * is a retry: the first answer if it asks the same, CONFLICT if not.
 */
export async function redeemInAction(action: Action, data: RedemptionData, now: Date): Promise<Redeemed> {
  const account = await repo.lock(action.tx, data.holder, false, now)
  if (!account) {
    const earlier = data.externalId ? await repo.redemptionByExternalId(action.tx, data.externalId) : undefined
    if (earlier) return { redemption: replayOrConflict(earlier, data), account: (await repo.lockById(action.tx, earlier.accountId))!, created: false }
    throw insufficient(0, data.amount)
  }
  // One statement under the lock: the lots, a retry's first redemption, the ERP order's CRM id.
  const customerId = 'customerId' in data.holder ? data.holder.customerId : null
  const facts = await repo.redemptionFacts(action.tx, account.id, data.externalId,
    !data.orderId && data.orderExternalId && customerId ? { externalId: data.orderExternalId, customerId } : null)
  if (facts.earlier) return { redemption: replayOrConflict(facts.earlier, data), account, created: false }
  const orderId = data.orderId ?? facts.orderId
  const id = uuidv7()
  const debit = await debitLots(action, account, 'redeem', data.amount, {
    sourceType: 'redemption', sourceId: id, orderId, reason: data.itemCode ? `item ${data.itemCode}` : null
  }, now, { partial: false, lots: facts.lots })
  if (!debit) throw insufficient(available(facts.lots, now), data.amount)
  const redemption = await repo.insertRedemption(action.tx, {
    id, externalId: data.externalId, accountId: account.id,
    customerId, referrerId: 'referrerId' in data.holder ? data.holder.referrerId : null,
    amount: data.amount, orderId, orderExternalId: data.orderExternalId, itemCode: data.itemCode,
    value: data.value?.amount ?? null, currency: data.value?.currency ?? null, note: data.note, createdAt: now, updatedAt: now
  })
  if (!redemption) throw new CrmError('CRM_ERR_CONFLICT', 'externalId: already used by another redemption', [{ field: 'externalId', code: 'TAKEN', message: 'is already used by another redemption' }])
  return { redemption, account, created: true }
}

export type Reversal = { redemption: RedemptionRow; returned: number; forfeited: number }

/**
 * Gives back `amount` of a locked redemption (at most what is not yet given back) for
 * `cause` (`refund:<id>` or `manual:<id>`): to the lots the points came from, except lots
 * that have expired since, whose share is forfeited (docs/loyalty.md, "Refunds").
 */
export async function reverseRedemption(action: Action, redemption: RedemptionRow, amount: number, cause: string, reason: string | null, now: Date, orderId: string | null = redemption.orderId): Promise<Reversal> {
  const give = Math.min(amount, redemption.amount - redemption.reversedAmount)
  if (give <= 0) return { redemption, returned: 0, forfeited: 0 }
  const account = (await repo.lockById(action.tx, redemption.accountId))!
  const debit = await repo.entryBySource(action.tx, account.id, 'redeem', 'redemption', redemption.id)
  const returns = await repo.entriesWithSourcePrefix(action.tx, account.id, 'reverse', 'redemption', `${redemption.id}:`)
  const out = outstanding(debit?.lots ?? [], returns.map((r) => r.lots))
  const lots = await repo.lotsByIds(action.tx, out.map((a) => a.lot))
  const back = allocateReturn(out, lots, give, now)
  await returnToLots(action, account, back.allocations, { sourceType: 'redemption', sourceId: `${redemption.id}:${cause}`, reason, orderId }, now)
  const reversedAmount = redemption.reversedAmount + give
  const after = await repo.updateRedemption(action.tx, redemption.id, {
    reversedAmount, status: reversedAmount >= redemption.amount ? 'reversed' : 'partially_reversed'
  }, now)
  action.audit({
    action: 'points.redemption_reversed', entityType: 'points_redemption', entityId: redemption.id,
    changes: { reversedAmount: { from: redemption.reversedAmount, to: reversedAmount }, returned: back.returned, forfeited: back.forfeited, cause, reason }
  })
  return { redemption: after, returned: back.returned, forfeited: back.forfeited }
}
