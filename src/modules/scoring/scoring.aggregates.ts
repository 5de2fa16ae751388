import { sql } from 'drizzle-orm'
import type { Executor } from '../../db/client.js'
import { statement } from '../../db/statement.js'
import { DAY_MS } from '../../rules/rfm.js'

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
// when it was paid before the edge (a back-dated order).
const addOrderStatement = statement<{ customerId: string; net: number; paidAt: string }>('customer_scores_add_order', () => sql`
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

const COUNTED = sql`o.status = 'paid' and o.refunded_amount < o.amount`

/**
 * Recounts the customers' aggregates from their orders (an index range each): after a
 * refund, a corrected amount or payment time, or a merge that moved orders. Exact whatever
 * happened, and cheap because it touches only these customers.
 */
export async function recountCustomers(ex: Executor, customerIds: readonly string[]): Promise<void> {
  if (customerIds.length === 0) return
  await ex.execute(sql`
    insert into customer_scores as s (customer_id, paid_orders, net_paid, last_paid_at, old_orders, old_net)
    select c.id, coalesce(a.n, 0), coalesce(a.net, 0), a.last_paid_at, coalesce(a.old_n, 0), coalesce(a.old_net, 0)
    from unnest(${`{${customerIds.join(',')}}`}::uuid[]) as c(id)
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
 * bulk load that bypassed the service, or when the window's length changes. Rows already
 * right are left alone. The caller holds the edge lock exclusively.
 */
export async function rebuildAggregates(ex: Executor, windowFrom: Date | null, windowDays: number | null): Promise<void> {
  const from = windowFrom ? sql`${windowFrom.toISOString()}::timestamptz` : sql`'-infinity'::timestamptz`
  await ex.execute(sql`
    insert into customer_scores as s (customer_id, paid_orders, net_paid, last_paid_at, old_orders, old_net)
    select o.customer_id, count(*)::int, sum(o.amount - o.refunded_amount)::bigint, max(o.paid_at),
      (count(*) filter (where o.paid_at < ${from}))::int,
      coalesce(sum(o.amount - o.refunded_amount) filter (where o.paid_at < ${from}), 0)::bigint
    from orders o where ${COUNTED}
    group by o.customer_id
    on conflict (customer_id) do update set
      paid_orders = excluded.paid_orders, net_paid = excluded.net_paid, last_paid_at = excluded.last_paid_at,
      old_orders = excluded.old_orders, old_net = excluded.old_net
    where (s.paid_orders, s.net_paid, s.last_paid_at, s.old_orders, s.old_net)
      is distinct from (excluded.paid_orders, excluded.net_paid, excluded.last_paid_at, excluded.old_orders, excluded.old_net)`)
  // Customers whose orders are all gone (refunded, moved by a merge) since their row was made.
  await ex.execute(sql`
    update customer_scores s set paid_orders = 0, net_paid = 0, last_paid_at = null, old_orders = 0, old_net = 0
    where s.paid_orders <> 0 and not exists (select 1 from orders o where o.customer_id = s.customer_id and ${COUNTED})`)
  await ex.execute(sql`update scoring_state set window_from = ${from}, window_days = ${windowDays} where id = 1`)
}

/**
 * Moves the window's edge from where it stands to `to`, adding to `old_*` the counted orders
 * paid in between (or taking them back out when the edge moves back). One index range over
 * orders.paid_at: a day's payments for a nightly run. The caller holds the edge lock.
 */
export async function moveEdge(ex: Executor, from: Date | null, to: Date): Promise<void> {
  const toSql = sql`${to.toISOString()}::timestamptz`
  const fromSql = from ? sql`${from.toISOString()}::timestamptz` : sql`'-infinity'::timestamptz`
  const forward = from === null || from.getTime() <= to.getTime()
  const [lo, hi, sign] = forward ? [fromSql, toSql, sql`1`] : [toSql, fromSql, sql`-1`]
  await ex.execute(sql`
    update customer_scores s set old_orders = s.old_orders + ${sign} * d.n, old_net = s.old_net + ${sign} * d.net
    from (
      select o.customer_id, count(*)::int as n, sum(o.amount - o.refunded_amount)::bigint as net
      from orders o where o.paid_at >= ${lo} and o.paid_at < ${hi} and ${COUNTED}
      group by o.customer_id
    ) d
    where s.customer_id = d.customer_id`)
  await ex.execute(sql`update scoring_state set window_from = ${toSql} where id = 1`)
}
