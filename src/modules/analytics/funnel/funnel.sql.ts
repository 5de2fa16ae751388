import { sql, type SQL } from 'drizzle-orm'
import { rows, ts } from '../../../db/rows.js'
import type { Period } from '../../../rules/report-period.js'
import type { ReportContext } from '../analytics.report.js'
import { ownerScope, teamScope } from '../analytics.scope.js'
import type { FunnelFilter, FunnelGroupBy, FunnelView, StepRow } from './funnel.steps.js'

/** A (group, step) row; `grouped` is false for the totals. */
export type FunnelRow = StepRow & { grouped: boolean; key: string | null; label: string | null }

/**
 * One row per referral in the funnel (accepted by the intake checks, not deleted), with each
 * step's own time (s2…s7: null when it did not happen or its record is deleted) and the
 * consent time that step 2's duration is measured to.
 */
function perReferral(ctx: ReportContext, filter: FunnelFilter, only: SQL): SQL {
  const f = filter
  return sql`select r.id, r.channel, r.campaign_id, rr.kind as referrer_kind, rr.tier as referrer_tier, u.team_id,
      r.created_at as t1, r.consented_at as c2, r.submitted_at as s2, r.qualified_at as s3,
      case when l.deleted_at is null then l.first_contacted_at end as s4,
      o.created_at as s5, r.converted_at as s6,
      (select min(od.paid_at) from orders od join customers cu on cu.id = od.customer_id
        where od.referral_id = r.id and od.deleted_at is null and cu.deleted_at is null) as s7
    from referrals r
    join referrers rr on rr.id = r.referrer_id
    left join leads l on l.id = r.lead_id
    left join users u on u.id = l.owner_id
    left join opportunities o on o.id = r.opportunity_id and o.deleted_at is null
    where r.deleted_at is null and (r.submitted_at is not null or r.consent_expires_at is not null) and ${only}
      and (${ownerScope(ctx.actor, ctx.reach, sql`l.owner_id`)} or ${ownerScope(ctx.actor, ctx.reach, sql`rr.owner_id`)})
      ${f.referrerId ? sql`and r.referrer_id = ${f.referrerId}` : sql``}
      ${f.referrerKind ? sql`and rr.kind = ${f.referrerKind}` : sql``}
      ${f.referrerTier ? sql`and rr.tier = ${f.referrerTier}` : sql``}
      ${f.campaignId ? sql`and r.campaign_id = ${f.campaignId}` : sql``}
      ${f.channel ? sql`and r.channel = ${f.channel}` : sql``}
      ${f.ownerId ? sql`and l.owner_id = ${f.ownerId}` : sql``}
      ${f.teamId ? sql`and ${teamScope(f.teamId, sql`l.owner_id`)}` : sql``}`
}

/**
 * A step reached is counted at its own time, or, when it was skipped (no time of its own),
 * at the time of the first later step that happened: a later step implies the earlier ones.
 * Durations only where both the step's and the previous step's own times exist.
 */
const STEPS = sql`(values
    (1, f.t1, null::float8),
    (2, coalesce(f.s2, f.s3, f.s4, f.s5, f.s6, f.s7), extract(epoch from f.c2 - f.t1)::float8),
    (3, coalesce(f.s3, f.s4, f.s5, f.s6, f.s7), extract(epoch from f.s3 - f.s2)::float8),
    (4, coalesce(f.s4, f.s5, f.s6, f.s7), extract(epoch from f.s4 - f.s3)::float8),
    (5, coalesce(f.s5, f.s6, f.s7), extract(epoch from f.s5 - f.s4)::float8),
    (6, coalesce(f.s6, f.s7), extract(epoch from f.s6 - f.s5)::float8),
    (7, f.s7, extract(epoch from f.s7 - f.s6)::float8)
  ) as s(step, at, seconds)`

const inPeriod = (at: SQL, p: Period) => sql`${at} >= ${ts(p.from)} and ${at} < ${ts(p.to)}`

