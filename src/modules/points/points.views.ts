import type { AccountRow, EntryRow, RedemptionRow } from './points.repository.js'

export type PointsAccountView = { id: string; holderType: 'customer' | 'referrer'; customerId: string | null; referrerId: string | null; balance: number }

export function accountView(a: AccountRow): PointsAccountView {
  return { id: a.id, holderType: a.holderType, customerId: a.customerId, referrerId: a.referrerId, balance: a.balance }
}

export type PointsEntryView = {
  id: string; accountId: string; kind: EntryRow['kind']; amount: number; balanceAfter: number
  sourceType: string; sourceId: string | null; reason: string | null; orderId: string | null; campaignId: string | null
  expiresAt: string | null; lots: { lot: string; amount: number }[]; shortfall: number; createdAt: string
}

export function entryView(e: EntryRow): PointsEntryView {
  return {
    id: e.id, accountId: e.accountId, kind: e.kind, amount: e.amount, balanceAfter: e.balanceAfter, sourceType: e.sourceType,
    sourceId: e.sourceId, reason: e.reason, orderId: e.orderId, campaignId: e.campaignId,
    expiresAt: e.expiresAt?.toISOString() ?? null, lots: e.lots, shortfall: e.shortfall, createdAt: e.createdAt.toISOString()
  }
}

export type PointsRedemptionView = {
  id: string; externalId: string | null; accountId: string; customerId: string | null; referrerId: string | null
  amount: number; reversedAmount: number; status: RedemptionRow['status']; orderId: string | null; orderExternalId: string | null
  itemCode: string | null; value: { amount: number; currency: string } | null; note: string | null; version: number; createdAt: string; updatedAt: string
}

export function redemptionView(r: RedemptionRow): PointsRedemptionView {
  return {
    id: r.id, externalId: r.externalId, accountId: r.accountId, customerId: r.customerId, referrerId: r.referrerId, amount: r.amount,
    reversedAmount: r.reversedAmount, status: r.status, orderId: r.orderId, orderExternalId: r.orderExternalId, itemCode: r.itemCode,
    value: r.value !== null && r.currency ? { amount: r.value, currency: r.currency } : null, note: r.note, version: r.version,
    createdAt: r.createdAt.toISOString(), updatedAt: r.updatedAt.toISOString()
  }
}
