import { and, asc, count, eq, getTableColumns, gte, inArray, isNull, lt, lte, sql, type SQL } from 'drizzle-orm'
import type { AnyPgColumn } from 'drizzle-orm/pg-core'
import type { Executor } from '../../db/client.js'
import type { Keyset } from '../../db/paging.js'
import { activities } from '../../db/schema/activities.js'
import { leads } from '../../db/schema/leads.js'
import type { ActivityFilter } from './activities.schemas.js'

export type ActivityRow = typeof activities.$inferSelect
export type ActivityInsert = typeof activities.$inferInsert

const live = isNull(activities.deletedAt)
const { deletedAt: _d, ...viewColumns } = getTableColumns(activities)
export type ActivityRecord = Omit<ActivityRow, 'deletedAt'>

export function activityConditions(filter: ActivityFilter): SQL[] {
  const where: SQL[] = [live]
  if (filter.customerId) where.push(eq(activities.customerId, filter.customerId))
  if (filter.leadId) where.push(eq(activities.leadId, filter.leadId))
  if (filter.opportunityId) where.push(eq(activities.opportunityId, filter.opportunityId))
  if (filter.referrerId) where.push(eq(activities.referrerId, filter.referrerId))
  if (filter.authorId) where.push(eq(activities.authorId, filter.authorId))
  if (filter.kind?.length) where.push(inArray(activities.kind, filter.kind))
  if (filter.occurredFrom) where.push(gte(activities.occurredAt, new Date(filter.occurredFrom)))
  if (filter.occurredTo) where.push(lt(activities.occurredAt, new Date(filter.occurredTo)))
  return where
}

export const activitiesRepository = {
  async byId(ex: Executor, id: string, scope?: SQL): Promise<ActivityRecord | undefined> {
    const [row] = await ex.select(viewColumns).from(activities).where(and(eq(activities.id, id), live, scope))
    return row
  },

  async page(ex: Executor, where: SQL[], keyset: Keyset) {
    return ex.select({ ...viewColumns, cursorValue: keyset.cursorValue })
      .from(activities)
      .where(and(...where, keyset.where()))
      .orderBy(...keyset.orderBy())
      .limit(keyset.limit + 1)
  },

  async count(ex: Executor, where: SQL[]): Promise<number> {
    const [row] = await ex.select({ n: count() }).from(activities).where(and(...where))
    return row.n
  },

  /**
   * The latest `first` activities of each parent in ONE statement: rows numbered per
   * parent (newest first) by a window function, cut at `first`.
   */
  async latestPer(ex: Executor, parent: AnyPgColumn, ids: readonly string[], first: number, scope?: SQL): Promise<ActivityRecord[]> {
    if (ids.length === 0 || first <= 0) return []
    const rank = sql<number>`row_number() over (partition by ${parent} order by ${activities.occurredAt} desc, ${activities.id} desc)`.as('rank')
    const ranked = ex.select({ ...viewColumns, rank }).from(activities)
      .where(and(inArray(parent, [...ids]), live, scope)).as('ranked')
    const rows = await ex.select().from(ranked).where(lte(ranked.rank, first)).orderBy(asc(ranked.rank))
    return rows.map(({ rank: _r, ...row }) => row)
  },

  async insert(ex: Executor, values: ActivityInsert): Promise<ActivityRecord> {
    const [row] = await ex.insert(activities).values(values).returning(viewColumns)
    return row
  },

  /** A lead was worked: last activity moves forward, and the first contact is kept once set. */
  async touchLead(ex: Executor, leadId: string, at: Date, contacted: boolean): Promise<void> {
    await ex.update(leads).set({
      lastActivityAt: sql`greatest(${leads.lastActivityAt}, ${at.toISOString()}::timestamptz)`,
      ...(contacted ? { firstContactedAt: sql`coalesce(${leads.firstContactedAt}, ${at.toISOString()}::timestamptz)` } : {})
    }).where(eq(leads.id, leadId))
  }
}
