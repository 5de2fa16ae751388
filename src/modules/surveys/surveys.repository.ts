import { and, eq, getTableColumns, inArray, isNull, sql, type SQL } from 'drizzle-orm'
import type { Executor } from '../../db/client.js'
import { countWhere, selectPage } from '../../db/list-queries.js'
import type { Keyset } from '../../db/paging.js'
import { surveyInvitations, surveys } from '../../db/schema/surveys.js'
import type { SurveyFilter } from './surveys.schemas.js'

export type SurveyRow = typeof surveys.$inferSelect
export type SurveyInsert = typeof surveys.$inferInsert

export const liveSurvey = isNull(surveys.deletedAt)

export function surveyConditions(filter: SurveyFilter): SQL[] {
  const where: SQL[] = [liveSurvey]
  if (filter.kind) where.push(eq(surveys.kind, filter.kind))
  if (filter.trigger) where.push(eq(surveys.trigger, filter.trigger))
  if (filter.active !== undefined) where.push(eq(surveys.active, filter.active))
  return where
}

/** Survey definitions: a handful of rows, read by id or by trigger (partial index). */
export const surveysRepository = {
  async byId(ex: Executor, id: string): Promise<SurveyRow | undefined> {
    const [row] = await ex.select().from(surveys).where(and(eq(surveys.id, id), liveSurvey))
    return row
  },

  async byIds(ex: Executor, ids: string[]): Promise<SurveyRow[]> {
    if (ids.length === 0) return []
    return ex.select().from(surveys).where(and(inArray(surveys.id, ids), liveSurvey))
  },

  async lock(ex: Executor, id: string): Promise<SurveyRow | undefined> {
    const [row] = await ex.select().from(surveys).where(and(eq(surveys.id, id), liveSurvey)).for('update')
    return row
  },

  /** The active surveys a trigger starts. */
  async activeFor(ex: Executor, trigger: SurveyRow['trigger']): Promise<SurveyRow[]> {
    return ex.select().from(surveys).where(and(eq(surveys.trigger, trigger), eq(surveys.active, true), liveSurvey))
  },

  page: (ex: Executor, where: SQL[], keyset: Keyset) => selectPage(ex, surveys, getTableColumns(surveys), where, keyset),

  count: (ex: Executor, where: SQL[]) => countWhere(ex, surveys, where),

  async insert(ex: Executor, values: SurveyInsert): Promise<SurveyRow> {
    const [row] = await ex.insert(surveys).values(values).returning()
    return row
  },

  async update(ex: Executor, id: string, values: Partial<SurveyInsert>): Promise<SurveyRow> {
    const [row] = await ex.update(surveys)
      .set({ ...values, version: sql`${surveys.version} + 1`, updatedAt: new Date() })
      .where(eq(surveys.id, id)).returning()
    return row
  },

  /** A deactivated survey sends nothing more: its invitations not yet sent are cancelled. */
  async cancelScheduled(ex: Executor, surveyId: string): Promise<number> {
    const rows = await ex.update(surveyInvitations).set({ status: 'cancelled' })
      .where(and(eq(surveyInvitations.surveyId, surveyId), eq(surveyInvitations.status, 'scheduled')))
      .returning({ id: surveyInvitations.id })
    return rows.length
  }
}
