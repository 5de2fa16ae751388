import { sql, type SQL } from 'drizzle-orm'
import type { Executor } from '../../db/client.js'
import { rows } from '../../db/rows.js'
import { isSealedColumn, quoteIdent, textArray, uuidArray, type TextColumn } from './erasure-columns.js'

/** The tables whose rows ARE a person (their contact fields, their name). */
export const subjectTables = ['customers', 'referrers', 'referrals', 'leads'] as const
export type SubjectTable = (typeof subjectTables)[number]
export type SubjectRecords = Record<SubjectTable, string[]>
export type SubjectRow = Record<string, unknown> & { id: string }

export const noRecords = (): SubjectRecords => ({ customers: [], referrers: [], referrals: [], leads: [] })
export const recordCount = (r: SubjectRecords) => subjectTables.reduce((n, t) => n + r[t].length, 0)

/**
 * The links that make two records the same person: a customer's own referral and lead, the
 * referrer record of a customer, a customer merged into another. A referral MADE by a
 * referrer is about someone else and is not followed.
 */
function links(table: SubjectTable, ids: SubjectRecords): SQL[] {
  const c = uuidArray(ids.customers), r = uuidArray(ids.referrers), f = uuidArray(ids.referrals), l = uuidArray(ids.leads)
  switch (table) {
    case 'customers': return [
      sql`referred_by_referral_id = any(${f})`, sql`merged_into_id = any(${c})`,
      sql`id in (select merged_into_id from customers where id = any(${c}))`,
      sql`id in (select customer_id from referrers where id = any(${r}))`,
      sql`id in (select customer_id from referrals where id = any(${f}))`,
      sql`id in (select customer_id from leads where id = any(${l}))`
    ]
    case 'referrers': return [sql`customer_id = any(${c})`]
    case 'referrals': return [sql`customer_id = any(${c})`, sql`lead_id = any(${l})`, sql`id in (select referral_id from leads where id = any(${l}))`]
    case 'leads': return [sql`customer_id = any(${c})`, sql`referral_id = any(${f})`]
  }
}

/**
 * Every record of the person, from where the request starts (a blind index, a record id):
 * the records holding the same blind indexes, and the records linked to those, until no more
 * are found. Locks them (FOR UPDATE) for the erasure's transaction.
 */
export async function findSubject(ex: Executor, columns: TextColumn[], start: { indexes: string[]; ids: SubjectRecords }, expand = true): Promise<{ ids: SubjectRecords; rows: Record<SubjectTable, SubjectRow[]> }> {
  const ids = structuredClone(start.ids)
  const indexes = new Set(start.indexes)
  const idxColumns = (table: string) => columns.filter((c) => c.table === table && c.column.endsWith('_idx')).map((c) => c.column)
  for (let round = 0; expand && round < 8; round++) {
    let grew = false
    for (const table of subjectTables) {
      const byIndex = idxColumns(table).map((col) => sql`${sql.raw(quoteIdent(col))} = any(${textArray([...indexes])})`)
      const where = sql.join([sql`id = any(${uuidArray(ids[table])})`, ...byIndex, ...links(table, ids)], sql` or `)
      const found = await rows<Record<string, string | null>>(ex, sql`select id::text as id, ${sql.raw(idxColumns(table).map(quoteIdent).join(', ') || 'null as none')} from ${sql.raw(table)} where ${where}`)
      for (const row of found) {
        if (!ids[table].includes(row.id!)) { ids[table].push(row.id!); grew = true }
        for (const col of idxColumns(table)) {
          const v = row[col]
          if (v && !indexes.has(v)) { indexes.add(v); grew = true }
        }
      }
    }
    if (!grew) break
  }
  const out = {} as Record<SubjectTable, SubjectRow[]>
  for (const table of subjectTables) {
    out[table] = ids[table].length === 0 ? [] : await rows<SubjectRow>(ex, sql`select *, id::text as id from ${sql.raw(table)} where id = any(${uuidArray(ids[table])}) order by 1 for update`)
    // A starting id that names no record is no record of the person.
    ids[table] = out[table].map((r) => r.id)
  }
  return { ids, rows: out }
}

/** The sealed, indexed and masked values of the person's rows (columns found by name). */
export function sealedValues(rowsByTable: Record<SubjectTable, SubjectRow[]>): { enc: string[]; idx: string[]; masked: string[] } {
  const enc = new Set<string>(), idx = new Set<string>(), masked = new Set<string>()
  for (const table of subjectTables) {
    for (const row of rowsByTable[table]) {
      for (const [col, v] of Object.entries(row)) {
        if (typeof v !== 'string' || v === '' || !isSealedColumn(col)) continue
        ;(col.endsWith('_enc') ? enc : col.endsWith('_idx') ? idx : masked).add(v)
      }
    }
  }
  return { enc: [...enc], idx: [...idx], masked: [...masked] }
}

/** Of these blind indexes, those another record (not being erased) still holds: its own data, not to be swept. */
export async function heldElsewhere(ex: Executor, columns: TextColumn[], indexes: string[], ids: SubjectRecords): Promise<Set<string>> {
  const held = new Set<string>()
  if (indexes.length === 0) return held
  for (const table of subjectTables) {
    for (const col of columns.filter((c) => c.table === table && c.column.endsWith('_idx')).map((c) => c.column)) {
      const found = await rows<{ v: string }>(ex, sql`select distinct ${sql.raw(quoteIdent(col))} as v from ${sql.raw(table)}
        where ${sql.raw(quoteIdent(col))} = any(${textArray(indexes)}) and not (id = any(${uuidArray(ids[table])}))`)
      for (const f of found) held.add(f.v)
    }
  }
  return held
}

/**
 * Rows that are about the person without naming their record: the outbox events that carry
 * one of their ids, those events' webhook deliveries (whose attempts keep a response excerpt,
 * cut short, that may hold a name but no id), and messages sent to them.
 */
export async function relatedIds(ex: Executor, ids: SubjectRecords): Promise<string[]> {
  const all = subjectTables.flatMap((t) => ids[t])
  if (all.length === 0) return []
  const found = await rows<{ id: string }>(ex, sql`
    with events as (
      select id from outbox_events where entity_id = any(${uuidArray(all)})
        or data::text like any(array(select '%' || x || '%' from jsonb_array_elements_text(${JSON.stringify(all)}::jsonb) x))
    )
    select id::text as id from events
    union all select id::text from webhook_deliveries where event_id in (select id from events)
    union all select id::text from messages where customer_id = any(${uuidArray(ids.customers)})`)
  return found.map((f) => f.id)
}
