import { sql, type SQL } from 'drizzle-orm'
import { rows, ts } from '../../../db/rows.js'
import type { Period } from '../../../rules/report-period.js'
import type { ReportContext } from '../analytics.report.js'
import { ownerScope } from '../analytics.scope.js'

/**
 * The automation report's statements (docs/automation.md, "Numbers"). Each counts its own
 * facts by their own time in the period: enrollments by entry, step runs when they ran,
 * messages when they were enqueued (with their status now), attempts when they were made.
 * Reach: the customer's owner (analytics.scope.ts); messages to staff count only in `all`.
 */

const MESSAGE_COUNTS = sql`count(*)::int as total,
  count(*) filter (where m.status = 'queued')::int as queued, count(*) filter (where m.status = 'held')::int as held,
  count(*) filter (where m.status = 'sent')::int as sent, count(*) filter (where m.status = 'failed')::int as failed,
  count(*) filter (where m.status = 'capped')::int as capped, count(*) filter (where m.status = 'blocked')::int as blocked,
  count(*) filter (where m.status = 'dropped')::int as dropped`

const OUTCOMES = sql`count(*)::int as ran,
  count(*) filter (where r.outcome = 'completed')::int as completed, count(*) filter (where r.outcome = 'skipped')::int as skipped,
  count(*) filter (where r.outcome = 'held')::int as held, count(*) filter (where r.outcome = 'capped')::int as capped,
  count(*) filter (where r.outcome = 'blocked')::int as blocked, count(*) filter (where r.outcome = 'failed')::int as failed`

export type CountRow = Record<string, number | string | null>

const within = (column: SQL, period: Period) => sql`${column} >= ${ts(period.from)} and ${column} < ${ts(period.to)}`
const journeyFilter = (column: SQL, journeyId: string | null) => (journeyId ? sql`${column} = ${journeyId}::uuid` : sql`true`)
const customerReach = (ctx: ReportContext) => ownerScope(ctx.actor, ctx.reach, sql`c.owner_id`)

/** Enrollments entered in the period, per journey and by their status now. */
export function enrollmentRows(ctx: ReportContext, journeyId: string | null): Promise<CountRow[]> {
  return rows<CountRow>(ctx.deps.db, sql`
    select e.journey_id::text as journey_id, count(*)::int as entered,
      count(*) filter (where e.status = 'active')::int as active, count(*) filter (where e.status = 'completed')::int as completed,
      count(*) filter (where e.status = 'exited')::int as exited, count(*) filter (where e.status = 'failed')::int as failed
    from journey_enrollments e join customers c on c.id = e.customer_id
    where ${within(sql`e.entered_at`, ctx.period)} and ${journeyFilter(sql`e.journey_id`, journeyId)} and ${customerReach(ctx)}
    group by 1`)
}

/** Step runs of the period per journey and step (step_key null: the journey's total). */
export function stepRunRows(ctx: ReportContext, journeyId: string | null): Promise<CountRow[]> {
  return rows<CountRow>(ctx.deps.db, sql`
    select r.journey_id::text as journey_id, r.step_key, min(r.step_type) as step_type, ${OUTCOMES}
    from journey_step_runs r join journey_enrollments e on e.id = r.enrollment_id join customers c on c.id = e.customer_id
    where ${within(sql`r.ran_at`, ctx.period)} and ${journeyFilter(sql`r.journey_id`, journeyId)} and ${customerReach(ctx)}
    group by grouping sets ((r.journey_id, r.step_key), (r.journey_id))`)
}

/** Journey messages enqueued in the period per journey and step (step_key null: the journey's total). */
export function journeyMessageRows(ctx: ReportContext, journeyId: string | null): Promise<CountRow[]> {
  return rows<CountRow>(ctx.deps.db, sql`
    select m.journey_id::text as journey_id, m.step_key, ${MESSAGE_COUNTS}
    from messages m join customers c on c.id = m.customer_id
    where m.journey_id is not null and ${within(sql`m.created_at`, ctx.period)} and ${journeyFilter(sql`m.journey_id`, journeyId)} and ${customerReach(ctx)}
    group by grouping sets ((m.journey_id, m.step_key), (m.journey_id))`)
}

/**
 * What followed the period's enrollments within `days` days of entering: the customer's paid
 * orders (refunds aside: an order is the conversion) and referrals made by a referrer linked
 * to the customer. Revenue per currency.
 */
