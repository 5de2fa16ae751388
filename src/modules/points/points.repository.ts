import { and, asc, eq, isNull, or, sql, type SQL } from 'drizzle-orm'
import type { Executor, Tx } from '../../db/client.js'
import { pointsAccounts, pointsEntries, pointsLots, pointsRedemptions } from '../../db/schema/points.js'
import { insertedRow, insertShape, rowShape, statement } from '../../db/statement.js'
import type { Lot } from '../../rules/points-lots.js'

export type AccountRow = typeof pointsAccounts.$inferSelect
export type EntryRow = typeof pointsEntries.$inferSelect
export type EntryInsert = typeof pointsEntries.$inferInsert
export type RedemptionRow = typeof pointsRedemptions.$inferSelect
export type RedemptionInsert = typeof pointsRedemptions.$inferInsert

/** Whose account: a customer's or a referrer's. */
export type Holder = { customerId: string } | { referrerId: string }

const holderWhere = (h: Holder): SQL =>
  'customerId' in h ? eq(pointsAccounts.customerId, h.customerId) : eq(pointsAccounts.referrerId, h.referrerId)

/*
 * The statements every redemption, earning and adjustment runs are of fixed text: rendered
 * once and prepared per connection (src/db/statement.ts), so neither Drizzle nor PostgreSQL
 * builds or plans them per call (test/bench/points/redeem.ts).
 */
const account = rowShape(pointsAccounts)
const redemption = rowShape(pointsRedemptions)
const lockByCustomer = statement<{ id: string }, AccountRow>('points_account_lock_customer',
  () => sql`select ${account.list} from ${pointsAccounts} where ${pointsAccounts.customerId} = ${sql.placeholder('id')}::uuid for update`, (r) => account.map(r))
const lockByReferrer = statement<{ id: string }, AccountRow>('points_account_lock_referrer',
  () => sql`select ${account.list} from ${pointsAccounts} where ${pointsAccounts.referrerId} = ${sql.placeholder('id')}::uuid for update`, (r) => account.map(r))
const lockById = statement<{ id: string }, AccountRow>('points_account_lock_id',
  () => sql`select ${account.list} from ${pointsAccounts} where ${pointsAccounts.id} = ${sql.placeholder('id')}::uuid for update`, (r) => account.map(r))
const openLotsStatement = statement<{ accountId: string }, Lot>('points_open_lots', () => sql`
  select id, remaining, earned_at, expires_at from points_lots where account_id = ${sql.placeholder('accountId')}::uuid and remaining > 0
  order by expires_at, earned_at, id`, (r) => ({
  id: r[0] as string, remaining: Number(r[1]), earnedAt: pointsLots.earnedAt.mapFromDriverValue(r[2] as string) as Date,
  expiresAt: r[3] === null ? null : pointsLots.expiresAt.mapFromDriverValue(r[3] as string) as Date
}))
const entryShape = insertShape(pointsEntries, ['id', 'accountId', 'kind', 'amount', 'sourceType', 'sourceId', 'reason', 'orderId', 'campaignId', 'expiresAt', 'lots', 'shortfall', 'balanceAfter', 'createdAt'])
const entryRow = insertedRow(pointsEntries)
/*
 * An entry with its consequences in ONE statement: the balance, and the lots it moves or the
 * lot it makes; none of them when the entry was already written (same source): a replay.
 */
const appendStatement = statement<Record<string, unknown>, string>('points_entry_append', () => sql`
  with entry as (
    insert into ${pointsEntries} (${entryShape.columns}) values (${entryShape.placeholders}) on conflict do nothing returning id
  ), balance as (
    update points_accounts set balance = ${sql.placeholder('balance')}::bigint, version = version + 1, updated_at = ${sql.placeholder('now')}::timestamptz
    where id = ${sql.placeholder('accountId')}::uuid and exists (select 1 from entry)
  ), moved as (
    update points_lots l set remaining = l.remaining + d.delta
    from jsonb_to_recordset(${sql.placeholder('moves')}::jsonb) as d(lot uuid, delta bigint)
    where l.id = d.lot and exists (select 1 from entry)
  ), lot as (
    insert into points_lots (id, account_id, amount, remaining, earned_at, expires_at)
    select ${sql.placeholder('lotId')}::uuid, ${sql.placeholder('accountId')}::uuid, ${sql.placeholder('lotAmount')}::bigint, ${sql.placeholder('lotAmount')}::bigint,
      ${sql.placeholder('lotEarnedAt')}::timestamptz, ${sql.placeholder('lotExpiresAt')}::timestamptz
    where ${sql.placeholder('lotId')}::uuid is not null and exists (select 1 from entry)
  )
  select id from entry`, (r) => r[0] as string)

/** What an entry does besides being written: the account's new balance, and the lots it moves (signed) or the lot it makes. */
export type EntryEffect = {
  balance: number
  now: Date
  moves: { lot: string; delta: number }[]
  lot: { id: string; amount: number; earnedAt: Date; expiresAt: Date | null } | null
}

