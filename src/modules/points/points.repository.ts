import { and, asc, eq, gt, isNull, or, sql, type SQL } from 'drizzle-orm'
import type { Executor, Tx } from '../../db/client.js'
import { pointsAccounts, pointsEntries, pointsLots, pointsRedemptions } from '../../db/schema/points.js'
import type { Allocation, Lot } from '../../rules/points-lots.js'

export type AccountRow = typeof pointsAccounts.$inferSelect
export type EntryRow = typeof pointsEntries.$inferSelect
export type EntryInsert = typeof pointsEntries.$inferInsert
export type RedemptionRow = typeof pointsRedemptions.$inferSelect
export type RedemptionInsert = typeof pointsRedemptions.$inferInsert

/** Whose account: a customer's or a referrer's. */
export type Holder = { customerId: string } | { referrerId: string }

const holderWhere = (h: Holder): SQL =>
  'customerId' in h ? eq(pointsAccounts.customerId, h.customerId) : eq(pointsAccounts.referrerId, h.referrerId)

/** Statements over points accounts, their ledger, lots and redemptions; callers hold the account lock for writes. */
export const pointsRepository = {
  async account(ex: Executor, holder: Holder): Promise<AccountRow | undefined> {
    const [row] = await ex.select().from(pointsAccounts).where(holderWhere(holder))
    return row
  },

  async accountsOf(ex: Executor, customerIds: readonly string[]): Promise<AccountRow[]> {
    if (customerIds.length === 0) return []
    return ex.select().from(pointsAccounts).where(sql`${pointsAccounts.customerId} in ${customerIds}`)
  },

  /** The holder's account, locked for this transaction; made (empty) first when `create` and there is none. */
  async lock(tx: Tx, holder: Holder, create: boolean, now: Date): Promise<AccountRow | undefined> {
    const [row] = await tx.select().from(pointsAccounts).where(holderWhere(holder)).for('update')
    if (row || !create) return row
    await tx.insert(pointsAccounts).values({
      holderType: 'customerId' in holder ? 'customer' : 'referrer',
      customerId: 'customerId' in holder ? holder.customerId : null,
      referrerId: 'referrerId' in holder ? holder.referrerId : null,
      createdAt: now, updatedAt: now
    }).onConflictDoNothing()
    const [made] = await tx.select().from(pointsAccounts).where(holderWhere(holder)).for('update')
    return made
  },

  async lockById(tx: Tx, accountId: string): Promise<AccountRow | undefined> {
    const [row] = await tx.select().from(pointsAccounts).where(eq(pointsAccounts.id, accountId)).for('update')
    return row
  },

  /** Lots with something left (live or past expiry but not yet expired by the job). */
  async openLots(ex: Executor, accountId: string): Promise<Lot[]> {
    return ex.select({ id: pointsLots.id, remaining: pointsLots.remaining, earnedAt: pointsLots.earnedAt, expiresAt: pointsLots.expiresAt })
      .from(pointsLots).where(and(eq(pointsLots.accountId, accountId), gt(pointsLots.remaining, 0)))
      .orderBy(asc(pointsLots.expiresAt), asc(pointsLots.earnedAt), asc(pointsLots.id))
  },

  async lotsByIds(ex: Executor, ids: readonly string[]): Promise<Map<string, { expiresAt: Date | null }>> {
    if (ids.length === 0) return new Map()
    const found = await ex.select({ id: pointsLots.id, expiresAt: pointsLots.expiresAt }).from(pointsLots).where(sql`${pointsLots.id} in ${ids}`)
    return new Map(found.map((l) => [l.id, { expiresAt: l.expiresAt }]))
  },

  /** Appends an entry unless one with the same (account, kind, source) exists: undefined then. */
  async insertEntry(tx: Tx, values: EntryInsert): Promise<EntryRow | undefined> {
    const [row] = await tx.insert(pointsEntries).values(values).onConflictDoNothing().returning()
    return row
  },

  async insertLot(tx: Tx, lot: { id: string; accountId: string; amount: number; earnedAt: Date; expiresAt: Date | null }): Promise<void> {
    await tx.insert(pointsLots).values({ ...lot, remaining: lot.amount })
  },

  /** Moves lots' remaining by `sign × amount` for each allocation, in one statement. */
  async moveLots(tx: Tx, allocations: readonly Allocation[], sign: 1 | -1): Promise<void> {
    if (allocations.length === 0) return
    const doc = JSON.stringify(allocations.map((a) => ({ lot: a.lot, delta: sign * a.amount })))
    await tx.execute(sql`update points_lots l set remaining = l.remaining + d.delta
      from jsonb_to_recordset(${doc}::jsonb) as d(lot uuid, delta bigint) where l.id = d.lot`)
  },

  async setBalance(tx: Tx, accountId: string, balance: number, now: Date): Promise<void> {
    await tx.update(pointsAccounts).set({ balance, updatedAt: now, version: sql`${pointsAccounts.version} + 1` }).where(eq(pointsAccounts.id, accountId))
  },

  async entryBySource(ex: Executor, accountId: string, kind: EntryRow['kind'], sourceType: string, sourceId: string): Promise<EntryRow | undefined> {
    const [row] = await ex.select().from(pointsEntries).where(and(eq(pointsEntries.accountId, accountId), eq(pointsEntries.kind, kind),
      eq(pointsEntries.sourceType, sourceType), eq(pointsEntries.sourceId, sourceId)))
    return row
  },

  /** The entries whose source id starts with `prefix` (the returns of one redemption: `<id>:…`). */
  async entriesWithSourcePrefix(ex: Executor, accountId: string, kind: EntryRow['kind'], sourceType: string, prefix: string): Promise<EntryRow[]> {
    return ex.select().from(pointsEntries).where(and(eq(pointsEntries.accountId, accountId), eq(pointsEntries.kind, kind),
      eq(pointsEntries.sourceType, sourceType), sql`${pointsEntries.sourceId} like ${`${prefix.replace(/[%_\\]/g, '\\$&')}%`}`))
  },

  async insertRedemption(tx: Tx, values: RedemptionInsert): Promise<RedemptionRow | undefined> {
    const [row] = await tx.insert(pointsRedemptions).values(values).onConflictDoNothing().returning()
    return row
  },

  async redemption(ex: Executor, id: string): Promise<RedemptionRow | undefined> {
    const [row] = await ex.select().from(pointsRedemptions).where(eq(pointsRedemptions.id, id))
    return row
  },

  async redemptionByExternalId(ex: Executor, externalId: string): Promise<RedemptionRow | undefined> {
    const [row] = await ex.select().from(pointsRedemptions).where(eq(pointsRedemptions.externalId, externalId))
    return row
  },

  /** Redemptions that paid for an order, by its id or the ERP's order id, oldest first, locked. */
  async redemptionsForOrder(tx: Tx, order: { id: string; externalId: string | null }): Promise<RedemptionRow[]> {
    const match = order.externalId
      ? or(eq(pointsRedemptions.orderId, order.id), eq(pointsRedemptions.orderExternalId, order.externalId))
      : eq(pointsRedemptions.orderId, order.id)
    return tx.select().from(pointsRedemptions).where(and(match, isNull(pointsRedemptions.deletedAt)))
      .orderBy(asc(pointsRedemptions.createdAt), asc(pointsRedemptions.id)).for('update')
  },

  async updateRedemption(tx: Tx, id: string, values: Partial<RedemptionInsert>, now: Date): Promise<RedemptionRow> {
    const [row] = await tx.update(pointsRedemptions).set({ ...values, updatedAt: now, version: sql`${pointsRedemptions.version} + 1` })
      .where(eq(pointsRedemptions.id, id)).returning()
    return row!
  }
}
