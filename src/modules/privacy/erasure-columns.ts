import { sql } from 'drizzle-orm'
import type { Executor } from '../../db/client.js'
import { rows } from '../../db/rows.js'

/** A column that can hold text: where a copy of a person's value can sit. */
export type TextColumn = { table: string; column: string; kind: 'text' | 'jsonb' | 'array'; nullable: boolean }

/** Tables erasure leaves alone: the tombstones hold only keyed hashes. */
const SKIP = new Set(['privacy_tombstones'])

/**
 * Every text, jsonb and text[] column of every table in the public schema, from the catalogue:
 * a column added later (another personal field, another log) is covered without a change here.
 */
export async function textColumns(ex: Executor): Promise<TextColumn[]> {
  const list = await rows<{ table_name: string; column_name: string; data_type: string; udt_name: string; is_nullable: string }>(ex, sql`
    select c.table_name, c.column_name, c.data_type, c.udt_name, c.is_nullable
    from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name and t.table_type = 'BASE TABLE'
    where c.table_schema = 'public'
      and (c.data_type in ('text', 'character varying', 'jsonb', 'json') or (c.data_type = 'ARRAY' and c.udt_name in ('_text', '_varchar')))
    order by c.table_name, c.ordinal_position`)
  return list.filter((c) => !SKIP.has(c.table_name)).map((c) => ({
    table: c.table_name, column: c.column_name,
    kind: c.data_type === 'ARRAY' ? 'array' : c.data_type.startsWith('json') ? 'jsonb' : 'text',
    nullable: c.is_nullable === 'YES'
  }))
}

/** Sealed values, blind indexes and masks, by their names' endings (phone_enc, id_number_idx, …). */
export const isSealedColumn = (c: string) => /_(enc|idx|masked)$/.test(c)

export const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`

/** A JSON list of strings as a text[] parameter (one bound value, any length, on both drivers). */
export const textArray = (list: readonly string[]) => sql`array(select jsonb_array_elements_text(${JSON.stringify(list)}::jsonb))`
export const uuidArray = (list: readonly string[]) => sql`array(select jsonb_array_elements_text(${JSON.stringify(list)}::jsonb)::uuid)`
