import { sql, type SQL } from 'drizzle-orm'
import type { Tx } from '../../db/client.js'
import { rows } from '../../db/rows.js'
import { lockAllContacts, type DuplicateEntity } from '../common/duplicates.js'
import { dropStaged } from './import-checks.js'
import type { RowError } from './import-types.js'

/**
 * The duplicate policy (docs/customers.md) for a staged chunk, as the single writes apply it:
 * a row that creates a record, or changes its phone or email, may not take a value a LIVE
 * record other than its own already has, nor one an earlier row of the chunk sets (earlier
 * chunks are committed by then, so they count as live records). Such rows are refused as
 * DUPLICATE, naming the record (when the importer may see it) or the earlier row.
 */

export type DuplicateSpec = {
  entity: DuplicateEntity
  table: 'customers' | 'referrers'
  staging: string
  /** `given` bits of phone and email. */
  phoneBit: number
  emailBit: number
  /** The importer's read reach over `table` (unaliased), for whether the match may be named. */
  scope: SQL | undefined
}

type Found = { row: number; field: 'phone' | 'email'; existingId: string | null; visible: boolean | null; earlierRow: number | null }

const live = { customers: 'customers.deleted_at is null and customers.merged_into_id is null', referrers: 'referrers.deleted_at is null' }

/** Every single write of the entity's contacts waits for this chunk: take it before any row lock. */
export const lockChunkContacts = (tx: Tx, spec: DuplicateSpec) => lockAllContacts(tx, spec.entity)

/** Finds the chunk's duplicate rows, drops them from the staging table, and answers their errors. */
export async function refuseDuplicates(tx: Tx, spec: DuplicateSpec): Promise<RowError[]> {
  const { table, staging } = spec
  const t = sql.raw(table)
  const s = sql.raw(staging)
  const visible = spec.scope ? sql`coalesce((${spec.scope}), false)` : sql`true`
  const match = (column: string) => sql`select ${t}.id, ${visible} as visible from ${t}
    where ${t}.${sql.raw(column)} = c.idx and c.field = ${column.slice(0, 5)} and ${sql.raw(live[table])} and ${t}.id is distinct from c.own_id`
  const found = await rows<Found>(tx, sql`
    with cand as (
      select s.row_no, e.id as own_id, v.field, v.idx
      from ${s} s
      left join lateral (select x.id, x.phone_idx, x.email_idx from ${t} x where x.external_id = s.external_id offset 0) e on true
      cross join lateral (values ('phone', s.phone_idx, e.phone_idx, s.given & ${sql.raw(String(spec.phoneBit))} <> 0),
                                 ('email', s.email_idx, e.email_idx, s.given & ${sql.raw(String(spec.emailBit))} <> 0)) v(field, idx, old, given)
      where v.idx is not null and v.given and v.idx is distinct from v.old
    ), firsts as (
      select 'phone' as field, phone_idx as idx, min(row_no) as first_row from ${s} where given & ${sql.raw(String(spec.phoneBit))} <> 0 and phone_idx is not null group by phone_idx
      union all
      select 'email', email_idx, min(row_no) from ${s} where given & ${sql.raw(String(spec.emailBit))} <> 0 and email_idx is not null group by email_idx
    )
    select distinct on (c.row_no) c.row_no as row, c.field, m.id as "existingId", m.visible, f.first_row as "earlierRow"
    from cand c
    left join lateral (${match('phone_idx')} union all ${match('email_idx')} order by 2 desc limit 1) m on true
    left join firsts f on f.field = c.field and f.idx = c.idx and f.first_row < c.row_no
    where m.id is not null or f.first_row is not null
    order by c.row_no, (m.id is null), c.field desc`)
  await dropStaged(tx, staging, found.map((f) => f.row))
  return found.map((f) => duplicateRow(spec.entity, f))
}

function duplicateRow(entity: DuplicateEntity, f: Found): RowError {
  const base = { row: f.row, field: f.field, code: 'DUPLICATE' }
  if (f.existingId && f.visible) return { ...base, message: `is already the ${f.field} of ${entity} ${f.existingId}`, existingId: f.existingId }
  if (f.existingId) return { ...base, message: `is already the ${f.field} of another ${entity}` }
  return { ...base, message: `is the same ${f.field} as row ${f.earlierRow} of this import`, duplicateOfRow: f.earlierRow! }
}
