import { and, eq, getTableColumns, gte, inArray, lt, not, or, sql, type SQL } from 'drizzle-orm'
import type { Executor } from '../../db/client.js'
import { countWhere, selectPage } from '../../db/list-queries.js'
import type { Keyset } from '../../db/paging.js'
import { surveyResponses } from '../../db/schema/surveys.js'
import { thresholds } from '../../rules/survey-score.js'
import type { SurveyResponseFilter } from './surveys.schemas.js'
import type { SurveyResponseRow } from './surveys.views.js'

const r = surveyResponses

/** Detractor and promoter as SQL, from the same thresholds the rule classifies with. */
const detractor = or(
  and(eq(r.kind, 'csat'), sql`${r.score} <= ${thresholds.csat.detractorMax}`),
  and(eq(r.kind, 'nps'), sql`${r.score} <= ${thresholds.nps.detractorMax}`)
)!
const promoter = and(eq(r.kind, 'nps'), sql`${r.score} >= ${thresholds.nps.promoterMin}`)!

/** The owner of the answer's customer: sales see the answers of customers their team owns. */
export const responseOwner = sql`(select c.owner_id from customers c where c.id = ${r.customerId})`

export function responseConditions(filter: SurveyResponseFilter): SQL[] {
  const where: SQL[] = []
  if (filter.surveyId) where.push(eq(r.surveyId, filter.surveyId))
  if (filter.kind) where.push(eq(r.kind, filter.kind))
  if (filter.customerId) where.push(eq(r.customerId, filter.customerId))
  if (filter.agentId) where.push(eq(r.agentId, filter.agentId))
  if (filter.answeredFrom) where.push(gte(r.answeredAt, new Date(filter.answeredFrom)))
  if (filter.answeredTo) where.push(lt(r.answeredAt, new Date(filter.answeredTo)))
  if (filter.detractor !== undefined) where.push(filter.detractor ? detractor : not(detractor))
  if (filter.promoter !== undefined) where.push(filter.promoter ? promoter : not(promoter))
  return where
}

export type Satisfaction = {
  latestNps: number | null
  latestNpsAt: Date | null
  latestCsat: number | null
  latestCsatAt: Date | null
}

export const responsesRepository = {
  async byId(ex: Executor, id: string, scope?: SQL): Promise<SurveyResponseRow | undefined> {
    const [row] = await ex.select().from(r).where(and(eq(r.id, id), scope))
    return row
  },

  page: (ex: Executor, where: SQL[], keyset: Keyset) => selectPage(ex, r, getTableColumns(r), where, keyset),

  count: (ex: Executor, where: SQL[]) => countWhere(ex, r, where),

  /** The latest NPS and CSAT answer of each customer: one statement for a page of customers. */
  async latestByCustomer(ex: Executor, customerIds: string[]): Promise<Map<string, Satisfaction>> {
    const out = new Map<string, Satisfaction>()
    if (customerIds.length === 0) return out
    const rows = await ex.selectDistinctOn([r.customerId, r.kind], { customerId: r.customerId, kind: r.kind, score: r.score, answeredAt: r.answeredAt })
      .from(r).where(inArray(r.customerId, customerIds))
      .orderBy(r.customerId, r.kind, sql`${r.answeredAt} desc`, sql`${r.id} desc`)
    for (const row of rows) {
      const s = out.get(row.customerId) ?? { latestNps: null, latestNpsAt: null, latestCsat: null, latestCsatAt: null }
      if (row.kind === 'nps') Object.assign(s, { latestNps: row.score, latestNpsAt: row.answeredAt })
      else Object.assign(s, { latestCsat: row.score, latestCsatAt: row.answeredAt })
      out.set(row.customerId, s)
    }
    return out
  }
}
