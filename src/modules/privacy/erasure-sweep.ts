import { sql } from 'drizzle-orm'
import type { Executor } from '../../db/client.js'
import { rows } from '../../db/rows.js'
import { quoteIdent, textArray, type TextColumn } from './erasure-columns.js'
import { containsPattern, needlesFor, scrubJson, scrubText, type Needles } from './erasure-scrub.js'

/** How many rows of which tables had a copy of the person's values. */
export type SweepCounts = Record<string, number>

/**
 * Removes every copy of the person's values from every text column of every table: the
 * audit trail's changes, outbox events (webhook payloads), stored idempotent answers, webhook
 * and message attempts, merge snapshots, free text. The rows stay; only the values go.
 * A row is found by its whole text (`t::text`), so no column is missed; erasure is rare, and
 * a scan per table is its price (docs/privacy.md).
 */
export async function sweep(ex: Executor, columns: TextColumn[], needles: Needles, recordIds: string[]): Promise<SweepCounts> {
  const counts: SweepCounts = {}
  const always = needles.always.filter((v) => v.length > 0)
  const contextual = needles.contextual.filter((v) => v.length > 0)
  if (always.length === 0 && contextual.length === 0) return counts
  const alwaysLike = textArray(always.map(containsPattern))
  const idLike = textArray(recordIds.map(containsPattern))
  const contextLike = textArray(contextual.map(containsPattern))
  const withId = needlesFor(needles, true), withoutId = needlesFor(needles, false)
  const tables = [...new Set(columns.map((c) => c.table))]
  for (const table of tables) {
    const cols = columns.filter((c) => c.table === table)
    const found = await rows<Record<string, unknown>>(ex, sql`
      select ctid::text as "__ctid", (t::text like any(${idLike})) as "__has_id", ${sql.raw(cols.map((c) => `t.${quoteIdent(c.column)}`).join(', '))}
      from ${sql.raw(quoteIdent(table))} t
      where t::text like any(${alwaysLike}) or (t::text like any(${idLike}) and t::text like any(${contextLike}))`)
    for (const row of found) {
      const list = row.__has_id === true ? withId : withoutId
      const sets = []
      for (const c of cols) {
        const before = row[c.column]
        if (before === null || before === undefined) continue
        const after = c.kind === 'text' ? scrubText(String(before), list) : scrubJson(typeof before === 'string' && c.kind === 'jsonb' ? JSON.parse(before) : before, list)
        if (JSON.stringify(after) === JSON.stringify(before)) continue
        const ident = sql.raw(quoteIdent(c.column))
        sets.push(c.kind === 'text' ? sql`${ident} = ${after as string}`
          : c.kind === 'jsonb' ? sql`${ident} = ${JSON.stringify(after)}::jsonb`
          : sql`${ident} = ${textArray(after as string[])}`)
      }
      if (sets.length === 0) continue
      await ex.execute(sql`update ${sql.raw(quoteIdent(table))} set ${sql.join(sets, sql`, `)} where ctid = ${row.__ctid as string}::tid`)
      counts[table] = (counts[table] ?? 0) + 1
    }
  }
  return counts
}
