import { and, asc, eq, getTableColumns, gte, inArray, lt, lte, ne, sql, type SQL } from 'drizzle-orm'
import type { Executor } from '../../db/client.js'
import { countWhere, selectPage } from '../../db/list-queries.js'
import type { Keyset, Page } from '../../db/paging.js'
import { rewards } from '../../db/schema/incentives.js'
import type { RewardFilter, RewardStatus } from './rewards.schemas.js'
import type { RewardInsert, RewardRow } from './rewards.views.js'

/** SQL for a rewards filter (status, kind, type, parties, period). */
export function rewardConditions(f: RewardFilter): SQL[] {
  const where: SQL[] = []
  if (f.status?.length) where.push(inArray(rewards.status, f.status))
  if (f.kind) where.push(eq(rewards.kind, f.kind))
  if (f.rewardType?.length) where.push(inArray(rewards.rewardType, f.rewardType))
  if (f.referrerId) where.push(eq(rewards.referrerId, f.referrerId))
  if (f.beneficiaryType) where.push(eq(rewards.beneficiaryType, f.beneficiaryType))
  if (f.beneficiaryId) where.push(eq(rewards.beneficiaryId, f.beneficiaryId))
  if (f.campaignId) where.push(eq(rewards.campaignId, f.campaignId))
  if (f.ruleId) where.push(eq(rewards.ruleId, f.ruleId))
  if (f.orderId) where.push(eq(rewards.orderId, f.orderId))
  if (f.referralId) where.push(eq(rewards.referralId, f.referralId))
  if (f.currency) where.push(eq(rewards.currency, f.currency))
  if (f.createdFrom) where.push(gte(rewards.createdAt, new Date(f.createdFrom)))
  if (f.createdTo) where.push(lt(rewards.createdAt, new Date(f.createdTo)))
  if (f.paidFrom) where.push(gte(rewards.paidAt, new Date(f.paidFrom)))
  if (f.paidTo) where.push(lt(rewards.paidAt, new Date(f.paidTo)))
  return where
}

const live = ne(rewards.status, 'cancelled')
const sumWhere = (cond: SQL) => sql<number>`coalesce(sum(${rewards.amount}) filter (where ${cond}), 0)`.mapWith(Number)

/** Per reward type and currency: what the ledger sums to (cancelled entries count for nothing). */
const totalsColumns = {
  rewardType: rewards.rewardType,
  currency: rewards.currency,
  count: sql<number>`count(*) filter (where ${live})`.mapWith(Number),
  net: sumWhere(live),
  pending: sumWhere(sql`${rewards.status} = 'pending'`),
  approved: sumWhere(sql`${rewards.status} = 'approved'`),
  // A reversed reward was paid out; its reversal entry says what came back.
  paid: sumWhere(sql`${rewards.status} in ('paid', 'reversed')`),
  reversals: sumWhere(sql`${rewards.kind} = 'reversal' and ${live}`)
}
export type RewardTotal = { rewardType: string; currency: string; count: number; net: number; pending: number; approved: number; paid: number; reversals: number }

