import { and, asc, count, eq, getTableColumns, inArray, lte, sql, type SQL } from 'drizzle-orm'
import type { Executor } from '../../db/client.js'
import type { Keyset, Page } from '../../db/paging.js'
import { orders } from '../../db/schema/orders.js'
import type { OrderRow } from './orders.views.js'

/**
 * Customer.orders for every customer of a GraphQL page at once: one page per customer
 * (row_number per customer, on the customer's own index) and, when asked, their counts in
 * one grouped query.
 */
export async function pagesPerCustomer(
  ex: Executor, customerIds: readonly string[], where: SQL[], keyset: Keyset
): Promise<Map<string, Page<OrderRow>>> {
  const out = new Map<string, Page<OrderRow>>()
  if (customerIds.length === 0 || keyset.limit === 0) {
    for (const id of customerIds) out.set(id, keyset.page<OrderRow & { cursorValue: string | null }>([]))
    return out
  }
  const ranked = ex.select({
    id: orders.id,
    cursorValue: sql<string | null>`${keyset.cursorValue}`.as('cursor_value'),
    rank: sql<number>`row_number() over (partition by ${orders.customerId} order by ${sql.join(keyset.orderBy(), sql`, `)})`.as('rank')
  }).from(orders).where(and(inArray(orders.customerId, [...customerIds]), ...where, keyset.where())).as('ranked')
  const rows = await ex.select({ ...getTableColumns(orders), cursorValue: ranked.cursorValue })
    .from(orders).innerJoin(ranked, eq(ranked.id, orders.id))
    .where(lte(ranked.rank, keyset.limit + 1))
    .orderBy(asc(orders.customerId), asc(ranked.rank))
  const byCustomer = new Map<string, (OrderRow & { cursorValue: string | null })[]>()
  for (const row of rows) {
    const list = byCustomer.get(row.customerId)
    if (list) list.push(row)
    else byCustomer.set(row.customerId, [row])
  }
  for (const id of customerIds) out.set(id, keyset.page(byCustomer.get(id) ?? []))
  return out
}

/** How many orders each customer has under the filter (totalCount), in one grouped query. */
export async function countsPerCustomer(ex: Executor, customerIds: readonly string[], where: SQL[]): Promise<Map<string, number>> {
  if (customerIds.length === 0) return new Map()
  const rows = await ex.select({ customerId: orders.customerId, n: count() }).from(orders)
    .where(and(inArray(orders.customerId, [...customerIds]), ...where)).groupBy(orders.customerId)
  return new Map(rows.map((r) => [r.customerId, r.n]))
}
