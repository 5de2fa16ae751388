import { and, asc, eq, getTableColumns, gte, inArray, isNull, lt, lte, sql, type SQL } from 'drizzle-orm'
import type { Executor } from '../../db/client.js'
import { countWhere, selectPage } from '../../db/list-queries.js'
import type { Keyset } from '../../db/paging.js'
import { customers } from '../../db/schema/customers.js'
import { opportunities, opportunityStageHistory } from '../../db/schema/opportunities.js'
import { openStages } from '../../rules/opportunity-stages.js'
import { escapeLike } from '../common/like.js'
import type { OpportunityFilter } from './opportunities.schemas.js'

export type OpportunityRow = typeof opportunities.$inferSelect
export type OpportunityInsert = typeof opportunities.$inferInsert
export type StageHistoryRow = typeof opportunityStageHistory.$inferSelect
export type StageHistoryInsert = typeof opportunityStageHistory.$inferInsert

const live = isNull(opportunities.deletedAt)

/**
 * SQL for an opportunities filter. Expected-close bounds are inclusive dates. `customerTier`
 * looks only at the customers `customerReach` allows (undefined: all).
 */
export function opportunityConditions(filter: OpportunityFilter, customerReach?: SQL): SQL[] {
  const where: SQL[] = [live]
  if (filter.ownerId) where.push(eq(opportunities.ownerId, filter.ownerId))
  if (filter.customerId) where.push(eq(opportunities.customerId, filter.customerId))
  if (filter.campaignId) where.push(eq(opportunities.campaignId, filter.campaignId))
  if (filter.stage?.length) where.push(inArray(opportunities.stage, filter.stage))
  if (filter.open === true) where.push(inArray(opportunities.stage, [...openStages]))
  if (filter.open === false) where.push(inArray(opportunities.stage, ['won', 'lost']))
  if (filter.expectedCloseFrom) where.push(gte(opportunities.expectedCloseDate, filter.expectedCloseFrom))
  if (filter.expectedCloseTo) where.push(lte(opportunities.expectedCloseDate, filter.expectedCloseTo))
  if (filter.createdFrom) where.push(gte(opportunities.createdAt, new Date(filter.createdFrom)))
  if (filter.createdTo) where.push(lt(opportunities.createdAt, new Date(filter.createdTo)))
  if (filter.customerTier?.length) {
    where.push(sql`exists (select 1 from ${customers} where ${and(eq(customers.id, opportunities.customerId), isNull(customers.deletedAt), inArray(customers.tier, filter.customerTier), customerReach)})`)
  }
  if (filter.search) where.push(sql`lower(${opportunities.name}) like ${`%${escapeLike(filter.search.toLowerCase())}%`}`)
  return where
}

export const opportunitiesRepository = {
  async byId(ex: Executor, id: string, scope?: SQL): Promise<OpportunityRow | undefined> {
    const [row] = await ex.select().from(opportunities).where(and(eq(opportunities.id, id), live, scope))
    return row
  },

  /** Locks the row for the rest of the transaction: concurrent writers queue behind it. */
  async lock(ex: Executor, id: string, scope?: SQL, includeDeleted = false): Promise<OpportunityRow | undefined> {
    const [row] = await ex.select().from(opportunities)
      .where(and(eq(opportunities.id, id), includeDeleted ? undefined : live, scope)).for('update')
    return row
  },

  async byIds(ex: Executor, ids: readonly string[], scope?: SQL): Promise<OpportunityRow[]> {
    if (ids.length === 0) return []
    return ex.select().from(opportunities).where(and(inArray(opportunities.id, [...ids]), live, scope))
  },

  /** Includes soft-deleted rows: an upsert by externalId revives them. */
  async byExternalId(ex: Executor, externalId: string): Promise<OpportunityRow | undefined> {
    const [row] = await ex.select().from(opportunities).where(eq(opportunities.externalId, externalId))
    return row
  },

  page: (ex: Executor, where: SQL[], keyset: Keyset) => selectPage(ex, opportunities, getTableColumns(opportunities), where, keyset),

  count: (ex: Executor, where: SQL[]) => countWhere(ex, opportunities, where),

  /** The newest `first` opportunities of each customer, in one query (row_number per customer). */
  async latestPerCustomer(ex: Executor, customerIds: readonly string[], first: number, scope?: SQL): Promise<OpportunityRow[]> {
    if (customerIds.length === 0 || first === 0) return []
    const ranked = ex.select({
      id: opportunities.id,
      rank: sql<number>`row_number() over (partition by ${opportunities.customerId} order by ${opportunities.createdAt} desc, ${opportunities.id} desc)`.as('rank')
    }).from(opportunities).where(and(inArray(opportunities.customerId, [...customerIds]), live, scope)).as('ranked')
    return ex.select(getTableColumns(opportunities)).from(opportunities)
      .innerJoin(ranked, eq(ranked.id, opportunities.id))
      .where(lte(ranked.rank, first))
      .orderBy(asc(opportunities.customerId), asc(ranked.rank))
  },

  async insert(ex: Executor, values: OpportunityInsert): Promise<OpportunityRow> {
    const [row] = await ex.insert(opportunities).values(values).returning()
    return row
  },

  /** Bumps the version; callers check the expected version on the locked row first. */
  async update(ex: Executor, id: string, values: Partial<OpportunityInsert>): Promise<OpportunityRow> {
    const [row] = await ex.update(opportunities)
      .set({ ...values, version: sql`${opportunities.version} + 1`, updatedAt: new Date() })
      .where(eq(opportunities.id, id))
      .returning()
    return row
  },

  async insertHistory(ex: Executor, values: StageHistoryInsert): Promise<void> {
    await ex.insert(opportunityStageHistory).values(values)
  },

  /** Stage history of several opportunities, oldest first, limited to those within `scope`. */
  async historyOf(ex: Executor, opportunityIds: readonly string[], scope?: SQL): Promise<StageHistoryRow[]> {
    if (opportunityIds.length === 0) return []
    return ex.select(getTableColumns(opportunityStageHistory)).from(opportunityStageHistory)
      .innerJoin(opportunities, eq(opportunities.id, opportunityStageHistory.opportunityId))
      .where(and(inArray(opportunityStageHistory.opportunityId, [...opportunityIds]), scope))
      .orderBy(asc(opportunityStageHistory.changedAt), asc(opportunityStageHistory.id))
  }
}
