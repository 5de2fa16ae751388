import { and, count, type SQL, type Subquery } from 'drizzle-orm'
import type { PgTable, SelectedFields } from 'drizzle-orm/pg-core'
import type { Executor } from './client.js'
import type { Keyset } from './paging.js'

/** One keyset page (limit + 1 rows, for Keyset.page) of `fields` from `table` (or a row source named like it). */
export function selectPage<F extends SelectedFields>(ex: Executor, table: PgTable | Subquery, fields: F, where: (SQL | undefined)[], keyset: Keyset) {
  return ex.select({ ...fields, cursorValue: keyset.cursorValue })
    .from(table)
    .where(and(...where, keyset.where()))
    .orderBy(...keyset.orderBy())
    .limit(keyset.limit + 1)
}

/** How many rows of `table` match: a list's totalCount. */
export async function countWhere(ex: Executor, table: PgTable | Subquery, where: (SQL | undefined)[]): Promise<number> {
  const [row] = await ex.select({ n: count() }).from(table).where(and(...where))
  return row.n
}
