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
export type RowShape<T extends PgTable> = {
  list: SQL
  size: number
  /** The columns as ONE json array, for a statement that returns a single JSON value (its timestamps ISO text); decode it with `map`. */
  json: SQL
  map(row: unknown[], offset?: number): T['$inferSelect']
}

/** Every column of `table` in Drizzle's order, decoded as Drizzle decodes them (Date, arrays, jsonb). */
export function rowShape<T extends PgTable>(table: T): RowShape<T> {
  const columns = Object.entries(getTableColumns(table))
  const list = sql.join(columns.map(([, column]) => sql`${column}`), sql`, `)
  return {
    list,
    size: columns.length,
    json: sql`json_build_array(${list})`,
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

// SQL column defaults whose value is known without asking the database.
const knownSqlDefaults = new Map<string, () => unknown>([["'{}'::text[]", () => []]])

/**
 * The row an insert of `values` makes, as reading it back would give it (Drizzle's row
 * type), so a hot write need not return (and the driver decode) every column: a given
 * value as given, an absent one its column's default (a value, or a SQL default listed in
 * `knownSqlDefaults`), else null. A column whose default only the database knows (`now()`)
 * must be given. Proved against a read-back on both databases (test/db/inserted-row.test.ts).
 */
export function insertedRow<T extends PgTable>(table: T): (values: Partial<T['$inferInsert']>) => T['$inferSelect'] {
  const columns = Object.entries(getTableColumns(table)).map(([key, column]) => {
    let fallback: () => unknown = () => null
    if (is(column.default, SQL)) {
      const known = knownSqlDefaults.get(dialect.sqlToQuery(column.default).sql)
      fallback = known ?? (() => { throw new Error(`${key}: a value is required (its default ${dialect.sqlToQuery(column.default as SQL).sql} is the database's)`) })
    } else if (column.default !== undefined) {
      const value: unknown = column.default
      fallback = typeof value === 'object' && value !== null ? () => structuredClone(value) : () => value
    }
    return [key, fallback] as const
  })
  return (values) => {
    const row: Record<string, unknown> = {}
    const given = values as Record<string, unknown>
    for (const [key, fallback] of columns) row[key] = given[key] === undefined ? fallback() : given[key]
    return row as T['$inferSelect']
  }
}
