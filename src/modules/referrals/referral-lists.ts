import { and, asc, count, eq, getTableColumns, inArray, lte, sql, type SQL } from 'drizzle-orm'
import type { Executor } from '../../db/client.js'
import type { Keyset, Page } from '../../db/paging.js'
import { referrals } from '../../db/schema/referrals.js'
import { referrers } from '../../db/schema/referrers.js'
import type { ReferralRow } from './referrals.repository.js'

/**
 * Referrer.referrals and Customer.referrals: one page per parent for every parent of a
 * GraphQL page at once (row_number per parent), and their counts in one grouped query.
 * A customer's referrals are those made by the referrers linked to it.
 */
export type Parent = 'referrer' | 'customer'

const parentColumn = { referrer: referrals.referrerId, customer: referrers.customerId }

/** The page of each parent's referrals (same filter, order and cursor for all), by parent id. */
export async function pagesPerParent(
  ex: Executor, parent: Parent, parentIds: readonly string[], where: SQL[], keyset: Keyset
): Promise<Map<string, Page<ReferralRow>>> {
  const out = new Map<string, Page<ReferralRow>>()
  if (parentIds.length === 0 || keyset.limit === 0) {
    for (const id of parentIds) out.set(id, keyset.page<ReferralRow & { cursorValue: string | null }>([]))
    return out
  }
  const column = parentColumn[parent]
  const ranked = ex.select({
    id: referrals.id,
    parentId: sql<string>`${column}`.as('parent_id'),
    cursorValue: sql<string | null>`${keyset.cursorValue}`.as('cursor_value'),
    rank: sql<number>`row_number() over (partition by ${column} order by ${sql.join(keyset.orderBy(), sql`, `)})`.as('rank')
  }).from(referrals)
  const joined = parent === 'customer' ? ranked.innerJoin(referrers, eq(referrers.id, referrals.referrerId)) : ranked
  const sub = joined.where(and(inArray(column, [...parentIds]), ...where, keyset.where())).as('ranked')
  const rows = await ex.select({ ...getTableColumns(referrals), parentId: sub.parentId, cursorValue: sub.cursorValue })
    .from(referrals).innerJoin(sub, eq(sub.id, referrals.id))
    .where(lte(sub.rank, keyset.limit + 1))
    .orderBy(asc(sub.parentId), asc(sub.rank))
  const byParent = new Map<string, (ReferralRow & { cursorValue: string | null })[]>()
  for (const { parentId, ...row } of rows) {
    const list = byParent.get(parentId)
    if (list) list.push(row)
    else byParent.set(parentId, [row])
  }
  for (const id of parentIds) out.set(id, keyset.page(byParent.get(id) ?? []))
  return out
}

/** How many referrals each parent has under the filter (totalCount), in one grouped query. */
export async function countsPerParent(ex: Executor, parent: Parent, parentIds: readonly string[], where: SQL[]): Promise<Map<string, number>> {
  if (parentIds.length === 0) return new Map()
  const column = parentColumn[parent]
  const base = ex.select({ parentId: sql<string>`${column}`, n: count() }).from(referrals)
  const joined = parent === 'customer' ? base.innerJoin(referrers, eq(referrers.id, referrals.referrerId)) : base
  const rows = await joined.where(and(inArray(column, [...parentIds]), ...where)).groupBy(column)
  return new Map(rows.map((r) => [r.parentId, r.n]))
}
