import type { Database } from '../db/client.js'

/**
 * Loading into an empty table is an order of magnitude faster without its secondary indexes
 * (random inserts into a dozen B-trees outgrow shared_buffers; docs/operations.md): they
 * are dropped for the load and built once after it, each in one sorted pass. Only tables
 * that are empty when the seed starts, so a seed into a database in use never loses an
 * index that its readers rely on. Primary keys and constraint-backed indexes stay.
 */

export type DroppedIndexes = { tables: string[]; definitions: string[] }

/** Drops the secondary indexes of those of `tables` that hold no rows; returns what to rebuild. */
export async function dropIndexesOfEmpty(database: Database, tables: readonly string[]): Promise<DroppedIndexes> {
  const empty: string[] = []
  for (const table of tables) {
    const [row] = await database.raw(`select not exists (select 1 from ${table}) as empty`, [])
    if (row.empty) empty.push(table)
  }
  if (empty.length === 0) return { tables: [], definitions: [] }
  const found = await database.raw(`
    select i.indexname, i.indexdef from pg_indexes i
    where i.schemaname = current_schema() and i.tablename = any($1::text[])
      and not exists (select 1 from pg_constraint c where c.conindid = (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass)
    order by i.tablename, i.indexname`, [`{${empty.join(',')}}`])
  for (const index of found) await database.raw(`drop index ${quoteIdent(String(index.indexname))}`, [])
  return { tables: empty, definitions: found.map((i) => String(i.indexdef)) }
}

/** Builds the dropped indexes again (with room to sort in memory on PostgreSQL). */
export async function rebuildIndexes(database: Database, dropped: DroppedIndexes): Promise<void> {
  if (dropped.definitions.length === 0) return
  if (database.kind === 'postgres') {
    const client = await database.pool!.connect()
    try {
      await client.query(`set maintenance_work_mem = '256MB'`)
      for (const definition of dropped.definitions) await client.query(definition)
    } finally {
      client.release()
    }
    return
  }
  for (const definition of dropped.definitions) await database.raw(definition, [])
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`
