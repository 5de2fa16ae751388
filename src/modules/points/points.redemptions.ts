import { uuidv7 } from 'uuidv7'
import type { Action } from '../../db/action.js'
import { CrmError } from '../../errors.js'
import { allocateReturn, outstanding } from '../../rules/points-lots.js'
import { debitLots, returnToLots } from './points.ledger.js'
import { pointsRepository as repo, type AccountRow, type Holder, type RedemptionRow } from './points.repository.js'

/** A redemption request, validated. */
export type RedemptionData = {
  holder: Holder
  amount: number
  externalId: string | null
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
  if (data.externalId) {
    const earlier = await repo.redemptionByExternalId(action.tx, data.externalId)
    if (earlier) {
      const redemption = replayOrConflict(earlier, data)
      return { redemption, account: account ?? (await repo.lockById(action.tx, earlier.accountId))!, created: false }
    }
  }
  if (!account) throw insufficient(0, data.amount)
  const id = uuidv7()
  const debit = await debitLots(action, account, 'redeem', data.amount, {
    sourceType: 'redemption', sourceId: id, orderId: data.orderId, reason: data.itemCode ? `item ${data.itemCode}` : null
  }, now, { partial: false })
  if (!debit) throw insufficient(await availableOf(action, account, now), data.amount)
  const redemption = await repo.insertRedemption(action.tx, {
    id, externalId: data.externalId, accountId: account.id,
    customerId: 'customerId' in data.holder ? data.holder.customerId : null,
    referrerId: 'referrerId' in data.holder ? data.holder.referrerId : null,
    amount: data.amount, orderId: data.orderId, orderExternalId: data.orderExternalId, itemCode: data.itemCode,
    value: data.value?.amount ?? null, currency: data.value?.currency ?? null, note: data.note, createdAt: now, updatedAt: now
  })
  if (!redemption) throw new CrmError('CRM_ERR_CONFLICT', 'externalId: already used by another redemption', [{ field: 'externalId', code: 'TAKEN', message: 'is already used by another redemption' }])
  return { redemption, account, created: true }
}

async function availableOf(action: Action, account: AccountRow, now: Date): Promise<number> {
  const lots = await repo.openLots(action.tx, account.id)
  return lots.filter((l) => l.expiresAt === null || l.expiresAt.getTime() > now.getTime()).reduce((s, l) => s + l.remaining, 0)
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
