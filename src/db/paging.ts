import { sql, type SQL } from 'drizzle-orm'
import type { AnyPgColumn } from 'drizzle-orm/pg-core'
import { invalid } from '../errors.js'

export const MAX_PAGE_SIZE = 200
export const DEFAULT_PAGE_SIZE = 50

export type SortDirection = 'ASC' | 'DESC'
export type PageRequest = { first?: number | null; after?: string | null }
export type Page<T> = { rows: T[]; hasNextPage: boolean; endCursor: string | null; cursors: string[] }

/**
 * Keyset pagination over (sort column, id). The cursor carries the sort value as the
 * database prints it (full microsecond precision), so pages never skip or repeat rows.
 */
export class Keyset {
  readonly limit: number
  private readonly after: { value: string | null; id: string } | null

  constructor(
    /** The orderBy field's name: a cursor only continues the ordering that issued it. */
    readonly key: string,
    readonly column: AnyPgColumn,
    readonly idColumn: AnyPgColumn,
    readonly direction: SortDirection,
    request: PageRequest
  ) {
    const first = request.first ?? DEFAULT_PAGE_SIZE
    if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
      throw invalid('first', `must be an integer from 0 to ${MAX_PAGE_SIZE}`, 'OUT_OF_RANGE')
    }
    this.limit = first
    this.after = request.after ? decodeCursor(request.after, key) : null
  }

  /** The sort value as text, selected beside each row to build its cursor. */
  get cursorValue(): SQL<string | null> {
    return sql<string | null>`${this.column}::text`
  }

  where(): SQL | undefined {
    if (!this.after) return undefined
    const cmp = this.direction === 'ASC' ? sql`>` : sql`<`
    const type = sql.raw(this.column.getSQLType())
    if (this.after.value === null) return sql`${this.idColumn} ${cmp} ${this.after.id}::uuid`
    return sql`(${this.column}, ${this.idColumn}) ${cmp} (${this.after.value}::${type}, ${this.after.id}::uuid)`
  }

  orderBy(): SQL[] {
    return this.direction === 'ASC'
      ? [sql`${this.column} asc`, sql`${this.idColumn} asc`]
      : [sql`${this.column} desc`, sql`${this.idColumn} desc`]
  }

  /** Fetch limit + 1 rows; this trims the extra one and says whether there was more. */
  page<T extends { id: string; cursorValue: string | null }>(rows: T[]): Page<Omit<T, 'cursorValue'>> {
    const hasNextPage = rows.length > this.limit
    const kept = rows.slice(0, this.limit)
    const cursors = kept.map((r) => encodeCursor(this.key, r.cursorValue, r.id))
    // Drop cursorValue in place: the rows are this page's own fresh objects, and object
    // rest (`{ cursorValue, ...rest }`) per row cost several times as much.
    for (const row of kept) delete (row as { cursorValue?: unknown }).cursorValue
    return {
      rows: kept as Omit<T, 'cursorValue'>[],
      hasNextPage,
      endCursor: cursors.at(-1) ?? null,
      cursors
    }
  }
}

export function encodeCursor(key: string, value: string | null, id: string): string {
  return Buffer.from(JSON.stringify([key, value, id])).toString('base64url')
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export function decodeCursor(cursor: string, key: string): { value: string | null; id: string } {
  let parsed: unknown
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
  } catch { /* reported below */ }
  if (Array.isArray(parsed) && parsed.length === 3 && (parsed[1] === null || typeof parsed[1] === 'string')
    && typeof parsed[2] === 'string' && UUID.test(parsed[2])) {
    if (parsed[0] !== key) throw invalid('after', 'belongs to a different orderBy', 'INVALID_CURSOR')
    return { value: parsed[1], id: parsed[2] }
  }
  throw invalid('after', 'is not a cursor this API issued', 'INVALID_CURSOR')
}