export function conversionRows(ctx: ReportContext, journeyId: string | null, days: number): Promise<CountRow[]> {
  const window = sql`make_interval(days => ${days})`
  return rows<CountRow>(ctx.deps.db, sql`
    with en as (
      select e.id, e.journey_id, e.customer_id, e.entered_at
      from journey_enrollments e join customers c on c.id = e.customer_id
      where ${within(sql`e.entered_at`, ctx.period)} and ${journeyFilter(sql`e.journey_id`, journeyId)} and ${customerReach(ctx)}
    ), ord as (
      select en.journey_id, en.id as enrollment_id, o.currency, count(*)::int as orders, sum(o.amount)::bigint as amount
      from en join orders o on o.customer_id = en.customer_id and o.deleted_at is null
        and o.paid_at >= en.entered_at and o.paid_at < en.entered_at + ${window}
      group by 1, 2, 3
    ), ref as (
      select en.journey_id, en.id as enrollment_id, count(*)::int as referrals
      from en join referrers f on f.customer_id = en.customer_id join referrals r on r.referrer_id = f.id
        and r.created_at >= en.entered_at and r.created_at < en.entered_at + ${window}
      group by 1, 2
    )
    select journey_id::text as journey_id, 'orders' as kind, currency, count(distinct enrollment_id)::int as enrollments,
      sum(orders)::int as n, sum(amount)::text as amount from ord group by journey_id, currency
    union all
    select journey_id::text, 'referrals', null, count(*)::int, sum(referrals)::int, null from ref group by journey_id
    union all
    select journey_id::text, 'order_enrollments', null, count(distinct enrollment_id)::int, 0, null from ord group by journey_id`)
}

/** The journeys named by any figure, or the one asked for. */
export function journeyRows(ctx: ReportContext, ids: string[]): Promise<CountRow[]> {
  if (ids.length === 0) return Promise.resolve([])
  return rows<CountRow>(ctx.deps.db, sql`
    select id::text, name, status::text from journeys where id in (${sql.join(ids.map((id) => sql`${id}::uuid`), sql`, `)}) order by name, id`)
}

/** Messages enqueued in the period per channel (and channel kind when it had none), and attempts made in it. */
export function channelRows(ctx: ReportContext): Promise<CountRow[]> {
  const reach = ctx.reach === 'all' ? sql`true` : sql`(m.customer_id is not null and ${customerReach(ctx)})`
  return rows<CountRow>(ctx.deps.db, sql`
    with msg as (
      select m.channel_id, m.channel_kind::text as kind, ${MESSAGE_COUNTS}
      from messages m left join customers c on c.id = m.customer_id
      where ${within(sql`m.created_at`, ctx.period)} and ${reach}
      group by 1, 2
    ), att as (
      select m.channel_id, m.channel_kind::text as kind, count(*)::int as attempts,
        count(*) filter (where a.status_code is null or a.status_code not between 200 and 299 or a.error is not null)::int as failed_attempts,
        avg(a.latency_ms)::float8 as average_ms,
        percentile_cont(0.5) within group (order by a.latency_ms)::float8 as median_ms,
        percentile_cont(0.95) within group (order by a.latency_ms)::float8 as p95_ms
      from message_attempts a join messages m on m.id = a.message_id left join customers c on c.id = m.customer_id
      where ${within(sql`a.attempted_at`, ctx.period)} and ${reach}
      group by 1, 2
    )
    select coalesce(msg.channel_id, att.channel_id)::text as channel_id, coalesce(msg.kind, att.kind) as kind, ch.name,
      coalesce(msg.total, 0) as total, coalesce(msg.queued, 0) as queued, coalesce(msg.held, 0) as held, coalesce(msg.sent, 0) as sent,
      coalesce(msg.failed, 0) as failed, coalesce(msg.capped, 0) as capped, coalesce(msg.blocked, 0) as blocked, coalesce(msg.dropped, 0) as dropped,
      coalesce(att.attempts, 0) as attempts, coalesce(att.failed_attempts, 0) as failed_attempts, att.average_ms, att.median_ms, att.p95_ms
    from msg full join att on att.channel_id is not distinct from msg.channel_id and att.kind = msg.kind
      left join notification_channels ch on ch.id = coalesce(msg.channel_id, att.channel_id)
    order by 2, 3, 1`)
}
