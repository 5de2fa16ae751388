import { and, eq, getTableColumns, gte, inArray, isNull, lt, not, or, sql, type SQL } from 'drizzle-orm'
import type { Executor } from '../../db/client.js'
import { countWhere, selectPage } from '../../db/list-queries.js'
import type { Keyset } from '../../db/paging.js'
import { tasks } from '../../db/schema/tasks.js'
import type { TaskFilter } from './tasks.schemas.js'

export type TaskRow = typeof tasks.$inferSelect
export type TaskInsert = typeof tasks.$inferInsert

const live = isNull(tasks.deletedAt)

/** Open and past due at `now`. */
export const overdueAt = (now: Date): SQL => and(eq(tasks.status, 'open'), lt(tasks.dueAt, now))!

export function taskConditions(filter: TaskFilter, now: Date): SQL[] {
  const where: SQL[] = [live]
  if (filter.assigneeId) where.push(eq(tasks.assigneeId, filter.assigneeId))
  if (filter.status?.length) where.push(inArray(tasks.status, filter.status))
  if (filter.dueBefore) where.push(lt(tasks.dueAt, new Date(filter.dueBefore)))
  if (filter.dueAfter) where.push(gte(tasks.dueAt, new Date(filter.dueAfter)))
  if (filter.customerId) where.push(eq(tasks.customerId, filter.customerId))
  if (filter.leadId) where.push(eq(tasks.leadId, filter.leadId))
  if (filter.opportunityId) where.push(eq(tasks.opportunityId, filter.opportunityId))
  if (filter.referrerId) where.push(eq(tasks.referrerId, filter.referrerId))
  if (filter.overdue === true) where.push(overdueAt(now))
  if (filter.overdue === false) where.push(or(not(eq(tasks.status, 'open')), isNull(tasks.dueAt), gte(tasks.dueAt, now))!)
  return where
}

export const tasksRepository = {
  async byId(ex: Executor, id: string, scope?: SQL): Promise<TaskRow | undefined> {
    const [row] = await ex.select().from(tasks).where(and(eq(tasks.id, id), live, scope))
    return row
  },

  async lock(ex: Executor, id: string, scope?: SQL): Promise<TaskRow | undefined> {
    const [row] = await ex.select().from(tasks).where(and(eq(tasks.id, id), live, scope)).for('update')
    return row
  },

  page: (ex: Executor, where: SQL[], keyset: Keyset) => selectPage(ex, tasks, getTableColumns(tasks), where, keyset),

  count: (ex: Executor, where: SQL[]) => countWhere(ex, tasks, where),

  async insert(ex: Executor, values: TaskInsert): Promise<TaskRow> {
    const [row] = await ex.insert(tasks).values(values).returning()
    return row
  },

  /** Bumps the version and the update time. */
  async update(ex: Executor, id: string, values: Partial<TaskInsert>): Promise<TaskRow> {
    const [row] = await ex.update(tasks)
      .set({ ...values, version: sql`${tasks.version} + 1`, updatedAt: new Date() })
      .where(eq(tasks.id, id))
      .returning()
    return row
  }
}