const redemptionShape = insertShape(pointsRedemptions, ['id', 'externalId', 'accountId', 'customerId', 'referrerId', 'amount', 'orderId', 'orderExternalId', 'itemCode', 'value', 'currency', 'note', 'createdAt', 'updatedAt'])
const redemptionRow = insertedRow(pointsRedemptions)
const insertRedemptionStatement = statement<Record<string, unknown>, string>('points_redemption_insert', () => sql`
  insert into ${pointsRedemptions} (${redemptionShape.columns}) values (${redemptionShape.placeholders}) on conflict do nothing returning id`, (r) => r[0] as string)
const redemptionByExternalIdStatement = statement<{ externalId: string }, RedemptionRow>('points_redemption_by_external_id',
  () => sql`select ${redemption.list} from ${pointsRedemptions} where ${pointsRedemptions.externalId} = ${sql.placeholder('externalId')}`, (r) => redemption.map(r))

/*
 * What a redemption reads once it holds the account's lock, in one statement (a new one, so
 * it sees whatever a redemption that held the lock before committed): the open lots, an
 * earlier redemption with the same externalId (a retry), and the CRM order an ERP order id names.
 */
const redemptionFactsStatement = statement<{ accountId: string; externalId: string | null; orderExternalId: string | null; customerId: string | null },
  { lots: Lot[]; earlier: RedemptionRow | undefined; orderId: string | null }>('points_redemption_facts', () => sql`
  select
    (select coalesce(json_agg(json_build_array(id, remaining, earned_at, expires_at) order by expires_at, earned_at, id), '[]')
      from points_lots where account_id = ${sql.placeholder('accountId')}::uuid and remaining > 0),
    (select ${redemption.json} from ${pointsRedemptions} where ${pointsRedemptions.externalId} = ${sql.placeholder('externalId')}),
    (select id from orders where external_id = ${sql.placeholder('orderExternalId')} and customer_id = ${sql.placeholder('customerId')}::uuid)`, (r) => ({
  lots: (typeof r[0] === 'string' ? JSON.parse(r[0]) : r[0] as unknown[][]).map((l: unknown[]) => ({
    id: l[0] as string, remaining: Number(l[1]), earnedAt: new Date(l[2] as string), expiresAt: l[3] === null ? null : new Date(l[3] as string)
  })),
  earlier: r[1] === null ? undefined : redemption.map(typeof r[1] === 'string' ? JSON.parse(r[1]) : r[1] as unknown[]),
  orderId: r[2] as string | null
}))

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
    const [row] = 'customerId' in holder ? await lockByCustomer(tx, { id: holder.customerId }) : await lockByReferrer(tx, { id: holder.referrerId })
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
    const [row] = await lockById(tx, { id: accountId })
    return row
  },

  /** Lots with something left (live or past expiry but not yet expired by the job), first-expiring-first. */
  async openLots(ex: Executor, accountId: string): Promise<Lot[]> {
    return openLotsStatement(ex, { accountId })
  },

  /**
   * A redemption's reads under the account's lock: its open lots (first-expiring-first), an
   * earlier redemption with `externalId`, and the id of the holder's order with `orderExternalId`.
   */
  async redemptionFacts(tx: Tx, accountId: string, externalId: string | null, order: { externalId: string; customerId: string } | null) {
    const [facts] = await redemptionFactsStatement(tx, { accountId, externalId, orderExternalId: order?.externalId ?? null, customerId: order?.customerId ?? null })
    return facts!
  },

  async lotsByIds(ex: Executor, ids: readonly string[]): Promise<Map<string, { expiresAt: Date | null }>> {
    if (ids.length === 0) return new Map()
    const found = await ex.select({ id: pointsLots.id, expiresAt: pointsLots.expiresAt }).from(pointsLots).where(sql`${pointsLots.id} in ${ids}`)
    return new Map(found.map((l) => [l.id, { expiresAt: l.expiresAt }]))
  },

  /**
   * Appends an entry with its effect (balance, lots) unless one with the same (account, kind,
   * source) exists: undefined then, and nothing changed.
   */
  async appendEntry(tx: Tx, values: EntryInsert & { createdAt: Date }, effect: EntryEffect): Promise<EntryRow | undefined> {
    const row = entryRow(values)
    const inserted = await appendStatement(tx, {
      ...entryShape.encode(row), balance: effect.balance, now: effect.now.toISOString(), moves: JSON.stringify(effect.moves),
      lotId: effect.lot?.id ?? null, lotAmount: effect.lot?.amount ?? null, lotEarnedAt: effect.lot?.earnedAt.toISOString() ?? null,
      lotExpiresAt: effect.lot?.expiresAt?.toISOString() ?? null
    })
    return inserted.length > 0 ? row : undefined
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
    const createdAt = values.createdAt ?? new Date()
    const row = redemptionRow({ ...values, createdAt, updatedAt: values.updatedAt ?? createdAt })
    const inserted = await insertRedemptionStatement(tx, redemptionShape.encode(row))
    return inserted.length > 0 ? row : undefined
  },

  async redemption(ex: Executor, id: string): Promise<RedemptionRow | undefined> {
    const [row] = await ex.select().from(pointsRedemptions).where(eq(pointsRedemptions.id, id))
    return row
  },

  async redemptionByExternalId(ex: Executor, externalId: string): Promise<RedemptionRow | undefined> {
    const [row] = await redemptionByExternalIdStatement(ex, { externalId })
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
