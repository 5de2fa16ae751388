import { sql, type SQL } from 'drizzle-orm'
import { rows, ts } from '../../../db/rows.js'
import type { Period } from '../../../rules/report-period.js'
import { csatSatisfiedMin, thresholds } from '../../../rules/survey-score.js'
import type { ReportContext } from '../analytics.report.js'
import { ownerScope } from '../analytics.scope.js'
import { AGE_BUCKETS, BACKLOG_STATUSES } from './service.views.js'

/** Which figure set a row belongs to: the whole period, or one bucket, agent, category or channel. */
export type Dim = 'total' | 'bucket' | 'agent' | 'category' | 'channel'
export type DimRow = { dim: Dim; key: string | null }

/**
 * The reach of the service report (docs/analytics.md, "Service and satisfaction"): a ticket is
 * in reach when its assignee or its customer's owner is (reach.ts's rule), or, for team reach,
 * when it waits in the team's queue; a survey invitation or answer when its agent or its
 * customer's owner is. Aliases: t (tickets), c (customers), the agent column given.
 */
export function ticketScope(ctx: ReportContext): SQL {
  const queue = ctx.reach === 'team' && ctx.actor.teamId ? sql` or t.queue_team_id = ${ctx.actor.teamId}` : sql``
  return sql`(${ownerScope(ctx.actor, ctx.reach, sql`t.assignee_id`)} or ${ownerScope(ctx.actor, ctx.reach, sql`c.owner_id`)}${queue})`
}

export function answerScope(ctx: ReportContext, agent: SQL): SQL {
  return sql`(${ownerScope(ctx.actor, ctx.reach, agent)} or ${ownerScope(ctx.actor, ctx.reach, sql`c.owner_id`)})`
}

type Source = { at: SQL; agent: SQL; category: SQL; channel: SQL; from: SQL; where: SQL; select: SQL }

/**
 * `select <figures> from <source>` for the facts whose time lies in the period, once over all
 * of them and, with breakdowns, per bucket (in the reporting zone), agent, ticket category and
 * ticket channel, in one pass (grouping sets), so medians are over each group's own tickets.
 */
function grouped<T>(ctx: ReportContext, period: Period, breakdowns: boolean, s: Source): Promise<(T & DimRow)[]> {
  const inPeriod = sql`${s.at} >= ${ts(period.from)} and ${s.at} < ${ts(period.to)}`
  if (!breakdowns) {
    return rows<T & DimRow>(ctx.deps.db, sql`select 'total' as dim, null::text as key, ${s.select} from ${s.from} where ${s.where} and ${inPeriod}`)
  }
  const bucket = sql`to_char(date_trunc(${ctx.period.bucket}::text, ${s.at} at time zone ${ctx.period.timeZone}::text), 'YYYY-MM-DD')`
  return rows<T & DimRow>(ctx.deps.db, sql`
    select case when grouping(g.b) = 0 then 'bucket' when grouping(g.a) = 0 then 'agent'
        when grouping(g.c) = 0 then 'category' when grouping(g.h) = 0 then 'channel' else 'total' end as dim,
      case when grouping(g.b) = 0 then g.b when grouping(g.a) = 0 then g.a when grouping(g.c) = 0 then g.c when grouping(g.h) = 0 then g.h end as key,
      ${s.select}
    from ${s.from}
    cross join lateral (select ${bucket} as b, ${s.agent}::text as a, ${s.category}::text as c, ${s.channel}::text as h) g
    where ${s.where} and ${inPeriod}
    group by grouping sets ((), (g.b), (g.a), (g.c), (g.h))`)
}

export type AnswerRow = { csat_answers: number; csat_satisfied: number; nps_answers: number; promoters: number; detractors: number }

/** Survey answers given in the period: CSAT 4–5 are satisfied; NPS 9–10 promoters, 0–6 detractors. */
export function answerFigures(ctx: ReportContext, period: Period, breakdowns: boolean) {
  return grouped<AnswerRow>(ctx, period, breakdowns, {
    at: sql`r.answered_at`, agent: sql`r.agent_id`, category: sql`t.category`, channel: sql`t.channel`,
    from: sql`survey_responses r join customers c on c.id = r.customer_id left join tickets t on t.id = r.ticket_id`,
    where: answerScope(ctx, sql`r.agent_id`),
    select: sql`count(*) filter (where r.kind = 'csat')::int as csat_answers,
      count(*) filter (where r.kind = 'csat' and r.score >= ${csatSatisfiedMin})::int as csat_satisfied,
      count(*) filter (where r.kind = 'nps')::int as nps_answers,
      count(*) filter (where r.kind = 'nps' and r.score >= ${thresholds.nps.promoterMin})::int as promoters,
      count(*) filter (where r.kind = 'nps' and r.score <= ${thresholds.nps.detractorMax})::int as detractors`
  })
}

