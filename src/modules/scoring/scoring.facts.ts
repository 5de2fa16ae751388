import { thresholds } from '../../rules/survey-score.js'
import { sql, type SQL } from 'drizzle-orm'
import { DAY_MS } from '../../rules/rfm.js'
import type { ScoringConfig } from './scoring.config.js'
import { ts } from '../../db/rows.js'
import { COUNTED, daysSince } from './scoring.sql.js'

/**
 * What a run knows of each buyer (a customer_scores row: only live customers have one), as of `asOf`,
 * from the maintained aggregates alone: the window's frequency and money, all-time counted
 * orders and net, the last counted payment and the days since. Orders paid after `asOf`
 * (recorded ahead of time) are taken back out; there are normally none. Every statement
 * of a run reads the buyers through this, so they all see the same figures.
 * `offset 0` keeps each layer a subquery of its own: flattened, every reference to a column
 * above would repeat the expression that computes it (the scores refer to days a hundred times).
 */
export function buyerFacts(asOf: Date, { withInterest, edgeMoves, candidatesOnly = false }: { withInterest?: Interest; edgeMoves: boolean; candidatesOnly?: boolean }): SQL {
  // For the few with orders paid after asOf, their last counted payment up to it: asked once in that small set.
  const lastCountedBefore = sql`(select max(o.paid_at) from orders o where o.customer_id = f.customer_id and o.paid_at <= ${ts(asOf)} and ${COUNTED})`
  // Tier and stage need the interest facts too; the scores' statistics do not.
  const interestColumns = withInterest ? sql`, pl.customer_id is not null as open_pipeline, ac.last_at, dt.customer_id is not null as detractor` : sql``
  const interestJoins = withInterest
    ? sql`left join (select distinct customer_id from (${withInterest.pipeline}) p) pl on pl.customer_id = s.customer_id
      left join (${withInterest.activity}) ac on ac.customer_id = s.customer_id
      left join (${withInterest.detractors}) dt on dt.customer_id = s.customer_id`
    : sql``
  // The orders the window's edge passes over this run (scoring_edge, from moveEdge) become old.
  const edgeJoin = edgeMoves ? sql`left join scoring_edge e on e.customer_id = s.customer_id` : sql``
  const oldOrders = edgeMoves ? sql`(s.old_orders + coalesce(e.n, 0))` : sql`s.old_orders`
  const oldNet = edgeMoves ? sql`(s.old_net + coalesce(e.net, 0))` : sql`s.old_net`
  // A nightly run reads only the rows it has found may change (scoring.candidates.ts).
  const only = candidatesOnly ? sql`join scoring_candidates k on k.customer_id = s.customer_id` : sql``
  // What the row is to hold after the run: frequency and money when scored, the last payment of every buyer.
  return sql`(
    select b.*, ${daysSince(sql`b.last_paid_at`, asOf)} as days, b.frequency > 0 as scored,
      case when b.frequency > 0 then b.frequency end as frequency_now, case when b.frequency > 0 then b.monetary end as monetary_now,
      case when b.n > 0 then b.last_paid_at end as recency_from_now
    from (
      select s.customer_id, s.r as r_before, s.f as f_before, s.m as m_before, s.segment as segment_before,
        s.frequency as frequency_before, s.monetary as monetary_before, s.recency_from as recency_from_before,
        s.placed_tier, s.placed_stage, s.old_orders as old_orders_before, s.old_net as old_net_before,
        ${oldOrders} as old_orders, ${oldNet} as old_net,
        s.paid_orders - ${oldOrders} - coalesce(fu.n, 0) as frequency,
        s.net_paid - ${oldNet} - coalesce(fu.net, 0) as monetary,
        s.paid_orders - coalesce(fu.n, 0) as n, s.net_paid - coalesce(fu.net, 0) as net,
        case when fu.n is null then s.last_paid_at else fu.last_before end as last_paid_at
        ${interestColumns}
      from customer_scores s
      ${only}
      left join (
        select f.customer_id, f.n, f.net, ${lastCountedBefore} as last_before from (
          select o.customer_id, count(*)::int as n, sum(o.amount - o.refunded_amount)::bigint as net
          from orders o where o.paid_at > ${ts(asOf)} and ${COUNTED} group by o.customer_id
        ) f
      ) fu on fu.customer_id = s.customer_id
      ${edgeJoin}
      ${interestJoins}
      offset 0
    ) b
    offset 0
  )`
}

