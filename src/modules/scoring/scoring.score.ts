import { sql, type SQL } from 'drizzle-orm'
import type { Executor } from '../../db/client.js'
import type { ScoringConfig } from './scoring.config.js'
import { addBands, clearSeen, comparable, findChanged } from './scoring.candidates.js'
import { findCuts, nightlyCuts, scoreSql, type CutValues, type RunCuts } from './scoring.cuts.js'
import { buyerFacts, interest, placement, type Interest } from './scoring.facts.js'
import { applyChanges, replaceHistograms, type Kept } from './scoring.histograms.js'
import { rows, ts } from '../../db/rows.js'
import { segmentLookup } from './scoring.sql.js'

/**
 * The scoring statements of a run. They read the narrow customer_scores rows, never every
 * order nor every (wide) customer row, and write only what changed. customer_scores holds
 * every live customer scoring places: the buyers, and those who never bought but showed
 * interest (open lead or opportunity, recent activity), added with zero aggregates when they
 * first do. For each: R, F and M from the run's cut values (scoring.cuts.ts), segment, and
 * tier and stage compared with what scoring last placed (`placed_*`), the customer row
 * touched only when they change. Each customer whose segment, tier or stage changed gets one
 * customer.updated. A full pass reads every row; a nightly one only its candidates.
 */
export type ScoreCounts = { scored: number; rfmChanged: number; tierOrStageChanged: number; events: number; moneyCutBuckets: number[]; cuts: { r: number[]; f: number[]; m: number[] } }

/**
 * How a run finds its cuts and rows: a full pass reads every row (and writes the histograms
 * whole); a nightly one starts from the last run (its asOf and cuts) and reads the rows that
 * can have changed (scoring.candidates.ts).
 */
export type Pass = { kind: 'full'; likelyBuckets: readonly number[] } | { kind: 'nightly'; lastAsOf: Date; lastCuts: CutValues }

export async function scoreAll(ex: Executor, asOf: Date, config: ScoringConfig, edgeMoves: boolean, pass: Pass): Promise<ScoreCounts> {
  const i = interest(asOf, config)
  await ex.execute(addInterestedQuery(i))
  let cuts: RunCuts
  let kept: Kept | null = null
  let candidatesOnly = false
  if (pass.kind === 'full') {
    const found = await findCuts(ex, asOf, edgeMoves, pass.likelyBuckets)
    cuts = found
    kept = found.kept
  } else {
    await findChanged(ex, asOf, pass.lastAsOf, edgeMoves)
    cuts = await nightlyCuts(ex, asOf)
    // With no scored population on one side there is nothing to compare bands with: everyone is read.
    candidatesOnly = comparable(pass.lastCuts, cuts)
    if (candidatesOnly) await addBands(ex, { lastAsOf: pass.lastAsOf, asOf, was: pass.lastCuts, now: cuts, lifecycle: config.lifecycle, interest: i })
  }
  // What changed, kept aside in a temporary table; the writes below then find their rows by key.
  await ex.execute(decideQuery(asOf, config, i, cuts, edgeMoves, candidatesOnly))
  const [decided] = await rows(ex, sql`select count(*)::int as changed from scoring_changes`)
  await ex.execute(sql`analyze scoring_changes`)
  await ex.execute(sql`update customer_scores s set frequency = n.frequency, monetary = n.monetary, recency_from = n.recency_from,
    r = n.r, f = n.f, m = n.m, segment = n.segment, placed_tier = n.tier, placed_stage = n.stage, old_orders = n.old_orders, old_net = n.old_net,
    computed_at = ${ts(asOf)}
    from scoring_changes n where s.customer_id = n.customer_id`)
  const [written] = await rows(ex, announceQuery(asOf))
  if (kept) {
    await replaceHistograms(ex, kept)
    await ex.execute(sql`delete from scoring_dirty`)
  } else {
    await applyChanges(ex)
    await clearSeen(ex)
  }
  await ex.execute(sql`drop table scoring_changes`)
  return {
    scored: cuts.scored, rfmChanged: Number(decided.changed), tierOrStageChanged: Number(written.placed_changed), events: Number(written.events),
    moneyCutBuckets: cuts.mBuckets, cuts: { r: [...cuts.r], f: [...cuts.f], m: [...cuts.m] }
  }
}

