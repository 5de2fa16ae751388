import { sql, type SQL } from 'drizzle-orm'
import { rows, ts } from '../../../db/rows.js'
import type { ReportContext } from '../analytics.report.js'
import { liveOpportunity, weightedSum, type OpenStage } from '../pipeline/pipeline.filters.js'

/** A figure row: per rep (rollup 0) or per team (rollup 1, user_id null; team_id null = reps without a team). */
export type Keyed = { team_id: string | null; user_id: string | null; rollup: number }
export const keyOf = (r: Keyed) => (Number(r.rollup) ? `t:${r.team_id ?? ''}` : `r:${r.user_id}`)

/**
 * `select … from <from> join users u on u.id = <owner> where <where> group by` rep and team
 * in one pass (grouping sets), so a team's medians are over its pairs, not a mean of medians.
 */
function perRep<T>(ctx: ReportContext, owner: SQL, select: SQL, from: SQL, where: SQL, by?: SQL) {
  const sets = by
    ? sql`grouping sets ((u.team_id, ${owner}, ${by}), (u.team_id, ${by}))`
    : sql`grouping sets ((u.team_id, ${owner}), (u.team_id))`
  return rows<Keyed & T>(ctx.deps.db, sql`select u.team_id, ${owner} as user_id, grouping(${owner}) as rollup, ${select}
    from ${from} join users u on u.id = ${owner} where ${where} group by ${sets}`)
}

const seconds = (a: SQL, b: SQL) => sql`extract(epoch from ${b} - ${a})::float8`

/** Leads given to their current owner in the period, and the first response to them. */
export function leadFigures(ctx: ReportContext, scope: (owner: SQL) => SQL) {
  const { from, to } = ctx.period
  const gap = sql`case when l.first_contacted_at >= l.assigned_at then ${seconds(sql`l.assigned_at`, sql`l.first_contacted_at`)} end`
  return perRep<{ assigned: number; responded: number; median: number | null; p90: number | null }>(ctx, sql`l.owner_id`,
    sql`count(*)::int as assigned, count(${gap})::int as responded,
      percentile_cont(0.5) within group (order by ${gap}) as median, percentile_cont(0.9) within group (order by ${gap}) as p90`,
    sql`leads l`,
    sql`l.deleted_at is null and l.assigned_at >= ${ts(from)} and l.assigned_at < ${ts(to)} and ${scope(sql`l.owner_id`)}`)
}

/** First contacts that fell due in the period (up to now) and how many were met by their deadline. */
export function followUpFigures(ctx: ReportContext, scope: (owner: SQL) => SQL) {
  const { from, to } = ctx.period
  const until = to.getTime() < ctx.now.getTime() ? to : ctx.now
  return perRep<{ due: number; met: number }>(ctx, sql`l.owner_id`,
    sql`count(*)::int as due, count(*) filter (where l.first_contacted_at <= l.first_contact_due_at)::int as met`,
    sql`leads l`,
    sql`l.deleted_at is null and l.first_contact_due_at >= ${ts(from)} and l.first_contact_due_at < ${ts(until)} and ${scope(sql`l.owner_id`)}`)
}

/** Opportunities opened in the period. */
export function openedFigures(ctx: ReportContext, scope: (owner: SQL) => SQL) {
  const { from, to } = ctx.period
  return perRep<{ opened: number }>(ctx, sql`o.owner_id`, sql`count(*)::int as opened`, sql`opportunities o`,
    sql`${liveOpportunity} and o.created_at >= ${ts(from)} and o.created_at < ${ts(to)} and ${scope(sql`o.owner_id`)}`)
}

const closedIn = (ctx: ReportContext, scope: (owner: SQL) => SQL, stage: SQL) =>
  sql`${liveOpportunity} and o.stage in (${stage}) and o.closed_at >= ${ts(ctx.period.from)} and o.closed_at < ${ts(ctx.period.to)} and ${scope(sql`o.owner_id`)}`

/** Won and lost in the period, and the mean opened → won time of the won. */
export function closedFigures(ctx: ReportContext, scope: (owner: SQL) => SQL) {
  return perRep<{ won: number; lost: number; cycle: number | null }>(ctx, sql`o.owner_id`,
    sql`count(*) filter (where o.stage = 'won')::int as won, count(*) filter (where o.stage = 'lost')::int as lost,
      avg(${seconds(sql`o.created_at`, sql`o.closed_at`)}) filter (where o.stage = 'won') as cycle`,
    sql`opportunities o`, closedIn(ctx, scope, sql`'won', 'lost'`))
}

/** Amount won in the period, per currency. */
export function wonAmounts(ctx: ReportContext, scope: (owner: SQL) => SQL) {
  return perRep<{ currency: string; amount: string }>(ctx, sql`o.owner_id`, sql`o.currency, sum(o.amount)::bigint as amount`,
    sql`opportunities o`, closedIn(ctx, scope, sql`'won'`), sql`o.currency`)
}

/** Opportunities lost in the period, per lost reason. */
export function lostReasons(ctx: ReportContext, scope: (owner: SQL) => SQL) {
  return perRep<{ reason: string | null; count: number }>(ctx, sql`o.owner_id`, sql`o.lost_reason as reason, count(*)::int as count`,
    sql`opportunities o`, closedIn(ctx, scope, sql`'lost'`), sql`o.lost_reason`)
}

/** Open opportunities now, per stage × currency. */
export function openPipeline(ctx: ReportContext, scope: (owner: SQL) => SQL) {
  return perRep<{ stage: OpenStage; currency: string; count: number; amount: string; weighted: string }>(ctx, sql`o.owner_id`,
    sql`o.stage, o.currency, count(*)::int as count, sum(o.amount)::bigint as amount, ${weightedSum} as weighted`,
    sql`opportunities o`, sql`o.stage not in ('won', 'lost') and ${liveOpportunity} and ${scope(sql`o.owner_id`)}`,
    sql`o.stage, o.currency`)
}

/** Activities the rep logged (as author), by when they happened, per kind. */
export function activityFigures(ctx: ReportContext, scope: (owner: SQL) => SQL) {
  const { from, to } = ctx.period
  return perRep<{ kind: string; count: number }>(ctx, sql`a.author_id`, sql`a.kind, count(*)::int as count`, sql`activities a`,
    sql`a.deleted_at is null and a.occurred_at >= ${ts(from)} and a.occurred_at < ${ts(to)} and ${scope(sql`a.author_id`)}`, sql`a.kind`)
}

/** Live customers each rep owns now. */
export function customerFigures(ctx: ReportContext, scope: (owner: SQL) => SQL) {
  return perRep<{ owned: number }>(ctx, sql`c.owner_id`, sql`count(*)::int as owned`, sql`customers c`,
    sql`c.deleted_at is null and c.merged_into_id is null and ${scope(sql`c.owner_id`)}`)
}

export type RepRow = { id: string; name: string; active: boolean; team_id: string | null; team_name: string | null }

/** The reps listed: active sales reps and managers in reach, and whoever has a figure. */
export function repsOf(ctx: ReportContext, scope: (owner: SQL) => SQL, withFigures: string[]) {
  const extra = withFigures.length ? sql`or u.id in (${sql.join(withFigures.map((id) => sql`${id}::uuid`), sql`, `)})` : sql``
  return rows<RepRow>(ctx.deps.db, sql`select u.id, u.name, u.active, u.team_id, t.name as team_name
    from users u left join teams t on t.id = u.team_id
    where ((u.deleted_at is null and u.active and u.role in ('sales', 'manager')) ${extra}) and ${scope(sql`u.id`)}`)
}
