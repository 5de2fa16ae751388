import { sql, type SQL } from 'drizzle-orm'
import type { Db, Executor } from '../../db/client.js'
import { rows } from '../../db/rows.js'
import type { PiiCipher } from '../../lib/pii.js'
import type { SealedTable } from './pii-keys.columns.js'

/**
 * Blind indexes kept outside their row, as `<prefix><index>` keys: re-keyed with the row
 * whose index they copy. Attribution claims ('phone:<idx>', 'email:<idx>') are the one case.
 */
const INDEX_COPIES: Record<string, readonly { column: string; table: string; keyColumn: string; prefix: string }[]> = {
  referrals: [
    { column: 'phone_idx', table: 'referral_claims', keyColumn: 'contact_key', prefix: 'phone:' },
    { column: 'email_idx', table: 'referral_claims', keyColumn: 'contact_key', prefix: 'email:' }
  ]
}

const id = (name: string) => sql.identifier(name)
/** A text[] literal (drizzle would spread a JS array into separate parameters). */
const textArray = (values: string[]) => `{${values.map((v) => `"${v.replace(/["\\]/g, '\\$&')}"`).join(',')}}`
const list = (names: string[]) => sql.join(names.map(id), sql`, `)

/** A condition true when any sealed column of the row is not under the current key. */
export function staleCondition(t: SealedTable, pii: PiiCipher): SQL {
  const prefix = `${pii.currentPrefix.replace(/[\\%_]/g, '\\$&')}%`
  return sql.join(t.columns.map((c) => sql`(${id(c.enc)} is not null and ${id(c.enc)} not like ${prefix})`), sql` or `)
}

export type BatchResult = { rows: number; values: number; failed: { key: unknown[]; column: string; error: unknown }[]; lastKey: unknown[] | null }

/**
 * One batch of one table, in its own transaction: the next `limit` rows after `after` (key
 * order) holding a value under an old key, locked (rows a writer holds are skipped and left
 * for the next pass), each old value opened and sealed again with the current key and its
 * blind index recomputed, in one update; index copies re-keyed alongside.
 */
export async function resealBatch(db: Db, pii: PiiCipher, t: SealedTable, after: unknown[] | null, limit: number): Promise<BatchResult> {
  return db.transaction(async (tx) => {
    const keyCols = t.key.map((k) => k.column)
    const keyTuple = sql`(${list(keyCols)})`
    const afterCond = after ? sql` and ${keyTuple} > (${sql.join(after.map((v, i) => sql`${v}::${sql.raw(t.key[i].type)}`), sql`, `)})` : sql``
    const found = await rows<Record<string, unknown>>(tx, sql`
      select ${sql.join(keyCols.map((k, i) => sql`${id(k)}::text as ${id(`k${i}`)}`), sql`, `)}, ${list(t.columns.map((c) => c.enc))}
        from ${id(t.table)} where (${staleCondition(t, pii)})${afterCond}
       order by ${list(keyCols)} limit ${limit} for update skip locked`)
    const result: BatchResult = { rows: 0, values: 0, failed: [], lastKey: null }
    if (found.length === 0) return result
    const updates: Record<string, string | null>[] = []
    const copies: { column: string; from: string; to: string }[] = []
    for (const row of found) {
      const key = keyCols.map((_, i) => row[`k${i}`])
      result.lastKey = key
      const update: Record<string, string | null> = Object.fromEntries(key.map((v, i) => [`k${i}`, v as string]))
      let changed = false
      for (const c of t.columns) {
        const sealed = row[c.enc] as string | null
        if (sealed === null || sealed.startsWith(pii.currentPrefix)) continue
        try {
          const plain = pii.open(sealed)
          update[c.enc] = pii.seal(plain)
          if (c.idx) {
            const idx = pii.index(plain)
            update[c.idx] = idx
            for (const old of pii.indexes(plain).slice(1)) copies.push({ column: c.idx, from: old, to: idx })
          }
          changed = true
          result.values++
        } catch (error) {
          result.failed.push({ key, column: c.enc, error })
        }
      }
      if (changed) updates.push(update)
    }
    if (updates.length === 0) return result
    result.rows = updates.length
    // One statement for the batch: the new values as a JSON record set joined on the key.
    const setCols = t.columns.flatMap((c) => c.idx ? [c.enc, c.idx] : [c.enc])
    const recordType = sql.join([...keyCols.map((_, i) => sql`${id(`k${i}`)} text`), ...setCols.map((c) => sql`${id(c)} text`)], sql`, `)
    await tx.execute(sql`
      update ${id(t.table)} as t set ${sql.join(setCols.map((c) => sql`${id(c)} = case when x.${id(c)} is null then t.${id(c)} else x.${id(c)} end`), sql`, `)}
        from json_to_recordset(${JSON.stringify(updates)}::json) as x(${recordType})
       where ${sql.join(keyCols.map((k, i) => sql`t.${id(k)} = x.${id(`k${i}`)}::${sql.raw(t.key[i].type)}`), sql` and `)}`)
    await rekeyCopies(tx, t.table, copies)
    return result
  })
}

/**
 * Moves each stored copy from a previous key's index to the current one. Where the current
 * key's copy already exists (taken since the rotation began, after the old one stopped
 * holding), the old copy is only deleted.
 */
async function rekeyCopies(tx: Executor, table: string, copies: { column: string; from: string; to: string }[]): Promise<void> {
  for (const target of INDEX_COPIES[table] ?? []) {
    const pairs = new Map<string, string>()
    for (const c of copies) if (c.column === target.column) pairs.set(target.prefix + c.from, target.prefix + c.to)
    if (pairs.size === 0) continue
    const from = [...pairs.keys()]
    const to = [...pairs.values()]
    const col = id(target.keyColumn)
    const pairsSql = sql`unnest(${textArray(from)}::text[], ${textArray(to)}::text[]) as m(f, t)`
    await tx.execute(sql`delete from ${id(target.table)} k using ${pairsSql}
      where k.${col} = m.f and exists (select 1 from ${id(target.table)} j where j.${col} = m.t)`)
    await tx.execute(sql`update ${id(target.table)} k set ${col} = m.t from ${pairsSql} where k.${col} = m.f`)
  }
}

/** How many sealed values of the table are under each key that is not the current one ('v1': written before values named their key). */
export async function staleCounts(ex: Executor, t: SealedTable, pii: PiiCipher): Promise<{ column: string; keyId: string; count: number }[]> {
  const parts = t.columns.map((c) => sql`
    select ${c.enc}::text as col, case when ${id(c.enc)} like 'v2.%' then split_part(${id(c.enc)}, '.', 2) else 'v1' end as key_id, count(*)::int as count
      from ${id(t.table)} where ${id(c.enc)} is not null and ${id(c.enc)} not like ${`${pii.currentPrefix.replace(/[\\%_]/g, '\\$&')}%`}
     group by 2`)
  const found = await rows<{ col: string; key_id: string; count: number }>(ex, sql.join(parts, sql` union all `))
  return found.map((r) => ({ column: r.col, keyId: r.key_id, count: r.count }))
}
