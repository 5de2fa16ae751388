import type { TestApp } from '../../helper.js'

export const ERASE = 'mutation($i: ErasePersonalDataInput!) { erasePersonalData(input: $i) { erasure { id customerIds referrerIds referralIds leadIds recordsErased copiesErased } userErrors { field code message } } }'

let n = 0
/** A fresh mainland mobile per call (per process). */
export function newPhone(): string {
  n += 1
  return `135${String(process.pid % 10_000).padStart(4, '0')}${String(n).padStart(4, '0')}`
}

/** Every text, jsonb and text[] column of every table in the public schema, from the catalogue. */
export async function textColumns(ctx: TestApp): Promise<{ table_name: string; column_name: string }[]> {
  return ctx.sql(`select c.table_name, c.column_name from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name and t.table_type = 'BASE TABLE'
    where c.table_schema = 'public' and (c.data_type in ('text', 'character varying', 'jsonb', 'json') or (c.data_type = 'ARRAY' and c.udt_name in ('_text', '_varchar')))`)
}

/** Where any of `values` still occurs in the raw database: "table.column: value" for each hit. */
export async function scan(ctx: TestApp, values: string[]): Promise<string[]> {
  const hits: string[] = []
  const cols = await textColumns(ctx)
  for (const c of cols) {
    const found = await ctx.sql<{ v: string }>(`select v from unnest($1::text[]) v
      where exists (select 1 from "${c.table_name}" t where strpos(t."${c.column_name}"::text, v) > 0)`, [values])
    for (const f of found) hits.push(`${c.table_name}.${c.column_name}: ${f.v}`)
  }
  return hits
}
