import { sql, type SQL } from 'drizzle-orm'
import type { Executor } from '../../db/client.js'
import { DAY_MS } from '../../rules/rfm.js'
import type { ScoringConfig } from './scoring.config.js'
import { COUNTED, daysSince, rows, segmentCase, ts } from './scoring.sql.js'

/**
 * The scoring statements of a run. They read the narrow customer_scores rows, never every
 * order nor every (wide) customer row, and write only what changed:
 *   - buyers (a customer_scores row): RFM and segment (tie-aware: w for recency and frequency
 *     from a histogram of their few distinct values, for money from one rank), and tier and
 *     stage compared with what scoring last placed (`placed_*`), the customer row touched
 *     only when they change;
 *   - customers who never bought: tier B / stage nurturing while interested (open lead or
 *     opportunity, recent activity), back when no longer; a small set found by index.
 * Each customer whose segment, tier or stage changed gets one customer.updated.
 */
export type ScoreCounts = { scored: number; rfmChanged: number; tierOrStageChanged: number; events: number }

export type Distribution = { segments: Record<string, number>; tiers: Record<string, number>; stages: Record<string, number> }

export async function scoreAll(ex: Executor, asOf: Date, config: ScoringConfig): Promise<ScoreCounts & { buyers: Distribution }> {
  // What changed, kept aside: the writes below then find their rows by key (the planner sizes a
  // temporary table by its pages, so a few hundred changes are a few hundred index lookups).
  await ex.execute(sql`create temporary table scoring_changes (
    customer_id uuid primary key, r_before smallint, f_before smallint, m_before smallint, segment_before text,
    r smallint, f smallint, m smallint, segment text, tier customer_tier, stage lifecycle_stage,
    frequency int, monetary bigint, recency_from timestamptz, placed_moved boolean) on commit drop`)
  const [buyers] = await rows(ex, scoreBuyersQuery(asOf, config))
  await ex.execute(sql`analyze scoring_changes`)
  await ex.execute(sql`update customer_scores s set frequency = n.frequency, monetary = n.monetary, recency_from = n.recency_from,
    r = n.r, f = n.f, m = n.m, segment = n.segment, placed_tier = n.tier, placed_stage = n.stage, computed_at = ${ts(asOf)}
    from scoring_changes n where s.customer_id = n.customer_id`)
  const [written] = await rows(ex, announceQuery(asOf))
  const [others] = await rows(ex, placeNonBuyersQuery(asOf, config))
  await ex.execute(sql`drop table scoring_changes`)
  return {
    scored: Number(buyers.scored ?? 0), rfmChanged: Number(buyers.changed),
    tierOrStageChanged: Number(written.placed_changed) + Number(others.placed_changed), events: Number(written.events) + Number(others.events),
    buyers: buyers.distribution as Distribution
  }
}

type Interest = { pipeline: SQL; activity: SQL; interestFrom: Date; engagedFrom: Date }

/** Open leads and opportunities, and the latest activity (about the customer, their leads or opportunities) in the interest windows. */
function interest(asOf: Date, config: ScoringConfig): Interest {
  const interestFrom = new Date(asOf.getTime() - config.customerTier.interestDays * DAY_MS)
  const engagedFrom = new Date(asOf.getTime() - config.lifecycle.engagedDays * DAY_MS)
  const from = interestFrom < engagedFrom ? interestFrom : engagedFrom
  return {
    interestFrom, engagedFrom,
    pipeline: sql`select customer_id from leads where customer_id is not null and deleted_at is null and status in ('new', 'contacted', 'qualified')
      union select customer_id from opportunities where deleted_at is null and stage not in ('won', 'lost')`,
    activity: sql`select coalesce(a.customer_id, ld.customer_id, op.customer_id) as customer_id, max(a.occurred_at) as last_at
      from activities a left join leads ld on ld.id = a.lead_id left join opportunities op on op.id = a.opportunity_id
      where a.deleted_at is null and a.occurred_at <= ${ts(asOf)} and a.occurred_at >= ${ts(from)} group by 1`
  }
}

