import type { PGlite } from '@electric-sql/pglite'
import pg from 'pg'

export type RawRow = Record<string, unknown>

/**
 * A statement straight to the driver, rows as the driver parses them (no ORM mapping):
 * for the few hot read paths that build their own SQL (src/db/graph-read.ts). `name`
 * makes it a named prepared statement on PostgreSQL (planned once per connection).
 */
export type RawQuery = (text: string, values: unknown[], name?: string) => Promise<RawRow[]>

// Types parsed as Drizzle maps them, so raw rows and ORM rows agree: `date` stays a
// 'YYYY-MM-DD' string, `bigint` (mode number) is a number; timestamptz is a Date in both.
const DATE = 1082
const INT8 = 20
const identity = (value: string) => value

// PostgreSQL keeps every named statement per connection: cap how many names are issued.
const MAX_NAMED = 256

/** `route` names the open request transaction's driver handle, if any (src/db/request-tx.ts). */
export function pgRawQuery(pool: pg.Pool, onQuery?: (sql: string) => void, route: () => unknown = () => null): RawQuery {
  const names = new Set<string>()
  const types = {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
      if (oid === DATE) return identity
      if (oid === INT8) return Number
      return pg.types.getTypeParser(oid, format)
    }) as pg.CustomTypesConfig['getTypeParser']
  }
  return async (text, values, name) => {
    onQuery?.(text)
    const named = name !== undefined && (names.has(name) || (names.size < MAX_NAMED && names.add(name) !== undefined))
    const client = (route() as pg.PoolClient | null) ?? pool
    const result = await client.query({ text, values, types, ...(named ? { name } : {}) })
    return result.rows as RawRow[]
  }
}

export function pgliteRawQuery(client: PGlite, onQuery?: (sql: string) => void, route: () => unknown = () => null): RawQuery {
  const parsers = { [DATE]: identity, [INT8]: Number }
  return async (text, values) => {
    onQuery?.(text)
    const target = (route() as Pick<PGlite, 'query'> | null) ?? client
    return (await target.query<RawRow>(text, values, { parsers })).rows
  }
}
