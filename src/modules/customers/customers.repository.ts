import { and, arrayContains, count, eq, getTableColumns, gte, inArray, isNull, lt, sql, type SQL } from 'drizzle-orm'
import type { Executor } from '../../db/client.js'
import { prepared } from '../../db/prepared.js'
import { countWhere } from '../../db/list-queries.js'
import type { Keyset } from '../../db/paging.js'
import { customers } from '../../db/schema/customers.js'
import { customerScores } from '../../db/schema/scoring.js'
import type { PiiCipher } from '../../lib/pii.js'
import { classifySearch } from '../../rules/contact.js'
import { idNumberSearch } from '../../rules/id-number.js'
import { escapeLike } from '../common/like.js'
import type { CustomerFilter } from './customers.schemas.js'
import { allRelated, relatedConditions, type CustomerRelatedReach } from './customers.related.js'
import { scoreConditions } from './customers.scores.js'
import { levelKeysCondition } from '../levels/levels.conditions.js'

export type CustomerRow = typeof customers.$inferSelect
export type CustomerInsert = typeof customers.$inferInsert

const live = isNull(customers.deletedAt)

/**
 * SQL for a customers filter; `search` uses the blind index for phones and emails. Score
 * fields (segment, r, f, m, scored) name customer_scores: join it when `filterUsesScores`.
 * Related-record fields look only at the records `related` allows (customerRelatedReach).
 */
export function customerConditions(filter: CustomerFilter, pii: PiiCipher, related: CustomerRelatedReach = allRelated): SQL[] {
  const where: SQL[] = [live]
  if (filter.ownerId) where.push(eq(customers.ownerId, filter.ownerId))
  if (filter.referrerId) where.push(eq(customers.referrerId, filter.referrerId))
  if (filter.lifecycleStage?.length) where.push(inArray(customers.lifecycleStage, filter.lifecycleStage))
  if (filter.tier?.length) where.push(inArray(customers.tier, filter.tier))
  if (filter.sourceChannel) where.push(eq(customers.sourceChannel, filter.sourceChannel))
  if (filter.industry) where.push(eq(customers.industry, filter.industry))
  if (filter.region) where.push(eq(customers.region, filter.region))
  if (filter.tags?.length) where.push(arrayContains(customers.tags, filter.tags))
  if (filter.createdFrom) where.push(gte(customers.createdAt, new Date(filter.createdFrom)))
  if (filter.createdTo) where.push(lt(customers.createdAt, new Date(filter.createdTo)))
  const idNumber = filter.search ? idNumberSearch(filter.search) : null
  if (idNumber) where.push(inArray(customers.idNumberIdx, pii.indexes(idNumber)))
  else if (filter.search) {
    const s = classifySearch(filter.search)
    if (s.kind === 'phone') where.push(inArray(customers.phoneIdx, pii.indexes(s.value)))
    else if (s.kind === 'email') where.push(inArray(customers.emailIdx, pii.indexes(s.value)))
    else where.push(sql`lower(${customers.name} || ' ' || coalesce(${customers.company}, '')) like ${`%${escapeLike(s.value)}%`}`)
  }
  where.push(...scoreConditions(filter))
  where.push(...relatedConditions(filter, related))
  if (filter.levelKeys?.length) where.push(levelKeysCondition(filter.levelKeys))
  return where
}

export const customersRepository = {
  async byId(ex: Executor, id: string, scope?: SQL): Promise<CustomerRow | undefined> {
    const [row] = scope
      ? await ex.select().from(customers).where(and(eq(customers.id, id), live, scope))
      : await prepared(ex, 'customers_by_id', (name) => ex.select().from(customers)
        .where(and(eq(customers.id, sql.placeholder('id')), live)).prepare(name)).execute({ id })
    return row
  },

  /** Locks the row for the rest of the transaction: concurrent writers queue behind it. */
  async lock(ex: Executor, id: string, scope?: SQL, includeDeleted = false): Promise<CustomerRow | undefined> {
    const [row] = await ex.select().from(customers)
      .where(and(eq(customers.id, id), includeDeleted ? undefined : live, scope)).for('update')
    return row
  },

  async byIds(ex: Executor, ids: readonly string[], scope?: SQL): Promise<CustomerRow[]> {
    if (ids.length === 0) return []
    if (scope) return ex.select().from(customers).where(and(inArray(customers.id, [...ids]), live, scope))
    // `= any($1)`: one statement whatever the number of ids.
    return prepared(ex, 'customers_by_ids', (name) => ex.select().from(customers)
      .where(and(sql`${customers.id} = any(${sql.placeholder('ids')}::uuid[])`, live)).prepare(name)).execute({ ids: [...ids] })
  },

  async byIdsIncludingDeleted(ex: Executor, ids: readonly string[]): Promise<CustomerRow[]> {
    if (ids.length === 0) return []
    return ex.select().from(customers).where(inArray(customers.id, [...ids]))
  },

  /** Includes soft-deleted rows: an upsert by externalId revives them. */
  async byExternalId(ex: Executor, externalId: string): Promise<CustomerRow | undefined> {
    const [row] = await ex.select().from(customers).where(eq(customers.externalId, externalId))
    return row
  },

  /** `scores`: the filter or the order reads customer_scores, so it is joined (customers.scores.ts). */
  async page(ex: Executor, where: SQL[], keyset: Keyset, scores = false) {
    const select = () => {
      const q = ex.select({ ...getTableColumns(customers), cursorValue: keyset.cursorValue }).from(customers).$dynamic()
      return scores ? q.leftJoin(customerScores, eq(customerScores.customerId, customers.id)) : q
    }
    const after = keyset.where()
    // The first page with no filter and no reach limit (the usual list screen) is prepared.
    if (!after && where.length === 1 && where[0] === live) {
      return prepared(ex, `customers_page_${keyset.key}_${keyset.direction.toLowerCase()}`, (name) => select()
        .where(live).orderBy(...keyset.orderBy()).limit(sql.placeholder('limit')).prepare(name)).execute({ limit: keyset.limit + 1 })
    }
    return select().where(and(...where, after)).orderBy(...keyset.orderBy()).limit(keyset.limit + 1)
  },

  async count(ex: Executor, where: SQL[], scores = false): Promise<number> {
    if (!scores) return countWhere(ex, customers, where)
    const [row] = await ex.select({ n: count() }).from(customers)
      .leftJoin(customerScores, eq(customerScores.customerId, customers.id)).where(and(...where))
    return row.n
  },

  async insert(ex: Executor, values: CustomerInsert): Promise<CustomerRow> {
    const [row] = await ex.insert(customers).values(values).returning()
    return row
  },

  /** Bumps the version; with `expectedVersion` the update only applies at that version. */
  async update(ex: Executor, id: string, values: Partial<CustomerInsert>, expectedVersion?: number): Promise<CustomerRow | undefined> {
    const [row] = await ex.update(customers)
      .set({ ...values, version: sql`${customers.version} + 1`, updatedAt: new Date() })
      .where(and(eq(customers.id, id), expectedVersion === undefined ? undefined : eq(customers.version, expectedVersion)))
      .returning()
    return row
  }
}
