import { sql, type SQL } from 'drizzle-orm'
import type { Executor } from '../../db/client.js'
import { DAY_MS } from '../../rules/rfm.js'
import { rows, ts } from '../../db/rows.js'
import { allScoreTriples, segmentOf, type SegmentRow } from '../../rules/segments.js'
import type { ScoringConfig } from './scoring.config.js'

/**
 * The set-based half of recomputeRfm: the rules of src/rules/ (rfm.ts, segments.ts,
 * customer-tier.ts, lifecycle.ts, referrer-tier.ts) written once more as SQL, so a million
 * customers are scored in a few statements. test/modules/scoring holds this SQL to the pure
 * functions on generated data; change both together.
 */

export const COUNTED = sql`o.status = 'paid' and o.refunded_amount < o.amount`
/** Whole days from `from` to `asOf`, rounded down (rfm.ts recencyDays). */
// date_part is double precision: much cheaper than extract's numeric over a million rows, and exact to the millisecond.
export const daysSince = (from: SQL, asOf: Date) => sql`floor(date_part('epoch', ${ts(asOf)} - ${from}) / 86400)`

/**
 * The segment of (r, f, m) as one array lookup: segments.ts's first-match table evaluated in
 * advance for all 125 score triples (a parameter), read at (r−1)·25 + (f−1)·5 + m. Cheaper
 * per customer than a CASE of up to eleven rows of range tests, and the rule itself decides.
 */
export function segmentLookup(table: readonly SegmentRow[]): SQL {
  const names = allScoreTriples().map((scores) => segmentOf(scores, table)?.segment)
  const literal = `{${names.map((n) => (n === undefined ? 'NULL' : `"${n.replace(/["\\]/g, '\\$&')}"`)).join(',')}}`
  return sql`(${literal}::text[])[(r - 1) * 25 + (f - 1) * 5 + m]`
}

/**
 * Referrer tiers from converted referrals in the trailing window (referrer-tier.ts). Only a
 * referrer whose tier is one of the configured ladder's is moved: a tier given by hand
 * outside the ladder (say 'vip') is left as it is. Each move is a referrer.updated event.
 */
export async function placeReferrers(ex: Executor, asOf: Date, config: ScoringConfig): Promise<number> {
  const ladder = [...config.referrerTiers.tiers].sort((a, b) => b.minConversions - a.minConversions)
  const from = config.referrerTiers.windowDays === null ? sql`'-infinity'::timestamptz` : ts(new Date(asOf.getTime() - config.referrerTiers.windowDays * DAY_MS))
  const arms = ladder.map((lv) => sql`when coalesce(cv.n, 0) >= ${lv.minConversions} then ${lv.tier}::text`)
  const names = ladder.map((lv) => sql`${lv.tier}::text`)
  const result = await rows(ex, sql`
    with conversions as (
      select referrer_id, count(*)::int as n from referrals
      where status = 'converted' and converted_at >= ${from} and converted_at <= ${ts(asOf)} group by referrer_id
    ),
    placed as (
      select r.id, case ${sql.join(arms, sql` `)} end as tier from referrers r left join conversions cv on cv.referrer_id = r.id
      where r.deleted_at is null and r.tier in (${sql.join(names, sql`, `)})
    ),
    moved as (
      update referrers r set tier = p.tier, version = r.version + 1, updated_at = now()
      from placed p join referrers b on b.id = p.id
      where r.id = p.id and r.tier <> p.tier
      returning r.id, r.version, b.tier as tier_before, p.tier
    )
    insert into outbox_events (id, type, entity_type, entity_id, data)
    select crm_uuidv7(), 'referrer.updated', 'referrer', m.id, jsonb_build_object('id', m.id, 'version', m.version,
      'changes', jsonb_build_object('tier', jsonb_build_object('from', m.tier_before, 'to', m.tier)), 'source', 'scoring')
    from moved m
    returning 1`)
  return result.length
}

export type Distribution = { segments: Record<string, number>; tiers: Record<string, number>; stages: Record<string, number> }

/**
 * Counts per segment, tier and lifecycle stage for the run's summary and event, from what
 * scoring placed (one grouped scan of the narrow customer_scores, after the run's writes);
 * every other live customer is one scoring has never placed: an untiered prospect to it.
 * The live total is a count over the customers' key, which after a vacuum needs no row read.
 */
export async function distribution(ex: Executor, scored: number): Promise<Distribution & { unscored: number }> {
  const placed = await rows(ex, sql`select segment, placed_tier, placed_stage, count(*)::int as n from customer_scores group by 1, 2, 3`)
  const [live] = await rows(ex, sql`select (select count(*) from customers)::int
    - (select count(*) from customers where deleted_at is not null or merged_into_id is not null)::int as n`)
  const out: Distribution = { segments: {}, tiers: {}, stages: {} }
  const add = (into: Record<string, number>, key: string, n: number) => { into[key] = (into[key] ?? 0) + n }
  let counted = 0
  for (const r of placed) {
    if (r.segment !== null) add(out.segments, String(r.segment), Number(r.n))
    add(out.tiers, r.placed_tier === null ? 'untiered' : String(r.placed_tier), Number(r.n))
    add(out.stages, r.placed_stage === null ? 'prospect' : String(r.placed_stage), Number(r.n))
    counted += Number(r.n)
  }
  const rest = Number(live.n) - counted
  if (rest > 0) { add(out.tiers, 'untiered', rest); add(out.stages, 'prospect', rest) }
  return { ...out, unscored: Number(live.n) - scored }
}
