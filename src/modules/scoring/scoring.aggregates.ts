import { sql, type SQL } from 'drizzle-orm'
import type { Executor } from '../../db/client.js'
import { statement } from '../../db/statement.js'
import { DAY_MS } from '../../rules/rfm.js'
import { COUNTED } from './scoring.sql.js'

/**
 * The per-customer order aggregates in customer_scores (src/db/schema/scoring.ts), kept in
 * the transaction of every order write so that rescoring never rescans orders. They cover
 * RFM's counted orders (paid, not fully refunded, src/rules/rfm.ts) over all time, and in
 * `old_*` the part paid before scoring_state.window_from, the edge of the RFM window.
 */

/** The advisory lock a recompute holds exclusively while it moves the window's edge. */
export const EDGE_LOCK = sql`hashtext('crm.scoring.window_edge')`

/**
 * A payment this close to the window's edge (or older) may fall in the range a concurrent
 * recompute is moving past the edge: its writer shares the edge lock first, so the two
 * serialise. Newer payments (all but back-dated imports) never need it. Two days of margin
 * cover clocks and long transactions.
 */
export function nearEdge(paidAt: Date, now: Date, windowDays: number | null): boolean {
  return windowDays !== null && paidAt.getTime() < now.getTime() - (windowDays - 2) * DAY_MS
}

/** Shares the edge lock for the rest of the transaction. Its own statement, so the next one's snapshot sees where the edge is. */
export async function shareEdgeLock(ex: Executor): Promise<void> {
  await ex.execute(sql`select pg_advisory_xact_lock_shared(${EDGE_LOCK})`)
}

// One more counted order: the row is created on a customer's first order. `old_*` take it
// when it was paid before the edge (a back-dated order). The same statement marks the
// customer for the nightly run (scoring_dirty).
const addOrderStatement = statement<{ customerId: string; net: number; paidAt: string }>('customer_scores_add_order', () => sql`
  with marked as (${markDirty(sql`select ${sql.placeholder('customerId')}::uuid`)})
  insert into customer_scores as s (customer_id, paid_orders, net_paid, last_paid_at, old_orders, old_net)
  select ${sql.placeholder('customerId')}::uuid, 1, ${sql.placeholder('net')}::bigint, ${sql.placeholder('paidAt')}::timestamptz,
    (${sql.placeholder('paidAt')}::timestamptz < e.window_from)::int,
    case when ${sql.placeholder('paidAt')}::timestamptz < e.window_from then ${sql.placeholder('net')}::bigint else 0 end
  from scoring_state e where e.id = 1
  on conflict (customer_id) do update set
    paid_orders = s.paid_orders + 1,
    net_paid = s.net_paid + excluded.net_paid,
    last_paid_at = greatest(s.last_paid_at, excluded.last_paid_at),
    old_orders = s.old_orders + excluded.old_orders,
    old_net = s.old_net + excluded.old_net`)

/** A newly recorded paid order of `net` minor units. */
export async function addOrder(ex: Executor, customerId: string, net: number, paidAt: Date): Promise<void> {
  await addOrderStatement(ex, { customerId, net, paidAt: paidAt.toISOString() })
}

/** Marks the customers (a query of ids) as changed since the last run; a mark already there is bumped (scoring_dirty). */
function markDirty(ids: SQL): SQL {
  return sql`insert into scoring_dirty as d (customer_id) ${ids} on conflict (customer_id) do update set marks = d.marks + 1`
}

const GONE = sql`(g.deleted_at is not null or g.merged_into_id is not null)`

/**
 * Recounts the customers' aggregates from their orders (an index range each): after a
 * refund, a corrected amount or payment time, a merge that moved orders, a customer's
 * delete or return. Exact whatever happened, and cheap because it touches only these
 * customers. Only live customers keep a row: a deleted or merged one's row is removed (one
 * statement does both), so that scoring reads customer_scores without asking who is gone.
 * Every recount shares the edge lock, so its callers need not decide whether they are near it
 * (and never runs beside a recompute). The customers are marked for the nightly run; a removed
 * row's scored values are kept in scoring_removed, so they leave the histograms.
 */
export async function recountCustomers(ex: Executor, customerIds: readonly string[]): Promise<void> {
  if (customerIds.length === 0) return
  // old_* are counted against the edge as committed: a recompute moving it must not run between.
  await shareEdgeLock(ex)
  const ids = sql`${`{${customerIds.join(',')}}`}::uuid[]`
  await ex.execute(sql`
    with left_us as (
      delete from customer_scores s using customers g where g.id = s.customer_id and s.customer_id = any(${ids}) and ${GONE}
      returning s.customer_id, s.frequency, s.monetary, s.recency_from
    ),
    removed as (
      insert into scoring_removed (customer_id, frequency, monetary, recency_from)
      select customer_id, frequency, monetary, recency_from from left_us where frequency is not null
    ),
    marked as (${markDirty(sql`select distinct unnest(${ids})`)})
    insert into customer_scores as s (customer_id, paid_orders, net_paid, last_paid_at, old_orders, old_net)
    select c.id, coalesce(a.n, 0), coalesce(a.net, 0), a.last_paid_at, coalesce(a.old_n, 0), coalesce(a.old_net, 0)
    from unnest(${ids}) as c(id)
    join customers g on g.id = c.id and not ${GONE}
    cross join scoring_state e
    left join lateral (
      select count(*)::int as n, sum(o.amount - o.refunded_amount)::bigint as net, max(o.paid_at) as last_paid_at,
        (count(*) filter (where o.paid_at < e.window_from))::int as old_n,
        coalesce(sum(o.amount - o.refunded_amount) filter (where o.paid_at < e.window_from), 0)::bigint as old_net
      from orders o where o.customer_id = c.id and ${COUNTED}
    ) a on true
    where e.id = 1
    on conflict (customer_id) do update set
      paid_orders = excluded.paid_orders, net_paid = excluded.net_paid, last_paid_at = excluded.last_paid_at,
      old_orders = excluded.old_orders, old_net = excluded.old_net`)
}

