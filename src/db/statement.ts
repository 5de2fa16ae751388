import { getTableColumns, is, sql, SQL, type Query } from 'drizzle-orm'
import { CasingCache } from 'drizzle-orm/casing'
import { PgDialect, type PgTable } from 'drizzle-orm/pg-core'
import type { Executor } from './client.js'

// The same casing as the database handles (src/db/client.ts), so column names agree.
const dialect = new PgDialect({ casing: 'snake_case' })
const casing = new CasingCache('snake_case')

/**
 * A statement whose text never varies, for write paths that run on every request: its
 * SQL is rendered ONCE per process (no query building per call) and it runs as a named
 * prepared statement (planned once per connection) on any executor, a transaction
 * included. `prepared()` (src/db/prepared.ts) cannot serve transactions: a Drizzle
 * prepared query is bound to the handle it was built on, and a transaction is new each
 * time. Values go in through `sql.placeholder(name)`, already in driver form (see
 * `insertShape`); rows come back as arrays for `mapRow`, timestamps still text.
 */
export function statement<V extends Record<string, unknown>, R = never>(
  name: string, build: () => SQL, mapRow: (row: unknown[]) => R = () => undefined as never
): (ex: Executor, values: V) => Promise<R[]> {
  let query: Query | undefined
  const mapRows = (rows: unknown[][]) => rows.map(mapRow)
  return (ex, values) => {
    query ??= dialect.sqlToQuery(build())
    return ex._.session.prepareQuery<{ execute: R[]; all: unknown; values: unknown }>(query, undefined, name, true, mapRows).execute(values)
  }
}

/** A table's columns as a select or returning list, and the decoding of such a row (from `offset`) to Drizzle's row type. */
export type RowShape<T extends PgTable> = { list: SQL; size: number; map(row: unknown[], offset?: number): T['$inferSelect'] }

/** Every column of `table` in Drizzle's order, decoded as Drizzle decodes them (Date, arrays, jsonb). */
export function rowShape<T extends PgTable>(table: T): RowShape<T> {
  const columns = Object.entries(getTableColumns(table))
  return {
    list: sql.join(columns.map(([, column]) => sql`${column}`), sql`, `),
    size: columns.length,
    map(row, offset = 0) {
      const out: Record<string, unknown> = {}
      for (let i = 0; i < columns.length; i++) {
        const [key, column] = columns[i]
        const value = row[offset + i]
        out[key] = value === null ? null : column.mapFromDriverValue(value)
      }
      return out as T['$inferSelect']
    }
  }
}

/**
 * A fixed list of a table's columns to insert: the column list, the matching placeholders
 * (named by key) and `encode`, which turns a row into the placeholders' values as Drizzle
 * would send them. Every listed column is written: an absent value takes the column's
 * default when that is a value (`$defaultFn`, e.g. a UUIDv7 id, or `.default('new')`),
 * else NULL; one whose default is SQL (`now()`) must be given.
 */
export type InsertShape<K extends string> = {
  columns: SQL
  placeholders: SQL
  encode(row: { [P in K]?: unknown }): Record<K, unknown>
}

export function insertShape<T extends PgTable, K extends keyof T['$inferInsert'] & string>(table: T, keys: readonly K[]): InsertShape<K> {
  const all = getTableColumns(table)
  const columns = keys.map((key) => [key, all[key]] as const)
  return {
    columns: sql.join(columns.map(([, column]) => sql.identifier(casing.getColumnCasing(column))), sql`, `),
    placeholders: sql.join(keys.map((key) => sql.placeholder(key)), sql`, `),
    encode(row) {
      const out = {} as Record<K, unknown>
      for (const [key, column] of columns) {
        let value = row[key]
        if (value === undefined) value = column.defaultFn ? column.defaultFn() : column.default
        if (is(value, SQL)) throw new Error(`${key}: a value is required (its default is SQL)`)
        out[key] = value === undefined || value === null ? null : column.mapToDriverValue(value)
      }
      return out
    }
  }
}