export type InvitationRow = { sent: number; answered: number }

/** Invitations sent in the period, and how many of them have an answer (whenever it came). */
export function invitationFigures(ctx: ReportContext, period: Period, breakdowns: boolean) {
  return grouped<InvitationRow>(ctx, period, breakdowns, {
    at: sql`i.sent_at`, agent: sql`i.agent_id`, category: sql`t.category`, channel: sql`t.channel`,
    from: sql`survey_invitations i join customers c on c.id = i.customer_id left join tickets t on t.id = i.ticket_id`,
    where: answerScope(ctx, sql`i.agent_id`),
    select: sql`count(*)::int as sent,
      count(i.answered_at)::int as answered`
  })
}

const ticketSource = (ctx: ReportContext, at: SQL, select: SQL): Source => ({
  at, agent: sql`t.assignee_id`, category: sql`t.category`, channel: sql`t.channel`,
  from: sql`tickets t join customers c on c.id = t.customer_id`,
  where: sql`t.deleted_at is null and ${ticketScope(ctx)}`,
  select
})

/** Tickets opened in the period. */
export function createdFigures(ctx: ReportContext, period: Period, breakdowns: boolean) {
  return grouped<{ created: number }>(ctx, period, breakdowns, ticketSource(ctx, sql`t.created_at`, sql`count(*)::int as created`))
}

export type ClockRow = { ended: number; measured: number; median: number | null; p90: number | null; sla_ended: number; sla_met: number }

/**
 * One clock (first response or resolution) that ended in the period: its business minutes
 * (filled by the ticket service), and, for tickets with a target, whether it was breached.
 */
export function clockFigures(ctx: ReportContext, period: Period, breakdowns: boolean, clock: 'first_response' | 'resolution') {
  const endedAt = clock === 'first_response' ? sql`t.first_responded_at` : sql`t.resolved_at`
  const minutes = sql.raw(`t.${clock}_business_minutes`)
  const target = sql.raw(`t.${clock}_minutes`)
  const breached = sql.raw(`t.${clock}_breached_at`)
  return grouped<ClockRow>(ctx, period, breakdowns, ticketSource(ctx, endedAt, sql`count(*)::int as ended, count(${minutes})::int as measured,
    percentile_cont(0.5) within group (order by ${minutes}) as median, percentile_cont(0.9) within group (order by ${minutes}) as p90,
    count(*) filter (where ${target} is not null)::int as sla_ended,
    count(*) filter (where ${target} is not null and ${breached} is null)::int as sla_met`))
}

export type BacklogRow = { status: string; age: string; count: number }

/**
 * Tickets still open (open, in progress, waiting for the customer) at `asOf`, by status and
 * age. Now: the ticket's status. Earlier: its last recorded transition before `asOf` (a ticket
 * with none before then counts in its current status).
 */
export function backlogRows(ctx: ReportContext, asOf: Date, current: boolean) {
  const status = current
    ? sql`t.status::text`
    : sql`coalesce((select x.to_status::text from ticket_status_changes x where x.ticket_id = t.id and x.at < ${ts(asOf)}
        order by x.at desc, x.id desc limit 1), t.status::text)`
  const days = sql`extract(epoch from ${ts(asOf)} - t.created_at) / 86400`
  const age = sql`case ${sql.join(AGE_BUCKETS.map((b) => b.maxDays === null
    ? sql`else ${b.key}`
    : sql`when ${days} < ${sql.raw(String(b.maxDays))} then ${b.key}`), sql` `)} end`
  const statuses = sql.join(BACKLOG_STATUSES.map((s) => sql`${s}`), sql`, `)
  return rows<BacklogRow>(ctx.deps.db, sql`
    select b.status, b.age, count(*)::int as count from (
      select ${status} as status, ${age} as age
      from tickets t join customers c on c.id = t.customer_id
      where t.deleted_at is null and t.created_at < ${ts(asOf)} and ${ticketScope(ctx)}
        ${current ? sql`and t.status in ('open', 'in_progress', 'waiting_customer')` : sql``}
    ) b
    where b.status in (${statuses})
    group by b.status, b.age`)
}

/** Names for the agents and categories the groups name. */
export async function labels(ctx: ReportContext, agents: string[], categories: string[]) {
  const users = agents.length
    ? await rows<{ id: string; name: string }>(ctx.deps.db, sql`select id::text, name from users where id in (${sql.join(agents.map((a) => sql`${a}::uuid`), sql`, `)})`)
    : []
  const cats = categories.length
    ? await rows<{ key: string; name: string }>(ctx.deps.db, sql`select key, name from ticket_categories where deleted_at is null and key in (${sql.join(categories.map((k) => sql`${k}`), sql`, `)})`)
    : []
  return { agents: new Map(users.map((u) => [u.id, u.name])), categories: new Map(cats.map((c) => [c.key, c.name])) }
}