export const rewardsRepository = {
  async byId(ex: Executor, id: string, scope?: SQL): Promise<RewardRow | undefined> {
    const [row] = await ex.select().from(rewards).where(and(eq(rewards.id, id), scope))
    return row
  },

  async byIds(ex: Executor, ids: readonly string[], scope?: SQL): Promise<RewardRow[]> {
    if (ids.length === 0) return []
    return ex.select().from(rewards).where(and(inArray(rewards.id, [...ids]), scope))
  },

  /** Locks the entry: concurrent transitions of one reward queue. */
  async lock(ex: Executor, id: string): Promise<RewardRow | undefined> {
    const [row] = await ex.select().from(rewards).where(eq(rewards.id, id)).for('update')
    return row
  },

  page: (ex: Executor, where: SQL[], keyset: Keyset) => selectPage(ex, rewards, getTableColumns(rewards), where, keyset),

  count: (ex: Executor, where: SQL[]) => countWhere(ex, rewards, where),

  async totals(ex: Executor, where: SQL[]): Promise<RewardTotal[]> {
    return ex.select(totalsColumns).from(rewards).where(and(...where))
      .groupBy(rewards.rewardType, rewards.currency).orderBy(asc(rewards.rewardType), asc(rewards.currency))
  },

  /** Totals per beneficiary referrer (Referrer.rewards totals for a page of referrers, one query). */
  async totalsPerReferrer(ex: Executor, referrerIds: readonly string[], where: SQL[]): Promise<Map<string, RewardTotal[]>> {
    const out = new Map<string, RewardTotal[]>()
    if (referrerIds.length === 0) return out
    const rows = await ex.select({ ...totalsColumns, parentId: rewards.beneficiaryId }).from(rewards)
      .where(and(eq(rewards.beneficiaryType, 'referrer'), inArray(rewards.beneficiaryId, [...referrerIds]), ...where))
      .groupBy(rewards.beneficiaryId, rewards.rewardType, rewards.currency).orderBy(asc(rewards.rewardType), asc(rewards.currency))
    for (const { parentId, ...total } of rows) out.set(parentId, [...(out.get(parentId) ?? []), total])
    return out
  },

  /** One page of each beneficiary referrer's entries (same filter, order and cursor for all). */
  async pagesPerReferrer(ex: Executor, referrerIds: readonly string[], where: SQL[], keyset: Keyset): Promise<Map<string, Page<RewardRow>>> {
    const out = new Map<string, Page<RewardRow>>()
    const ranked = ex.select({
      id: rewards.id,
      cursorValue: sql<string | null>`${keyset.cursorValue}`.as('cursor_value'),
      rank: sql<number>`row_number() over (partition by ${rewards.beneficiaryId} order by ${sql.join(keyset.orderBy(), sql`, `)})`.as('rank')
    }).from(rewards)
      .where(and(eq(rewards.beneficiaryType, 'referrer'), inArray(rewards.beneficiaryId, [...referrerIds]), ...where, keyset.where()))
      .as('ranked')
    const rows = referrerIds.length === 0 || keyset.limit === 0 ? [] : await ex.select({ ...getTableColumns(rewards), cursorValue: ranked.cursorValue })
      .from(rewards).innerJoin(ranked, eq(ranked.id, rewards.id))
      .where(lte(ranked.rank, keyset.limit + 1))
      .orderBy(asc(rewards.beneficiaryId), asc(ranked.rank))
    const byParent = new Map<string, (RewardRow & { cursorValue: string | null })[]>()
    for (const row of rows) byParent.set(row.beneficiaryId, [...(byParent.get(row.beneficiaryId) ?? []), row])
    for (const id of referrerIds) out.set(id, keyset.page(byParent.get(id) ?? []))
    return out
  },

  async countsPerReferrer(ex: Executor, referrerIds: readonly string[], where: SQL[]): Promise<Map<string, number>> {
    if (referrerIds.length === 0) return new Map()
    const rows = await ex.select({ parentId: rewards.beneficiaryId, n: sql<number>`count(*)`.mapWith(Number) }).from(rewards)
      .where(and(eq(rewards.beneficiaryType, 'referrer'), inArray(rewards.beneficiaryId, [...referrerIds]), ...where))
      .groupBy(rewards.beneficiaryId)
    return new Map(rows.map((r) => [r.parentId, r.n]))
  },

  /** Inserts entries; one that already exists (rewards_once_uq, rewards_reversal_once_uq) is skipped, not returned. */
  async insertNew(ex: Executor, values: RewardInsert[]): Promise<RewardRow[]> {
    if (values.length === 0) return []
    return ex.insert(rewards).values(values).onConflictDoNothing().returning()
  },

  /** Bumps the version; callers hold the row lock. */
  async update(ex: Executor, id: string, values: Partial<RewardInsert>, now: Date): Promise<RewardRow> {
    const [row] = await ex.update(rewards)
      .set({ ...values, version: sql`${rewards.version} + 1`, updatedAt: now })
      .where(eq(rewards.id, id))
      .returning()
    return row
  },

  /** The reversal entries of a reward in one of `statuses`, locked. */
  async reversalsOf(ex: Executor, rewardId: string, statuses: readonly RewardStatus[]): Promise<RewardRow[]> {
    return ex.select().from(rewards)
      .where(and(eq(rewards.reversesId, rewardId), eq(rewards.kind, 'reversal'), inArray(rewards.status, [...statuses])))
      .orderBy(asc(rewards.createdAt), asc(rewards.id)).for('update')
  }
}