export type Interest = { pipeline: SQL; activity: SQL; detractors: SQL; interestFrom: Date; engagedFrom: Date }

/**
 * Open leads and opportunities, and the latest activity (about the customer, their leads or
 * opportunities) in the interest windows. Both yield customer ids only: an activity about a
 * referrer alone, or about a lead nobody linked to a customer, concerns no customer and is
 * left out (its key would be null, and every reader joins or inserts by customer id).
 */
export function interest(asOf: Date, config: ScoringConfig): Interest {
  const interestFrom = new Date(asOf.getTime() - config.customerTier.interestDays * DAY_MS)
  const engagedFrom = new Date(asOf.getTime() - config.lifecycle.engagedDays * DAY_MS)
  const from = interestFrom < engagedFrom ? interestFrom : engagedFrom
  return {
    interestFrom, engagedFrom,
    detractors: detractorsAt(asOf, config.lifecycle.detractorDays),
    pipeline: sql`select customer_id from leads where customer_id is not null and deleted_at is null and status in ('new', 'contacted', 'qualified')
      union select customer_id from opportunities where deleted_at is null and stage not in ('won', 'lost')`,
    activity: sql`select coalesce(a.customer_id, ld.customer_id, op.customer_id) as customer_id, max(a.occurred_at) as last_at
      from activities a left join leads ld on ld.id = a.lead_id left join opportunities op on op.id = a.opportunity_id
      where a.deleted_at is null and a.occurred_at <= ${ts(asOf)} and a.occurred_at >= ${ts(from)}
        and coalesce(a.customer_id, ld.customer_id, op.customer_id) is not null
      group by 1`
  }
}

/**
 * The customers who are recent detractors as of `asOf` (customer-facts.ts, recentDetractor):
 * their latest NPS or latest CSAT is a detractor's and lies in [asOf − days, asOf]. Only the
 * window's answers are read (survey_responses_answered_at_idx): an answer after the detractor's
 * of the same kind is later still, so inside the window too. days 0: nobody.
 */
export function detractorsAt(asOf: Date, days: number): SQL {
  if (days <= 0) return sql`select null::uuid as customer_id where false`
  const from = new Date(asOf.getTime() - days * DAY_MS)
  return sql`select l.customer_id from (
      select distinct on (r.customer_id, r.kind) r.customer_id, r.kind, r.score from survey_responses r
      where r.answered_at <= ${ts(asOf)} and r.answered_at >= ${ts(from)}
      order by r.customer_id, r.kind, r.answered_at desc, r.id desc
    ) l
    where (l.kind = 'nps' and l.score <= ${thresholds.nps.detractorMax}) or (l.kind = 'csat' and l.score <= ${thresholds.csat.detractorMax})
    group by l.customer_id`
}

/** customer-tier.ts and lifecycle.ts over columns n (counted orders, all time), net, days (since the last), open_pipeline, last_at, detractor. */
export function placement(config: ScoringConfig, i: Interest): { tier: SQL; stage: SQL } {
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
      when detractor then 'at_risk'
      when n > 0 and days >= ${l.atRiskDays} then 'at_risk'
      when n >= ${l.loyalMinPaidOrders} then 'loyal'
      when n > 0 then 'nurturing'
      when open_pipeline or last_at >= ${ts(i.engagedFrom)} then 'nurturing'
      else 'prospect'
    end)::lifecycle_stage`
  }
}