/** customer-tier.ts and lifecycle.ts over columns n (counted orders, all time), net, days (since the last), open_pipeline, last_at. */
function placement(config: ScoringConfig, i: Interest): { tier: SQL; stage: SQL } {
  const t = config.customerTier
  const l = config.lifecycle
  return {
    tier: sql`(case
      when n >= ${t.aMinPaidOrders} and net >= ${t.aMinNetPaid} then 'A'
      when n > 0 then 'C'
      when open_pipeline or last_at >= ${ts(i.interestFrom)} then 'B'
    end)::customer_tier`,
    stage: sql`(case
      when n > 0 and days >= ${l.churnedDays} then 'churned'
      when n > 0 and days >= ${l.atRiskDays} then 'at_risk'
      when n >= ${l.loyalMinPaidOrders} then 'loyal'
      when n > 0 then 'nurturing'
      when open_pipeline or last_at >= ${ts(i.engagedFrom)} then 'nurturing'
      else 'prospect'
    end)::lifecycle_stage`
  }
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

/** Buyers: everyone with a customer_scores row, in one pass over those rows. Exported to EXPLAIN it. */
export function scoreBuyersQuery(asOf: Date, config: ScoringConfig): SQL {
  const i = interest(asOf, config)
  const place = placement(config, i)
  const lastCountedBefore = sql`(select max(o.paid_at) from orders o where o.customer_id = s.customer_id and o.paid_at <= ${ts(asOf)} and ${COUNTED})`
  return sql`
    with future as (
      select o.customer_id, count(*)::int as n, sum(o.amount - o.refunded_amount)::bigint as net
      from orders o where o.paid_at > ${ts(asOf)} and ${COUNTED} group by o.customer_id
    ),
    gone as (select id from customers where deleted_at is not null or merged_into_id is not null),
    pipeline as (${i.pipeline}),
    activity as (${i.activity}),
    base as (
      select s.customer_id, s.r as r_before, s.f as f_before, s.m as m_before, s.segment as segment_before,
        s.frequency as frequency_before, s.monetary as monetary_before, s.recency_from as recency_from_before,
        s.placed_tier, s.placed_stage,
        s.paid_orders - s.old_orders - coalesce(fu.n, 0) as frequency,
        s.net_paid - s.old_net - coalesce(fu.net, 0) as monetary,
        s.paid_orders - coalesce(fu.n, 0) as n, s.net_paid - coalesce(fu.net, 0) as net,
        case when fu.n is null then s.last_paid_at else ${lastCountedBefore} end as last_paid_at,
        pl.customer_id is not null as open_pipeline, ac.last_at
      from customer_scores s
      left join future fu on fu.customer_id = s.customer_id
      left join (select distinct customer_id from pipeline) pl on pl.customer_id = s.customer_id
      left join activity ac on ac.customer_id = s.customer_id
      where not exists (select 1 from gone g where g.id = s.customer_id)
    ),
    measured as (select b.*, ${daysSince(sql`b.last_paid_at`, asOf)} as days, b.frequency > 0 as scored from base b),
    total as (select count(*)::int as n from measured where scored),
    by_recency as (
      select days, coalesce(sum(c) over (order by days desc rows between unbounded preceding and 1 preceding), 0)::bigint as w
      from (select days, count(*) as c from measured where scored group by days) h
    ),
    by_frequency as (
      select frequency, coalesce(sum(c) over (order by frequency rows between unbounded preceding and 1 preceding), 0)::bigint as w
      from (select frequency, count(*) as c from measured where scored group by frequency) h
    ),
    ranked as (
      select x.*,
        case when x.scored then (1 + (5 * br.w) / t.n)::smallint end as r,
        case when x.scored then (1 + (5 * bf.w) / t.n)::smallint end as f,
        case when x.scored then (1 + (5 * (rank() over (partition by x.scored order by x.monetary) - 1)) / t.n)::smallint end as m
      from measured x cross join total t
      left join by_recency br on x.scored and br.days = x.days
      left join by_frequency bf on x.scored and bf.frequency = x.frequency
    ),
    decided as (
      select g.*, case when g.scored then ${segmentCase(config.segments)} end as segment,
        ${place.tier} as tier, ${place.stage} as stage
      from ranked g
    ),
    changed as (
      insert into scoring_changes
      select d.customer_id, d.r_before, d.f_before, d.m_before, d.segment_before, d.r, d.f, d.m, d.segment, d.tier, d.stage,
        case when d.scored then d.frequency end, case when d.scored then d.monetary end, case when d.scored then d.last_paid_at end,
        (d.placed_tier, d.placed_stage) is distinct from (d.tier, d.stage)
      from decided d
      where (d.frequency_before, d.monetary_before, d.recency_from_before, d.r_before, d.f_before, d.m_before, d.segment_before)
          is distinct from (case when d.scored then d.frequency end, case when d.scored then d.monetary end, case when d.scored then d.last_paid_at end, d.r, d.f, d.m, d.segment)
        or (d.placed_tier, d.placed_stage) is distinct from (d.tier, d.stage)
      returning 1
    ),
    counts as (select segment, coalesce(tier::text, 'untiered') as tier, stage::text as stage, count(*)::int as n from decided group by 1, 2, 3)
    select (select n from total) as scored, (select count(*) from changed)::int as changed,
      jsonb_build_object(
        'segments', (select coalesce(jsonb_object_agg(segment, n), '{}') from (select segment, sum(n)::int as n from counts where segment is not null group by 1) x),
        'tiers', (select coalesce(jsonb_object_agg(tier, n), '{}') from (select tier, sum(n)::int as n from counts group by 1) x),
        'stages', (select coalesce(jsonb_object_agg(stage, n), '{}') from (select stage, sum(n)::int as n from counts group by 1) x)
      ) as distribution`
}

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

/** Customers who never bought (no customer_scores row): B / nurturing while interested, back when not. */
export function placeNonBuyersQuery(asOf: Date, config: ScoringConfig): SQL {
  const i = interest(asOf, config)
  const place = placement(config, i)
  return sql`
    with pipeline as (${i.pipeline}),
    activity as (${i.activity}),
    candidates as (
      select customer_id as id from pipeline union select customer_id from activity where customer_id is not null
      union select id from customers where tier = 'B'
    ),
    facts as (
      select c.id, c.tier as tier_was, c.lifecycle_stage as stage_was, 0 as n, 0 as net, null::numeric as days,
        exists (select 1 from pipeline p where p.customer_id = c.id) as open_pipeline, ac.last_at
      from candidates k join customers c on c.id = k.id
      left join activity ac on ac.customer_id = c.id
      where c.deleted_at is null and c.merged_into_id is null and not exists (select 1 from customer_scores s where s.customer_id = c.id)
    ),
    decided as (select f.*, ${place.tier} as tier, ${place.stage} as stage from facts f),
    placed_changed as (
      update customers c set tier = d.tier, lifecycle_stage = d.stage
      from decided d where c.id = d.id and (d.tier_was, d.stage_was) is distinct from (d.tier, d.stage)
      returning d.id, d.tier_was, d.stage_was, d.tier, d.stage
    ),
    events as (
      insert into outbox_events (id, type, entity_type, entity_id, data)
      select crm_uuidv7(), 'customer.updated', 'customer', u.id, jsonb_build_object('id', u.id, 'changes',
        case when u.tier_was is distinct from u.tier then jsonb_build_object('tier', jsonb_build_object('from', u.tier_was, 'to', u.tier)) else '{}'::jsonb end
        || case when u.stage_was is distinct from u.stage then jsonb_build_object('lifecycleStage', jsonb_build_object('from', u.stage_was, 'to', u.stage)) else '{}'::jsonb end,
        'source', 'scoring', 'asOf', ${asOf.toISOString()}::text)
      from placed_changed u
      returning 1
    )
    select (select count(*) from placed_changed)::int as placed_changed, (select count(*) from events)::int as events`
}
