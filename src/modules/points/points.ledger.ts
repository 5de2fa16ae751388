import { uuidv7 } from 'uuidv7'
import type { Action } from '../../db/action.js'
import { allocateDebit, lotExpiry, type Allocation, type Lot } from '../../rules/points-lots.js'
import { pointsRepository as repo, type AccountRow, type EntryEffect, type EntryRow } from './points.repository.js'
import { loadSettings } from './points.settings.js'
import { accountView, entryView } from './points.views.js'

/**
 * The ledger's writes, inside the caller's action, on an account the caller has locked
 * (pointsRepository.lock): an entry is appended (once per source), the lots it touches
 * move, the balance follows, and the entry is audited and announced, all in one
 * transaction. The balance never goes below zero (a check constraint backs this).
 */

export type Source = { sourceType: string; sourceId: string | null; reason?: string | null; orderId?: string | null; campaignId?: string | null }

const eventOf: Record<EntryRow['kind'], string> = {
  earn: 'points.earned', redeem: 'points.redeemed', expire: 'points.expired', adjust: 'points.adjusted', reverse: 'points.reversed'
}

function announce(action: Action, account: AccountRow, entry: EntryRow, extra: Record<string, unknown> = {}): void {
  const data = { account: accountView(account), entry: entryView(entry), ...extra }
  action.audit({ action: eventOf[entry.kind], entityType: 'points_account', entityId: account.id, changes: data })
  action.emit({ type: eventOf[entry.kind], entityType: 'points_account', entityId: account.id, data })
}

type Shape = { lots: Allocation[]; expiresAt?: Date | null; shortfall?: number; id?: string }

/** The entry, the balance and the lots in one statement (pointsRepository.appendEntry): `moves` signed, or `lot` the lot it makes. */
async function append(action: Action, account: AccountRow, kind: EntryRow['kind'], amount: number, source: Source, shape: Shape, now: Date,
  effect: { moves: { lot: string; delta: number }[]; lot: EntryEffect['lot'] }): Promise<EntryRow | null> {
  const balanceAfter = account.balance + amount
  const entry = await repo.appendEntry(action.tx, {
    id: shape.id ?? uuidv7(), accountId: account.id, kind, amount, sourceType: source.sourceType, sourceId: source.sourceId,
    reason: source.reason ?? null, orderId: source.orderId ?? null, campaignId: source.campaignId ?? null, expiresAt: shape.expiresAt ?? null,
    lots: shape.lots, shortfall: shape.shortfall ?? 0, balanceAfter, createdAt: now
  }, { balance: balanceAfter, now, ...effect })
  if (!entry) return null
  account.balance = balanceAfter
  account.version += 1
  return entry
}

/**
 * Credits `amount` (> 0) as a new lot that expires by the programme's policy, counted from
 * `earnedAt`: an `earn` (order, reward, campaign) or a positive `adjust`. Null: this source
 * was already credited.
 */
export async function creditLot(action: Action, account: AccountRow, kind: 'earn' | 'adjust', amount: number, source: Source, earnedAt: Date, now: Date): Promise<EntryRow | null> {
  const settings = await loadSettings(action.tx)
  const expiresAt = lotExpiry(earnedAt, settings, settings.timeZone)
  const id = uuidv7()
  const entry = await append(action, account, kind, amount, source, { lots: [{ lot: id, amount }], expiresAt, id }, now,
    { moves: [], lot: { id, amount, earnedAt, expiresAt } })
  if (!entry) return null
  announce(action, account, entry)
  return entry
}

export type DebitResult = { entry: EntryRow; shortfall: number }

/**
 * Takes `amount` (> 0) from the live lots, first-expiring-first (`prefer`: a lot to take
 * from first). `partial` false: all or nothing, null when there is not enough (the caller
 * refuses); true: what there is, the rest recorded as the entry's shortfall (a reversed
 * earning already spent). Null also when this source was already debited.
 */
export async function debitLots(action: Action, account: AccountRow, kind: 'redeem' | 'adjust' | 'reverse', amount: number, source: Source, now: Date,
  opts: { partial: boolean; prefer?: string | null; lots?: Lot[] }): Promise<DebitResult | null> {
  // `lots`: the account's open lots, already read under its lock.
  const debit = allocateDebit(opts.lots ?? await repo.openLots(action.tx, account.id), amount, now, opts.prefer ?? null)
  if (debit.shortfall > 0 && !opts.partial) return null
  if (debit.taken === 0 && debit.shortfall === 0) return null
  const entry = await append(action, account, kind, -debit.taken, source, { lots: debit.allocations, shortfall: debit.shortfall }, now,
    { moves: debit.allocations.map((a) => ({ lot: a.lot, delta: -a.amount })), lot: null })
  if (!entry) return null
  announce(action, account, entry, debit.shortfall > 0 ? { shortfall: debit.shortfall } : {})
  return { entry, shortfall: debit.shortfall }
}

/** Puts points back into the lots they came from (a reversed redemption): a `reverse` entry. */
export async function returnToLots(action: Action, account: AccountRow, allocations: Allocation[], source: Source, now: Date): Promise<EntryRow | null> {
  const amount = allocations.reduce((s, a) => s + a.amount, 0)
  if (amount <= 0) return null
  const entry = await append(action, account, 'reverse', amount, source, { lots: allocations }, now,
    { moves: allocations.map((a) => ({ lot: a.lot, delta: a.amount })), lot: null })
  if (!entry) return null
  announce(action, account, entry)
  return entry
}
