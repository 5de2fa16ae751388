import { and, eq, getTableColumns, gt, gte, inArray, isNull, lt, lte, or, sql, type SQL } from 'drizzle-orm'
import type { Executor } from '../../db/client.js'
import { countWhere, selectPage } from '../../db/list-queries.js'
import type { Keyset } from '../../db/paging.js'
import { campaigns } from '../../db/schema/campaigns.js'
import { customers } from '../../db/schema/customers.js'
import { customerScores } from '../../db/schema/scoring.js'
import { escapeLike } from '../common/like.js'
import type { CampaignFilter } from './campaigns.schemas.js'

export type CampaignRow = typeof campaigns.$inferSelect
export type CampaignInsert = typeof campaigns.$inferInsert

const live = isNull(campaigns.deletedAt)

/** SQL for a campaigns filter. */
export function campaignConditions(filter: CampaignFilter): SQL[] {
  const where: SQL[] = [live]
  if (filter.status?.length) where.push(inArray(campaigns.status, filter.status))
  if (filter.ownerId) where.push(eq(campaigns.ownerId, filter.ownerId))
  if (filter.activeAt) {
    const at = new Date(filter.activeAt)
    where.push(inArray(campaigns.status, ['scheduled', 'active', 'completed']))
    where.push(or(isNull(campaigns.startsAt), lte(campaigns.startsAt, at))!)
    where.push(or(isNull(campaigns.endsAt), gt(campaigns.endsAt, at))!)
  }
  if (filter.createdFrom) where.push(gte(campaigns.createdAt, new Date(filter.createdFrom)))
  if (filter.createdTo) where.push(lt(campaigns.createdAt, new Date(filter.createdTo)))
  if (filter.search) where.push(sql`lower(${campaigns.name}) like ${`%${escapeLike(filter.search.toLowerCase())}%`}`)
  return where
}

export const campaignsRepository = {
  async byId(ex: Executor, id: string, scope?: SQL): Promise<CampaignRow | undefined> {
    const [row] = await ex.select().from(campaigns).where(and(eq(campaigns.id, id), live, scope))
    return row
  },

  /** Locks the row for the rest of the transaction: concurrent writers queue behind it. */
  async lock(ex: Executor, id: string, scope?: SQL, includeDeleted = false): Promise<CampaignRow | undefined> {
    const [row] = await ex.select().from(campaigns)
      .where(and(eq(campaigns.id, id), includeDeleted ? undefined : live, scope)).for('update')
    return row
  },

  async byIds(ex: Executor, ids: readonly string[], scope?: SQL): Promise<CampaignRow[]> {
    if (ids.length === 0) return []
    return ex.select().from(campaigns).where(and(inArray(campaigns.id, [...ids]), live, scope))
  },

  /** Includes soft-deleted rows: an upsert by externalId revives them. */
  async byExternalId(ex: Executor, externalId: string): Promise<CampaignRow | undefined> {
    const [row] = await ex.select().from(campaigns).where(eq(campaigns.externalId, externalId))
    return row
  },

  page: (ex: Executor, where: SQL[], keyset: Keyset) => selectPage(ex, campaigns, getTableColumns(campaigns), where, keyset),

  count: (ex: Executor, where: SQL[]) => countWhere(ex, campaigns, where),

  /**
   * How many customers match each audience, in one scan: one `count(*) filter (where ...)`
   * per audience over the customers within `scope`. `scores`: some audience reads RFM scores,
   * so customer_scores is left-joined (at most one row per customer: the counts stay exact).
   */
  async countMatching(ex: Executor, audiences: readonly SQL[], scope?: SQL, scores = false): Promise<number[]> {
    if (audiences.length === 0) return []
    const columns = Object.fromEntries(audiences.map((where, i) => [`a${i}`, sql<number>`count(*) filter (where ${where})`.mapWith(Number)]))
    const from = ex.select(columns).from(customers).$dynamic()
    const [row] = await (scores ? from.leftJoin(customerScores, eq(customerScores.customerId, customers.id)) : from)
      .where(and(isNull(customers.deletedAt), scope))
    return audiences.map((_w, i) => row[`a${i}`])
  },

  async insert(ex: Executor, values: CampaignInsert): Promise<CampaignRow> {
    const [row] = await ex.insert(campaigns).values(values).returning()
    return row
  },

  /** Bumps the version; callers check the expected version on the locked row first. */
  async update(ex: Executor, id: string, values: Partial<CampaignInsert>): Promise<CampaignRow> {
    const [row] = await ex.update(campaigns)
      .set({ ...values, version: sql`${campaigns.version} + 1`, updatedAt: new Date() })
      .where(eq(campaigns.id, id))
      .returning()
    return row
  }
}
