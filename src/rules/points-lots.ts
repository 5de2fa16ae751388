import { localDateOf, startOfLocalDay } from './report-period.js'

/**
 * Points lots (积分批次) and their expiry: pure, time is an argument. Every earning makes a
 * lot that expires by the policy; a debit (redemption, negative adjustment, reversed
 * earning) takes from the lots that expire first (FEFO), never from a lot already past its
 * expiry; a lot whose expiry has come is worth nothing even before the expiry job writes
 * its `expire` entry. The reference is docs/loyalty.md.
 */

/**
 * `months` 0: points never expire. `month_end`: a lot earned in month M expires at the end
 * of month M + months (local time in the reporting zone), so all of a month's earnings
 * expire together; `exact`: the same instant `months` calendar months later.
 */
export type ExpiryPolicy = { months: number; rounding: 'month_end' | 'exact' }

export type Lot = { id: string; remaining: number; earnedAt: Date; expiresAt: Date | null }
export type Allocation = { lot: string; amount: number }

/** When a lot earned at `earnedAt` expires under `policy`; null: never. */
export function lotExpiry(earnedAt: Date, policy: ExpiryPolicy, timeZone: string): Date | null {
  if (policy.months <= 0) return null
  if (policy.rounding === 'exact') {
    const at = new Date(earnedAt.getTime())
    const day = at.getUTCDate()
    at.setUTCDate(1)
    at.setUTCMonth(at.getUTCMonth() + policy.months)
    // 31 January + 1 month is the last day of February, not 3 March.
    const last = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 0)).getUTCDate()
    at.setUTCDate(Math.min(day, last))
    return at
  }
  const local = localDateOf(earnedAt, timeZone)
  const monthIndex = local.month - 1 + policy.months + 1
  return startOfLocalDay({ year: local.year + Math.floor(monthIndex / 12), month: (monthIndex % 12) + 1, day: 1 }, timeZone)
}

/** A lot can still be spent at `now`: something left and its expiry not reached. */
export function isLive(lot: Pick<Lot, 'remaining' | 'expiresAt'>, now: Date): boolean {
  return lot.remaining > 0 && (lot.expiresAt === null || lot.expiresAt.getTime() > now.getTime())
}

/** First-expiring-first: the earliest expiry first, lots that never expire last, then the oldest earning, then id. */
export function fefoOrder(a: Lot, b: Lot): number {
  const ea = a.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY
  const eb = b.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY
  if (ea !== eb) return ea < eb ? -1 : 1
  if (a.earnedAt.getTime() !== b.earnedAt.getTime()) return a.earnedAt.getTime() - b.earnedAt.getTime()
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}

/** What can be spent at `now`. */
export function available(lots: readonly Lot[], now: Date): number {
  let sum = 0
  for (const lot of lots) if (isLive(lot, now)) sum += lot.remaining
  return sum
}

export type Debit = { allocations: Allocation[]; taken: number; shortfall: number }

/**
 * Takes up to `amount` from the live lots, first-expiring-first. `taken + shortfall` is
 * always `amount`; a redemption refuses any shortfall, a reversed earning records it.
 * `prefer`: a lot to take from first (a reversed earning takes back its own lot first).
 */
export function allocateDebit(lots: readonly Lot[], amount: number, now: Date, prefer: string | null = null): Debit {
  const live = lots.filter((l) => isLive(l, now)).sort(fefoOrder)
  if (prefer) {
    const i = live.findIndex((l) => l.id === prefer)
    if (i > 0) live.unshift(...live.splice(i, 1))
  }
  const allocations: Allocation[] = []
  let left = amount
  for (const lot of live) {
    if (left <= 0) break
    const take = Math.min(lot.remaining, left)
    allocations.push({ lot: lot.id, amount: take })
    left -= take
  }
  return { allocations, taken: amount - left, shortfall: left }
}

/**
 * What of an earlier debit goes back, and to which lots, when `amount` of it is returned (a
 * refunded order's redemption): to the lots it came from, latest-expiring first, lots
 * already expired excepted: their share is not returned (docs/loyalty.md, "Refunds").
 * `allocations` are the debit's, less what earlier returns already gave back.
 */
export function allocateReturn(allocations: readonly Allocation[], lots: ReadonlyMap<string, Pick<Lot, 'expiresAt'>>, amount: number, now: Date): { allocations: Allocation[]; returned: number; forfeited: number } {
  const back: Allocation[] = []
  let left = amount
  let forfeited = 0
  const ordered = [...allocations].sort((a, b) => {
    const ea = lots.get(a.lot)?.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY
    const eb = lots.get(b.lot)?.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY
    return eb - ea || (a.lot < b.lot ? -1 : 1)
  })
  for (const a of ordered) {
    if (left <= 0) break
    const give = Math.min(a.amount, left)
    left -= give
    const expiresAt = lots.get(a.lot)?.expiresAt ?? null
    if (expiresAt !== null && expiresAt.getTime() <= now.getTime()) forfeited += give
    else back.push({ lot: a.lot, amount: give })
  }
  return { allocations: back, returned: amount - left - forfeited, forfeited }
}

/** What of a debit's allocations is still out after the returns given so far. */
export function outstanding(debit: readonly Allocation[], returns: readonly (readonly Allocation[])[]): Allocation[] {
  const left = new Map<string, number>()
  for (const a of debit) left.set(a.lot, (left.get(a.lot) ?? 0) + a.amount)
  for (const r of returns) for (const a of r) left.set(a.lot, (left.get(a.lot) ?? 0) - a.amount)
  return [...left].filter(([, n]) => n > 0).map(([lot, amount]) => ({ lot, amount }))
}

/** The next expiry among live lots and how much goes then; null when nothing is due to expire. */
export function nextExpiry(lots: readonly Lot[], now: Date): { amount: number; at: Date } | null {
  let at: number | null = null
  let amount = 0
  for (const lot of lots) {
    if (!isLive(lot, now) || lot.expiresAt === null) continue
    const t = lot.expiresAt.getTime()
    if (at === null || t < at) { at = t; amount = lot.remaining } else if (t === at) amount += lot.remaining
  }
  return at === null ? null : { amount, at: new Date(at) }
}