/**
 * Which referrals can count in the period. Cohort: those submitted in it. Activity: those
 * with any of the steps' own times in it (an implied step's time is a later step's own), each
 * found through an index on that time, so a period's activity does not read every referral.
 */
function candidates(view: FunnelView, p: Period): SQL {
  if (view === 'cohort') return inPeriod(sql`r.created_at`, p)
  return sql`r.id in (
    select x.id from referrals x where ${inPeriod(sql`x.created_at`, p)}
    union select x.id from referrals x where ${inPeriod(sql`x.submitted_at`, p)}
    union select x.id from referrals x where ${inPeriod(sql`x.qualified_at`, p)}
    union select x.id from referrals x where ${inPeriod(sql`x.converted_at`, p)}
    union select x.id from leads lx join referrals x on x.lead_id = lx.id where ${inPeriod(sql`lx.first_contacted_at`, p)}
    union select x.id from opportunities ox join referrals x on x.opportunity_id = ox.id where ${inPeriod(sql`ox.created_at`, p)}
    union select ox.referral_id from orders ox where ox.referral_id is not null and ${inPeriod(sql`ox.paid_at`, p)})`
}

function groupKey(ctx: ReportContext, groupBy: FunnelGroupBy | null, anchor: SQL): { key: SQL; label: SQL } {
  switch (groupBy) {
    case 'channel': return { key: sql`f.channel::text`, label: sql`f.channel::text` }
    case 'campaign': return { key: sql`f.campaign_id::text`, label: sql`(select c.name from campaigns c where c.id = f.campaign_id)` }
    case 'referrerKind': return { key: sql`f.referrer_kind::text`, label: sql`f.referrer_kind::text` }
    case 'referrerTier': return { key: sql`f.referrer_tier`, label: sql`f.referrer_tier` }
    case 'team': return { key: sql`f.team_id::text`, label: sql`(select t.name from teams t where t.id = f.team_id)` }
    case 'bucket': {
      const key = sql`to_char(date_trunc(${ctx.period.bucket}::text, ${anchor} at time zone ${ctx.period.timeZone}::text), 'YYYY-MM-DD')`
      return { key, label: key }
    }
    default: return { key: sql`null::text`, label: sql`null::text` }
  }
}

/**
 * The funnel's (group, step) rows and the totals' step rows for one period. Cohort: the
 * referrals submitted in the period, every step they reached so far. Activity: each step
 * counted in the period it happened in, whenever the referral was submitted.
 */
export async function funnelRows(ctx: ReportContext, period: Period, view: FunnelView, groupBy: FunnelGroupBy | null, filter: FunnelFilter): Promise<FunnelRow[]> {
  const anchor = view === 'cohort' ? sql`f.t1` : sql`s.at`
  const { key, label } = groupKey(ctx, groupBy, anchor)
  const sets = groupBy ? sql`grouping sets ((s.step), (s.step, g.key, g.label))` : sql`s.step`
  const grouped = groupBy ? sql`grouping(g.key) = 0` : sql`false`
  return rows<FunnelRow>(ctx.deps.db, sql`
    -- materialized: the first paid order's subquery runs once per referral, not once per step that reads it
    with f as materialized (${perReferral(ctx, filter, candidates(view, period))})
    select s.step, ${grouped} as grouped, ${groupBy ? sql`g.key` : sql`null::text`} as key, ${groupBy ? sql`g.label` : sql`null::text`} as label,
      count(*)::int as count, count(s.seconds)::int as measured,
      percentile_cont(0.5) within group (order by s.seconds) as median,
      percentile_cont(0.9) within group (order by s.seconds) as p90
    from f cross join lateral ${STEPS}
    cross join lateral (select ${key} as key, ${label} as label) g
    where s.at is not null and ${inPeriod(anchor, period)}
    group by ${sets}`)
}
