import { sql, type SQL } from 'drizzle-orm'
import type { Executor } from '../../db/client.js'
import { rows } from '../../db/rows.js'
import { DUPLICATE_SCORES, NAME_SIMILARITY_MIN, type DuplicateReason } from '../../rules/dedupe.js'

export type DuplicateTable = 'customers' | 'referrers'
export type PairRow = { a: string; b: string; reasons: DuplicateReason[]; score: string }

/** The live rows of each table, for a row aliased `x` (merged-away customers are not live). */
const live: Record<DuplicateTable, (x: string) => string> = {
  customers: (x) => `${x}.deleted_at is null and ${x}.merged_into_id is null`,
  referrers: (x) => `${x}.deleted_at is null`
}

/** The expression customers_search_trgm_idx / referrers_search_trgm_idx index: written the same, so they serve the join. */
const nameCompany = (x: string) => `lower(${x}.name || ' ' || coalesce(${x}.company, ''))`

/**
 * Pairs (a < b) of live records that look like one person, each pair once with all its
 * reasons and the best score (src/rules/dedupe.ts), best first. `scopeA` / `scopeB` are the
 * caller's read reach over the aliases `a` and `b`: both records of a pair must be visible.
 * Exact phone and email pairs come from the blind-index indexes, similar names from the
 * trigram index; every page computes the pairs afresh (keyset on score, a, b).
 */
export async function duplicatePairs(ex: Executor, q: {
  table: DuplicateTable; scopeA?: SQL; scopeB?: SQL; reasons: readonly DuplicateReason[]
  after: { score: string; a: string; b: string } | null; limit: number | 'count'
}): Promise<PairRow[]> {
  const t = sql.raw(q.table)
  const both = sql.join([sql.raw(live[q.table]('a')), sql.raw(live[q.table]('b')), ...(q.scopeA ? [q.scopeA] : []), ...(q.scopeB ? [q.scopeB] : [])], sql` and `)
  const parts: SQL[] = []
  if (q.reasons.includes('PHONE')) {
    parts.push(sql`select a.id as a, b.id as b, 'PHONE' as reason, ${DUPLICATE_SCORES.PHONE}::numeric as score
      from ${t} a join ${t} b on b.phone_idx = a.phone_idx and a.id < b.id where ${both}`)
  }
  if (q.reasons.includes('EMAIL')) {
    parts.push(sql`select a.id as a, b.id as b, 'EMAIL' as reason, ${DUPLICATE_SCORES.EMAIL}::numeric as score
      from ${t} a join ${t} b on b.email_idx = a.email_idx and a.id < b.id where ${both}`)
  }
  if (q.reasons.includes('NAME_COMPANY')) {
    const na = sql.raw(nameCompany('a'))
    const nb = sql.raw(nameCompany('b'))
    parts.push(sql`select a.id as a, b.id as b, 'NAME_COMPANY' as reason, ${DUPLICATE_SCORES.NAME_COMPANY}::numeric * similarity(${na}, ${nb})::numeric as score
      from ${t} a join ${t} b on ${nb} % ${na} and a.id < b.id
      where similarity(${na}, ${nb}) >= ${NAME_SIMILARITY_MIN} and ${both}`)
  }
  if (parts.length === 0) return []
  const pairs = sql`select a, b, array_agg(distinct reason order by reason) as reasons, round(max(score), 3) as score
      from (${sql.join(parts, sql` union all `)}) p group by a, b`
  // The pairs' number (totalCount), as one row: { a: count }.
  if (q.limit === 'count') return rows<PairRow>(ex, sql`select count(*)::text as a from (${pairs}) g`)
  const after = q.after
    ? sql`where (score < ${q.after.score}::numeric or (score = ${q.after.score}::numeric and (a, b) > (${q.after.a}::uuid, ${q.after.b}::uuid)))`
    : sql``
  return rows<PairRow>(ex, sql`
    select a, b, reasons, score::text as score from (${pairs}) g ${after}
    order by score desc, a, b
    limit ${q.limit + 1}`)
}