/**
 * Rebuilds every customer's aggregates from all orders, with the window's edge at
 * `windowFrom` (null: -infinity, nothing old), and moves the edge there: for repair, after a
 * bulk load that bypassed the service, or when the window's length changes. The recount is
 * one parallel aggregate into a temporary table; one join with the stored rows then finds
 * what differs (rows already right are left alone, rows whose orders are all gone are
 * zeroed). The caller holds the edge lock exclusively.
 */
export async function rebuildAggregates(ex: Executor, windowFrom: Date | null, windowDays: number | null): Promise<void> {
  const from = windowFrom ? sql`${windowFrom.toISOString()}::timestamptz` : sql`'-infinity'::timestamptz`
  await ex.execute(sql`create temporary table scoring_recount on commit drop as
    select o.customer_id, count(*)::int as n, sum(o.amount - o.refunded_amount)::bigint as net, max(o.paid_at) as last_paid_at,
      (count(*) filter (where o.paid_at < ${from}))::int as old_n,
      coalesce(sum(o.amount - o.refunded_amount) filter (where o.paid_at < ${from}), 0)::bigint as old_net
    from orders o where ${COUNTED}
    group by o.customer_id`)
  // Rows of customers who left since (a bulk load that bypassed the service) go; theirs are not added back below.
  await ex.execute(sql`delete from customer_scores s using customers g where g.id = s.customer_id and ${GONE}`)
  await ex.execute(sql`
    with diff as materialized (
      select coalesce(a.customer_id, s.customer_id) as customer_id, s.customer_id is null as missing,
        coalesce(a.n, 0) as n, coalesce(a.net, 0) as net, a.last_paid_at, coalesce(a.old_n, 0) as old_n, coalesce(a.old_net, 0) as old_net
      from scoring_recount a full join customer_scores s on s.customer_id = a.customer_id
      where (s.paid_orders, s.net_paid, s.last_paid_at, s.old_orders, s.old_net)
        is distinct from (coalesce(a.n, 0), coalesce(a.net, 0), a.last_paid_at, coalesce(a.old_n, 0), coalesce(a.old_net, 0))
    ),
    added as (
      insert into customer_scores (customer_id, paid_orders, net_paid, last_paid_at, old_orders, old_net)
      select d.customer_id, n, net, last_paid_at, old_n, old_net from diff d
      where missing and not exists (select 1 from customers g where g.id = d.customer_id and ${GONE})
    )
    update customer_scores s set paid_orders = d.n, net_paid = d.net, last_paid_at = d.last_paid_at, old_orders = d.old_n, old_net = d.old_net
    from diff d where not d.missing and s.customer_id = d.customer_id`)
  await ex.execute(sql`drop table scoring_recount`)
  await ex.execute(sql`update scoring_state set window_from = ${from}, window_days = ${windowDays} where id = 1`)
}

/**
 * Moves the window's edge from where it stands to `to`. The counted orders it passes over
 * go, per customer and signed (positive when the edge moves forward: they become old), into
 * the temporary table scoring_edge: one index range over orders.paid_at, a day's payments
 * for a nightly run. The run's scoring pass adds them to `old_*` in the same row write as
 * the scores (scoring.facts.ts), so a row is written once per run; until then, inside the
 * run's transaction, `old_*` lag the edge. The caller holds the edge lock exclusively.
 */
export async function moveEdge(ex: Executor, from: Date | null, to: Date): Promise<void> {
  const toSql = sql`${to.toISOString()}::timestamptz`
  const fromSql = from ? sql`${from.toISOString()}::timestamptz` : sql`'-infinity'::timestamptz`
  const forward = from === null || from.getTime() <= to.getTime()
  const [lo, hi, sign] = forward ? [fromSql, toSql, sql`1`] : [toSql, fromSql, sql`-1`]
  await ex.execute(sql`create temporary table scoring_edge on commit drop as
    select o.customer_id, (${sign} * count(*))::int as n, (${sign} * sum(o.amount - o.refunded_amount))::bigint as net
    from orders o where o.paid_at >= ${lo} and o.paid_at < ${hi} and ${COUNTED}
    group by o.customer_id`)
  await ex.execute(sql`analyze scoring_edge`)
  await ex.execute(sql`update scoring_state set window_from = ${toSql} where id = 1`)
}
