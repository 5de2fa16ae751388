import { sql, type SQL } from 'drizzle-orm'
import type { Executor } from '../../db/client.js'
import { DAY_MS } from '../../rules/rfm.js'
import type { ScoreCuts } from '../../rules/rfm-cuts.js'
import type { LifecycleConfig } from '../../rules/lifecycle.js'
import type { CutValues, RunCuts } from './scoring.cuts.js'
import { buyerFacts, type Interest } from './scoring.facts.js'
import { ts } from '../../db/rows.js'
import { COUNTED } from './scoring.sql.js'

/**
 * Which rows a nightly run rescores (scoring_candidates), so it reads thousands of rows
 * instead of every customer's. A row's outputs (scores, segment, tier, stage, stored values)
 * are functions of its aggregates, the interest facts, the run's cuts and the time; a row is
 * a candidate when one of them can have moved since the last run:
 *   - its aggregates: marked by every order write (scoring_dirty), the window's edge passed
 *     over its orders (scoring_edge), or it has orders paid after the last run's asOf;
 *   - its interest: open pipeline or recent activity now, or placed by interest last time;
 *   - its satisfaction: an answer in [last run − detractorDays, now], the only answers that
 *     decide whether it was or is a recent detractor (a new answer, even a happier one given at
 *     the last run's very time, or the window passing over a detractor's answer);
 *   - a cut or the clock: its stored recency, frequency or money lies between a cut's old
 *     and new position, or its last payment crossed a lifecycle threshold (at risk, churned)
 *     between the two runs' asOf. Each is an index range.
 * A row outside them all would be given exactly what it holds (the property tests hold the
 * nightly run to a full pass on random histories and changes).
 */

/** Marks seen (scoring_seen), the rows whose aggregates may have changed (scoring_candidates), and of those the ones whose stored values change (scoring_fresh). */
export async function findChanged(ex: Executor, asOf: Date, lastAsOf: Date, edgeMoves: boolean): Promise<void> {
  await ex.execute(sql`create temporary table scoring_seen on commit drop as select customer_id, marks from scoring_dirty`)
  await ex.execute(sql`create temporary table scoring_candidates (customer_id uuid primary key) on commit drop`)
  await add(ex, sql`select customer_id from scoring_seen`)
  if (edgeMoves) await add(ex, sql`select customer_id from scoring_edge`)
  // Paid after the last run's asOf: counted since, or still ahead of this run.
  await add(ex, sql`select distinct o.customer_id from orders o where o.paid_at > ${ts(lastAsOf)} and ${COUNTED}`)
  await ex.execute(sql`analyze scoring_candidates`)
  await ex.execute(sql`create temporary table scoring_fresh on commit drop as
    select customer_id, frequency_before, monetary_before, recency_from_before, frequency_now, monetary_now, recency_from_now
    from ${buyerFacts(asOf, { edgeMoves, candidatesOnly: true })} x
    where (frequency_before, monetary_before, recency_from_before) is distinct from (frequency_now, monetary_now, recency_from_now)`)
  await ex.execute(sql`create index on scoring_fresh (customer_id)`)
  await ex.execute(sql`analyze scoring_fresh`)
}

export type Bands = { lastAsOf: Date; asOf: Date; was: CutValues; now: RunCuts; lifecycle: LifecycleConfig; interest: Interest }

/** The rest of the candidates, once the run's cuts are known: interest, and the bands between old and new cuts and thresholds. */
export async function addBands(ex: Executor, b: Bands): Promise<void> {
  const widen = (x: number, y: number) => sql`s.recency_from between ${ts(new Date(Math.min(x, y) - 1))} and ${ts(new Date(Math.max(x, y) + 1))}`
  const ranges: SQL[] = []
  // Scored at least k in recency ⇔ days < cut ⇔ recency_from > asOf − cut days.
  b.now.r.forEach((cut, k) => ranges.push(widen(b.lastAsOf.getTime() - b.was.r[k] * DAY_MS, b.asOf.getTime() - cut * DAY_MS)))
  // At risk (churned) ⇔ days ≥ threshold ⇔ recency_from ≤ asOf − threshold days.
  for (const days of [b.lifecycle.atRiskDays, b.lifecycle.churnedDays]) ranges.push(widen(b.lastAsOf.getTime() - days * DAY_MS, b.asOf.getTime() - days * DAY_MS))
  // A value beats the cut ⇔ value > cut: it flips only between the old and the new cut.
  const between = (column: SQL, was: ScoreCuts, now: ScoreCuts) => now.forEach((cut, k) => {
    if (cut !== was[k]) ranges.push(sql`(${column} > ${sql.raw(String(Math.min(cut, was[k])))} and ${column} <= ${sql.raw(String(Math.max(cut, was[k])))})`)
  })
  between(sql`s.frequency`, b.was.f, b.now.f)
  between(sql`s.monetary`, b.was.m, b.now.m)
  await add(ex, sql`select s.customer_id from customer_scores s where ${sql.join(ranges, sql` or `)}
    union select customer_id from customer_scores where placed_tier = 'B' or (placed_tier is null and placed_stage = 'nurturing')
    union select customer_id from (${b.interest.pipeline}) p
    union select customer_id from (${b.interest.activity}) a
    union select customer_id from (${answeredSince(b.lastAsOf, b.asOf, b.lifecycle.detractorDays)}) sa`)
  await ex.execute(sql`analyze scoring_candidates`)
}

/**
 * The customers with an answer in [lastAsOf − days, asOf]: whether one was a recent detractor at
 * the last run or is one now depends on those answers only (an older answer is in neither window,
 * and cannot be anyone's latest inside one). Read through survey_responses_answered_at_idx.
 */
function answeredSince(lastAsOf: Date, asOf: Date, days: number): SQL {
  if (days <= 0) return sql`select null::uuid as customer_id where false`
  return sql`select distinct r.customer_id from survey_responses r
    where r.answered_at >= ${ts(new Date(lastAsOf.getTime() - days * DAY_MS))} and r.answered_at <= ${ts(asOf)}`
}

/** Whether the last run's cuts and this run's can be compared band by band: both have a scored population. */
export const comparable = (was: CutValues, now: CutValues) =>
  (['r', 'f', 'm'] as const).every((d) => was[d].length === 4 && now[d].length === 4)

/** The marks this run read and answered leave; one a write bumped since stays for the next run. */
export async function clearSeen(ex: Executor): Promise<void> {
  await ex.execute(sql`delete from scoring_dirty d using scoring_seen s where d.customer_id = s.customer_id and d.marks = s.marks`)
}

/** Adds a query's customer ids. A null id (a source whose key is optional) names no customer_scores row: it is skipped, never a failed run. */
const add = (ex: Executor, ids: SQL) =>
  ex.execute(sql`insert into scoring_candidates (customer_id) select customer_id from (${ids}) k where customer_id is not null on conflict do nothing`)
