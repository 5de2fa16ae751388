import { and, count, eq, inArray, isNotNull, isNull, sql, type SQL } from 'drizzle-orm'
import type { AnyPgColumn } from 'drizzle-orm/pg-core'
import type { Executor } from '../../db/client.js'
import { invalid } from '../../errors.js'
import { decodeCursor, Keyset, type PageRequest, type SortDirection } from '../../db/paging.js'
import { customers } from '../../db/schema/customers.js'
import { customerScores, scoringState } from '../../db/schema/scoring.js'
import type { CustomerFilter, CustomerOrderField } from './customers.schemas.js'

/**
 * The read side of the stored RFM scores (customer_scores, written by the recompute in
 * src/modules/scoring). Customers without a row, or with a row whose scores are still null,
 * are unscored. Lists join customer_scores only when a filter or the order reads it.
 */

/** The left join that brings a customer's scores beside it (one row at most: customer_id is the key). */
export const scoresJoin = sql`left join ${customerScores} on ${customerScores.customerId} = ${customers.id}`
const scored = isNotNull(customerScores.r)

/** Orders over a stored score: nullable, so they page with `ScoreKeyset`. */
export const scoreOrderColumns = {
  r: customerScores.r, f: customerScores.f, m: customerScores.m,
  monetary: customerScores.monetary, frequency: customerScores.frequency, segment: customerScores.segment
} satisfies Partial<Record<CustomerOrderField, AnyPgColumn>>
type ScoreOrderField = keyof typeof scoreOrderColumns

export const isScoreOrder = (field: CustomerOrderField): field is ScoreOrderField => field in scoreOrderColumns

/** Whether the filter reads customer_scores (so the query must join it). */
export function filterUsesScores(filter: CustomerFilter): boolean {
  return Boolean(filter.segment?.length || filter.r?.length || filter.f?.length || filter.m?.length || filter.scored !== undefined)
}

/** The score conditions of a filter; they name customer_scores, so the query joins `scoresJoin`. */
export function scoreConditions(filter: CustomerFilter): SQL[] {
  const where: SQL[] = []
  if (filter.segment?.length) where.push(inArray(customerScores.segment, filter.segment))
  if (filter.r?.length) where.push(inArray(customerScores.r, filter.r))
  if (filter.f?.length) where.push(inArray(customerScores.f, filter.f))
  if (filter.m?.length) where.push(inArray(customerScores.m, filter.m))
  if (filter.scored !== undefined) where.push(filter.scored ? scored : isNull(customerScores.r))
  return where
}

/** What a cursor's value may be for each order: within the column's type (smallint, integer, bigint, text). */
const cursorValuePattern: Record<ScoreOrderField, RegExp> = {
  r: /^[1-5]$/, f: /^[1-5]$/, m: /^[1-5]$/, frequency: /^\d{1,9}$/, monetary: /^-?\d{1,18}$/, segment: /^/
}

/**
 * Keyset paging over a nullable score with unscored customers LAST in both directions:
 * `order by score <dir> nulls last, id <dir>`. A cursor on a scored row continues with the
 * rest of the scored rows and then every unscored one; a cursor on an unscored row continues
 * with the unscored rows beyond its id. (Keyset's own condition assumes a non-null column.)
 */
export class ScoreKeyset extends Keyset {
  private readonly from: { value: string | null; id: string } | null

  constructor(key: ScoreOrderField, direction: SortDirection, request: PageRequest) {
    super(key, scoreOrderColumns[key], customers.id, direction, request)
    this.from = request.after ? decodeCursor(request.after, key) : null
    // The value is cast to the column's type: a forged one must not reach the database as a 500.
    const value = this.from?.value
    if (value != null && !cursorValuePattern[key].test(value)) throw invalid('after', 'is not a cursor this API issued', 'INVALID_CURSOR')
  }

  override where(): SQL | undefined {
    if (!this.from) return undefined
    const cmp = this.direction === 'ASC' ? sql`>` : sql`<`
    const after = sql`${this.idColumn} ${cmp} ${this.from.id}::uuid`
    if (this.from.value === null) return sql`(${this.column} is null and ${after})`
    const type = sql.raw(this.column.getSQLType())
    return sql`(${this.column} is null or (${this.column}, ${this.idColumn}) ${cmp} (${this.from.value}::${type}, ${this.from.id}::uuid))`
  }

  override orderBy(): SQL[] {
    const dir = sql.raw(this.direction === 'ASC' ? 'asc' : 'desc')
    return [sql`${this.column} ${dir} nulls last`, sql`${this.idColumn} ${dir}`]
  }
}

/**
 * The time the scores are current as of: the last run's asOf. A run rewrites only the rows
 * whose scores changed (their computed_at), yet it re-derived all of them; recency counts to it.
 */
const asOf = sql`coalesce(${scoringState.lastAsOf}, ${customerScores.computedAt})`
/** Whole days from the last counted payment to the run's asOf, exact to the microsecond (docs/scoring.md). */
const recencyDays = sql<number>`floor(extract(epoch from (${asOf} - ${customerScores.recencyFrom})) / 86400)::int`

export type RfmRow = {
  customerId: string; recency: number; frequency: number; monetary: number
  r: number; f: number; m: number; segment: string; computedAt: Date
}

export const scoresRepository = {
  /** The stored scores of these customers (unscored ones are absent); `scope` limits them to the caller's reach. */
  async rfmOf(ex: Executor, ids: readonly string[], scope?: SQL): Promise<RfmRow[]> {
    if (ids.length === 0) return []
    const base = ex.select({
      customerId: customerScores.customerId, recency: recencyDays.mapWith(Number),
      frequency: customerScores.frequency, monetary: customerScores.monetary,
      r: customerScores.r, f: customerScores.f, m: customerScores.m,
      segment: customerScores.segment, computedAt: sql<Date>`${asOf}`.mapWith(customerScores.computedAt)
    }).from(customerScores).leftJoin(scoringState, eq(scoringState.id, 1)).$dynamic()
    const which = and(inArray(customerScores.customerId, [...ids]), scored)
    const rows = scope
      ? await base.innerJoin(customers, eq(customers.id, customerScores.customerId)).where(and(which, scope))
      : await base.where(which)
    return rows as RfmRow[]
  },

  /** Live customers within `scope` per segment (null: unscored), and the last run's asOf. */
  async segmentCounts(ex: Executor, scope?: SQL): Promise<{ asOf: Date | null; groups: { segment: string | null; scored: boolean; n: number }[] }> {
    const groupScored = sql<boolean>`(${scored})`
    const groups = await ex.select({ segment: customerScores.segment, scored: groupScored, n: count() })
      .from(customers).leftJoin(customerScores, eq(customerScores.customerId, customers.id))
      .where(and(isNull(customers.deletedAt), scope))
      .groupBy(customerScores.segment, groupScored)
    const [state] = await ex.select({ asOf: scoringState.lastAsOf }).from(scoringState).where(eq(scoringState.id, 1))
    return { asOf: state?.asOf ?? null, groups }
  }
}