/** Customers who never bought but show interest, or are recent detractors, get a row (zero aggregates), so the pass below places them too. */
function addInterestedQuery(i: Interest): SQL {
  return sql`
    insert into customer_scores (customer_id)
    select k.customer_id from (${i.pipeline} union select customer_id from (${i.activity}) a union select customer_id from (${i.detractors}) d) k
    join customers c on c.id = k.customer_id and c.deleted_at is null and c.merged_into_id is null
    on conflict (customer_id) do nothing`
}

/**
 * Everyone with a customer_scores row, in one pass over those rows, keeping aside only those
 * whose scores, segment, tier, stage or old part (the edge moved) differ from what is stored.
 */
function decideQuery(asOf: Date, config: ScoringConfig, i: Interest, cuts: RunCuts, edgeMoves: boolean, candidatesOnly: boolean): SQL {
  const place = placement(config, i)
  return sql`
    create temporary table scoring_changes on commit drop as
    select d.customer_id, d.r_before, d.f_before, d.m_before, d.segment_before, d.r, d.f, d.m, d.segment, d.tier, d.stage,
      d.frequency_before, d.monetary_before, d.recency_from_before,
      d.frequency_now as frequency, d.monetary_now as monetary, d.recency_from_now as recency_from,
      (d.placed_tier, d.placed_stage) is distinct from (d.tier, d.stage) as placed_moved, d.old_orders, d.old_net
    from (
      select g.*, case when g.scored then ${segmentLookup(config.segments)} end as segment
      from (
        select x.*, ${scoreSql(sql`x.days`, cuts.r, 'lower')} as r, ${scoreSql(sql`x.frequency`, cuts.f, 'higher')} as f,
          ${scoreSql(sql`x.monetary`, cuts.m, 'higher')} as m, ${place.tier} as tier, ${place.stage} as stage
        from ${buyerFacts(asOf, { withInterest: i, edgeMoves, candidatesOnly })} x
        offset 0
      ) g
      offset 0
    ) d
    where (d.frequency_before, d.monetary_before, d.recency_from_before, d.r_before, d.f_before, d.m_before, d.segment_before)
        is distinct from (d.frequency_now, d.monetary_now, d.recency_from_now, d.r, d.f, d.m, d.segment)
      or (d.placed_tier, d.placed_stage) is distinct from (d.tier, d.stage)
      or (d.old_orders, d.old_net) is distinct from (d.old_orders_before, d.old_net_before)`
}

const changesJson = sql`
  case when x.segment_before is distinct from x.segment then jsonb_build_object(
    'segment', jsonb_build_object('from', x.segment_before, 'to', x.segment),
    'rfm', jsonb_build_object('from', case when x.r_before is null then null else jsonb_build_object('r', x.r_before, 'f', x.f_before, 'm', x.m_before) end,
                              'to', case when x.r is null then null else jsonb_build_object('r', x.r, 'f', x.f, 'm', x.m) end))
  else '{}'::jsonb end
  || case when u.id is not null and u.tier_was is distinct from u.tier then jsonb_build_object('tier', jsonb_build_object('from', u.tier_was, 'to', u.tier)) else '{}'::jsonb end
  || case when u.id is not null and u.stage_was is distinct from u.stage then jsonb_build_object('lifecycleStage', jsonb_build_object('from', u.stage_was, 'to', u.stage)) else '{}'::jsonb end`

const event = (asOf: Date) => sql`jsonb_build_object('id', x.customer_id, 'changes', ${changesJson}, 'source', 'scoring', 'asOf', ${asOf.toISOString()}::text)`

/** The customers whose tier or stage moved get them; every change is announced. Reads scoring_changes. */
function announceQuery(asOf: Date): SQL {
  return sql`
    with placed_changed as (
      update customers c set tier = n.tier, lifecycle_stage = n.stage
      from scoring_changes n join customers b on b.id = n.customer_id
      where n.placed_moved and c.id = n.customer_id and (b.tier, b.lifecycle_stage) is distinct from (n.tier, n.stage)
      returning c.id, b.tier as tier_was, b.lifecycle_stage as stage_was, n.tier, n.stage
    ),
    events as (
      insert into outbox_events (id, type, entity_type, entity_id, data)
      select crm_uuidv7(), 'customer.updated', 'customer', x.customer_id, ${event(asOf)}
      from scoring_changes x left join placed_changed u on u.id = x.customer_id
      where x.segment_before is distinct from x.segment or u.id is not null
      returning 1
    )
    select (select count(*) from placed_changed)::int as placed_changed, (select count(*) from events)::int as events`
}
