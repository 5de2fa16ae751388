import { sql, type SQL } from 'drizzle-orm'
import type { Executor } from '../../db/client.js'
import { sortedHistogram, type Histogram } from '../../rules/rfm-cuts.js'
import { rows } from '../../db/rows.js'

/**
 * The histograms of the scored values customer_scores holds (scoring_histogram), kept by
 * difference: a full pass writes them whole from its own scan, a nightly run adds what it
 * rewrote (old values out, new in) and takes out the rows removed with their customers
 * (scoring_removed). So a nightly run knows every cut bucket's count without reading a
 * million rows. Buckets are monotone in the value (src/rules/rfm-cuts.ts, positionsWithin):
 *   f  the frequency itself;
 *   m  floor(sqrt(monetary)), as the full pass buckets money;
 *   r  the UTC day of recency_from: an older day never holds a more recent payment, and a
 *      day's payments are at most two whole-day recencies apart as of any asOf.
 * A count that would go below zero is a fault in this bookkeeping: the check constraint
 * stops the run, and a rebuild (which rewrites the histograms) repairs it.
 */
export type Kept = { r: Histogram; f: Histogram; m: Histogram }

/** The UTC day (days since 1970-01-01) of a timestamp: the r histogram's bucket. */
export const dayOf = (column: SQL) => sql`floor(date_part('epoch', ${column}) / 86400)::bigint`
/** floor(sqrt(money)): the m histogram's bucket. sqrt is correctly rounded, so the floor never puts a larger value lower. */
export const moneyBucketOf = (column: SQL) => sql`floor(sqrt((${column})::float8))::bigint`

/**
 * The signed contributions (dimension, bucket, n) of the scored rows of `from` (aliased x),
 * whose values are x.frequency<suffix>, x.monetary<suffix> and x.recency_from<suffix>.
 */
export function contributions(from: SQL, suffix: '' | '_before' | '_now', sign: 1 | -1): SQL {
  const column = (name: string) => sql.raw(`x.${name}${suffix}`)
  return sql`select v.dimension, v.bucket, ${sql.raw(String(sign))}::int as n from ${from}
    cross join lateral (values ('f'::text, (${column('frequency')})::bigint), ('m', ${moneyBucketOf(column('monetary'))}), ('r', ${dayOf(column('recency_from'))})) v(dimension, bucket)
    where ${column('frequency')} is not null`
}

const removedRows = contributions(sql`scoring_removed x`, '', -1)

/** The kept histograms as they will be after the changes of `more` (signed contributions), and after the removals. */
export async function keptHistograms(ex: Executor, more: readonly SQL[]): Promise<Kept> {
  const found = await rows(ex, sql`
    select dimension, bucket, sum(n)::int as n from (
      select dimension, bucket, n from scoring_histogram
      union all ${removedRows}
      ${sql.join(more.map((m) => sql`union all ${m}`), sql` `)}
    ) h group by 1, 2 having sum(n) <> 0`)
  const of = (dimension: string): Histogram => sortedHistogram(found.filter((r) => r.dimension === dimension).map((r) => {
    const n = Number(r.n)
    if (n < 0) throw new Error(`scoring_histogram ${dimension}[${String(r.bucket)}] would fall to ${n}: rebuild the scores (recomputeRfm REBUILD)`)
    return [Number(r.bucket), n]
  }), 'higher')
  return { r: of('r'), f: of('f'), m: of('m') }
}

/** A full pass's histograms, from its own scan, replace whatever was kept. */
export async function replaceHistograms(ex: Executor, kept: Kept): Promise<void> {
  await ex.execute(sql`delete from scoring_histogram`)
  await ex.execute(sql`delete from scoring_removed`)
  const entries = (['r', 'f', 'm'] as const).flatMap((d) => kept[d].map(([bucket, n]) => [d, bucket, n] as const))
  if (entries.length === 0) return
  await ex.execute(sql`insert into scoring_histogram (dimension, bucket, n)
    select * from unnest(${`{${entries.map((e) => e[0]).join(',')}}`}::text[], ${`{${entries.map((e) => e[1]).join(',')}}`}::bigint[], ${`{${entries.map((e) => e[2]).join(',')}}`}::int[])`)
}

/** A nightly run's rewrites (scoring_changes: each row's values before and after) and the removals, applied to the kept histograms. */
export async function applyChanges(ex: Executor): Promise<void> {
  // Only rewrites that moved a value count; the others would add and take away the same.
  const moved = sql`(select * from scoring_changes where (frequency_before, monetary_before, recency_from_before) is distinct from (frequency, monetary, recency_from)) x`
  const before = contributions(moved, '_before', -1)
  const after = contributions(moved, '', 1)
  // Two steps, not an upsert: the check on a proposed row comes before the conflict, and a delta may be negative.
  await ex.execute(sql`
    with delta as (
      select dimension, bucket, sum(n)::int as n from (${before} union all ${after} union all ${removedRows}) d
      group by 1, 2 having sum(n) <> 0
    ),
    changed as (
      update scoring_histogram h set n = h.n + d.n from delta d where h.dimension = d.dimension and h.bucket = d.bucket
      returning h.dimension, h.bucket
    )
    insert into scoring_histogram (dimension, bucket, n)
    select d.dimension, d.bucket, d.n from delta d where not exists (select 1 from changed c where c.dimension = d.dimension and c.bucket = d.bucket)`)
  await ex.execute(sql`delete from scoring_histogram where n = 0`)
  await ex.execute(sql`delete from scoring_removed`)
}
