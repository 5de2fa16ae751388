import { sql } from 'drizzle-orm'
import type { Executor } from '../../db/client.js'
import { rows } from '../../db/rows.js'

/**
 * Where sealed values live, found in the database itself rather than listed by hand, so a
 * new sealed column is re-sealed without touching the job: every text column named
 * `<field>_enc` (with its blind index `<field>_idx` beside it when the table has one), plus
 * the few sealed columns that predate the naming (EXTRA_SEALED).
 */
export type SealedTable = {
  table: string
  /** The primary key's columns and their types, for keyset batches and the update's join. */
  key: { column: string; type: string }[]
  columns: { enc: string; idx: string | null }[]
}

/** Sealed with the PII cipher but not named `*_enc`. */
const EXTRA_SEALED: readonly { table: string; column: string }[] = [
  // Stored answers to Idempotency-Key requests (they can hold clear personal data).
  { table: 'idempotency_keys', column: 'response_body' }
]

type ColumnRow = { table_name: string; column_name: string }
type KeyRow = { table_name: string; column_name: string; udt_name: string; position: number }

export async function sealedTables(ex: Executor): Promise<SealedTable[]> {
  const extra = EXTRA_SEALED.map((e) => `${e.table}.${e.column}`)
  const columns = await rows<ColumnRow>(ex, sql`
    select table_name::text, column_name::text from information_schema.columns
     where table_schema = current_schema() and data_type = 'text'
       and (column_name like '%\\_enc' or table_name || '.' || column_name = any(${`{${extra.join(',')}}`}::text[]))
     order by table_name, column_name`)
  const all = await rows<ColumnRow>(ex, sql`
    select table_name::text, column_name::text from information_schema.columns
     where table_schema = current_schema() and column_name like '%\\_idx'`)
  const keys = await rows<KeyRow>(ex, sql`
    select k.table_name::text, k.column_name::text, c.udt_name::text, k.ordinal_position::int as position
      from information_schema.table_constraints t
      join information_schema.key_column_usage k on k.constraint_name = t.constraint_name and k.table_schema = t.table_schema and k.table_name = t.table_name
      join information_schema.columns c on c.table_schema = k.table_schema and c.table_name = k.table_name and c.column_name = k.column_name
     where t.table_schema = current_schema() and t.constraint_type = 'PRIMARY KEY'
     order by k.table_name, k.ordinal_position`)
  const indexes = new Set(all.map((r) => `${r.table_name}.${r.column_name}`))
  const byTable = new Map<string, SealedTable>()
  for (const c of columns) {
    const key = keys.filter((k) => k.table_name === c.table_name).map((k) => ({ column: k.column_name, type: k.udt_name }))
    if (key.length === 0) continue
    const entry = byTable.get(c.table_name) ?? { table: c.table_name, key, columns: [] }
    const idx = c.column_name.endsWith('_enc') ? `${c.column_name.slice(0, -4)}_idx` : null
    entry.columns.push({ enc: c.column_name, idx: idx && indexes.has(`${c.table_name}.${idx}`) ? idx : null })
    byTable.set(c.table_name, entry)
  }
  return [...byTable.values()]
}
