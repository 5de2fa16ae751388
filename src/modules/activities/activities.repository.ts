import { and, desc, eq, getTableColumns, gte, inArray, isNull, lt, sql, type SQL, type Subquery } from 'drizzle-orm'
import type { AnyPgColumn } from 'drizzle-orm/pg-core'
import type { Executor } from '../../db/client.js'
import { countWhere, selectPage } from '../../db/list-queries.js'
import type { Keyset } from '../../db/paging.js'
import { prepared } from '../../db/prepared.js'
import { activities } from '../../db/schema/activities.js'
import { leads } from '../../db/schema/leads.js'
import type { ActivityFilter } from './activities.schemas.js'
import { timelineSource } from './activities.timeline.js'

export type ActivityRow = typeof activities.$inferSelect
export type ActivityInsert = typeof activities.$inferInsert

const live = isNull(activities.deletedAt)
const { deletedAt: _d, ...shown } = getTableColumns(activities)
/** What an Activity shows: every column but the soft-delete mark. */
export const viewColumns = shown
export type ActivityRecord = Omit<ActivityRow, 'deletedAt'>

const viewKeys = Object.keys(viewColumns) as (keyof typeof viewColumns)[]

/** Which activities belong to a parent row `p.parent_id`: those naming it in a column, or a customer's timeline. */
export type LatestParent = { name: string; source: Subquery | typeof activities; match?: SQL }
export const parentColumn = (column: AnyPgColumn): LatestParent => ({ name: column.name, source: activities, match: sql`${column} = p.parent_id` })
export const customerTimeline: LatestParent = { name: 'customer_timeline', source: timelineSource(sql`p.parent_id`) }

/** An activity of a "latest per parent" read, with the parent it was read for. */
export type ParentedActivity = ActivityRecord & { parentId: string }

/** `ids` (uuid[]) and `first` are placeholders; rows come out by parent in `ids` order, newest first. */
function latestQuery(ex: Executor, parent: LatestParent, scope?: SQL) {
  const latest = ex.select(viewColumns).from(parent.source)
    .where(and(parent.match, live, scope))
    .orderBy(desc(activities.occurredAt), desc(activities.id))
    .limit(sql.placeholder('first'))
    .as('a')
  const fields = { parentId: sql<string>`p.parent_id`.as('parent_id') } as { [K in keyof typeof viewColumns]: (typeof latest)[K] } & { parentId: SQL.Aliased<string> }
  for (const key of viewKeys) (fields as Record<string, unknown>)[key] = latest[key]
  return ex.select(fields)
    .from(sql`unnest(${sql.placeholder('ids')}::uuid[]) with ordinality as p(parent_id, ord)`)
    .crossJoinLateral(latest)
    .orderBy(sql`p.ord`, desc(latest.occurredAt), desc(latest.id))
}

/** The conditions of a filter, but `customerId`: that one chooses the source (`listSource`). */
export function activityConditions(filter: ActivityFilter): SQL[] {
  const where: SQL[] = [live]
  if (filter.leadId) where.push(eq(activities.leadId, filter.leadId))
  if (filter.opportunityId) where.push(eq(activities.opportunityId, filter.opportunityId))
  if (filter.referrerId) where.push(eq(activities.referrerId, filter.referrerId))
  if (filter.authorId) where.push(eq(activities.authorId, filter.authorId))
  if (filter.kind?.length) where.push(inArray(activities.kind, filter.kind))
  if (filter.occurredFrom) where.push(gte(activities.occurredAt, new Date(filter.occurredFrom)))
  if (filter.occurredTo) where.push(lt(activities.occurredAt, new Date(filter.occurredTo)))
  return where
}

type ListSource = Subquery | typeof activities

/** What a list reads: a customer's timeline (filter `customerId`), else the whole table. */
export const listSource = (filter: ActivityFilter): ListSource =>
  filter.customerId ? timelineSource(sql`${filter.customerId}::uuid`) : activities

export const activitiesRepository = {
  async byId(ex: Executor, id: string, scope?: SQL): Promise<ActivityRecord | undefined> {
    const [row] = await ex.select(viewColumns).from(activities).where(and(eq(activities.id, id), live, scope))
    return row
  },

  page: (ex: Executor, source: ListSource, where: SQL[], keyset: Keyset) => selectPage(ex, source, viewColumns, where, keyset),

  count: (ex: Executor, source: ListSource, where: SQL[]) => countWhere(ex, source, where),

  /**
   * The latest `first` activities of each parent in ONE statement: for each id, a lateral
   * subquery walks the parent's (parent, occurred_at) index newest first and stops after
   * `first` rows. Unscoped (reach all), it is a named prepared statement per parent kind.
   */
  async latestPer(ex: Executor, parent: LatestParent, ids: readonly string[], first: number, scope?: SQL): Promise<ParentedActivity[]> {
    if (ids.length === 0 || first <= 0) return []
    const values = { ids: [...ids], first }
    if (scope) return latestQuery(ex, parent, scope).execute(values)
    return prepared(ex, `activities_latest_by_${parent.name}`, (name) => latestQuery(ex, parent).prepare(name)).execute(values)
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
