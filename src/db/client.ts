import { mkdirSync } from 'node:fs'
import { PGlite } from '@electric-sql/pglite'
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm'
import type { Logger } from 'drizzle-orm/logger'
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite'
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres'
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core'
import type { ExtractTablesWithRelations } from 'drizzle-orm'
import type pg from 'pg'
import { openPool } from './pool.js'
import { pgliteRawQuery, pgRawQuery, type RawQuery } from './raw.js'
import { routeRequests } from './request-tx.js'
import * as schema from './schema/index.js'

export type Schema = typeof schema
export type Db = PgDatabase<PgQueryResultHKT, Schema>
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>
/** Either the database or an open transaction: repositories accept both. */
export type Executor = Db | Tx

export type DatabaseOptions = {
  /** postgres://... to use a server; otherwise embedded PGlite. */
  url?: string
  /** PGlite data directory; 'memory://' keeps it in memory (tests). */
  dataDir?: string
  /** A PGlite data directory dump to start from (tests: an already-migrated template). */
  loadDataDir?: Blob
  poolSize?: number
  /** PostgreSQL: longest wait for a connection before a statement fails (0: no limit). */
  connectTimeoutMs?: number
  /** Called for every SQL statement: used by metrics and by tests that count queries. */
  onQuery?: (sql: string) => void
}

export type Database = {
  db: Db
  kind: 'pglite' | 'postgres'
  /** Hand-built SQL straight to the driver (hot read paths only). */
  raw: RawQuery
  /** Runs a raw statement, for health checks and migrations. */
  ping(): Promise<void>
  close(): Promise<void>
  pool?: pg.Pool
  pglite?: PGlite
}

/** Opens PostgreSQL when a URL is given, else embedded PGlite. */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const logger: Logger | undefined = options.onQuery
    ? { logQuery: (query) => options.onQuery!(query) }
    : undefined
  if (options.url) {
    const pool = openPool({ url: options.url, max: options.poolSize ?? 10, connectTimeoutMs: options.connectTimeoutMs })
    const db = drizzlePg({ client: pool, schema, casing: 'snake_case', logger }) as unknown as Db
    const route = routeRequests(db)
    return {
      db,
      kind: 'postgres',
      raw: pgRawQuery(pool, options.onQuery, route),
      pool,
      async ping() { await pool.query('select 1') },
      async close() { await pool.end() }
    }
  }
  const dataDir = options.dataDir ?? './data'
  if (!dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true })
  const client = await PGlite.create(dataDir, { extensions: { pg_trgm }, ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}) })
  const db = drizzlePglite({ client, schema, casing: 'snake_case', logger }) as unknown as Db
  const route = routeRequests(db)
  return {
    db,
    kind: 'pglite',
    raw: pgliteRawQuery(client, options.onQuery, route),
    pglite: client,
    async ping() { await client.query('select 1') },
    async close() { await client.close() }
  }
}
