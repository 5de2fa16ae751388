import { sql } from 'drizzle-orm'
import type { Db } from '../../../src/db/client.js'

export type SlaSeedSizes = { tickets: number; open: number; customers: number }

/**
 * A million tickets in a few SQL statements (generate_series), shaped like a service desk's
 * history: most closed (answered, resolved in time or breached and marked), `open` still
 * running with due times spread over the next weeks, about 2% of their first-response and 3%
 * of their resolution clocks already past due and not yet marked: the scan's work.
 */
export async function seedTickets(db: Db, sizes: SlaSeedSizes, now: Date): Promise<void> {
  const at = now.toISOString()
  await db.execute(sql`insert into teams (id, name) select gen_random_uuid(), 'sla team ' || g from generate_series(1, 10) g`)
  // Per team: one manager and ten agents.
  await db.execute(sql`insert into users (id, name, role, team_id)
    select gen_random_uuid(), 'manager ' || t.name, 'manager', t.id from teams t where t.name like 'sla team %'`)
  await db.execute(sql`insert into users (id, name, role, team_id)
    select gen_random_uuid(), 'agent ' || g || ' ' || t.name, 'service', t.id from teams t, generate_series(1, 10) g where t.name like 'sla team %'`)
  await db.execute(sql`insert into customers (id, name) select gen_random_uuid(), '客户' || g from generate_series(1, ${sizes.customers}::int) g`)
  await db.execute(sql`create temporary table sla_customers as select row_number() over (order by id) as n, id from customers`)
  await db.execute(sql`create temporary table sla_agents as select row_number() over (order by u.id) as n, u.id, u.team_id from users u where u.role = 'service'`)
  const closed = sizes.tickets - sizes.open
  // Closed tickets: answered in time (no first-response due time, src/rules/ticket-sla.ts); resolved in time (no resolution due time) or late and already marked.
  await db.execute(sql`insert into tickets (id, customer_id, channel, category, priority, subject, status, assignee_id, queue_team_id,
      first_response_minutes, resolution_minutes, first_response_due_at, first_responded_at, resolution_due_at, resolution_breached_at,
      resolved_at, closed_at, tracking_token_hash, created_at, updated_at)
    select gen_random_uuid(), c.id, 'web', 'general', (array['low','normal','high','urgent'])[1 + g % 4]::ticket_priority, '工单 ' || g, 'closed',
      a.id, a.team_id, 240, 1440, null, o - interval '2 hours',
      case when g % 10 = 0 then o - interval '1 hour' end, case when g % 10 = 0 then o - interval '50 minutes' end,
      o - interval '30 minutes', o, md5('closed' || g), o - interval '3 days', o
    from generate_series(1, ${closed}::int) g
      cross join lateral (select ${at}::timestamptz - (g % 700) * interval '1 day' as o) t
      join sla_customers c on c.n = 1 + g % ${sizes.customers}::int
      join sla_agents a on a.n = 1 + g % 100`)
  // Open tickets: 70% answered in time (no first-response due time); the other due times from a little past to weeks ahead (minutes).
  await db.execute(sql`insert into tickets (id, customer_id, channel, category, priority, subject, status, assignee_id, queue_team_id,
      first_response_minutes, resolution_minutes, first_response_due_at, first_responded_at, resolution_due_at, tracking_token_hash, created_at, updated_at)
    select gen_random_uuid(), c.id, 'wechat', 'repair', (array['low','normal','high','urgent'])[1 + g % 4]::ticket_priority, '报修 ' || g,
      (array['open','in_progress','in_progress','waiting_customer'])[1 + g % 4]::ticket_status,
      case when g % 5 = 0 then null else a.id end, a.team_id, 240, 1440,
      case when g % 10 >= 7 then ${at}::timestamptz + (((g::bigint * 7919) % ${sizes.open}::int)::int - ${Math.round(sizes.open * 0.02)}::int) * interval '1 minute' end,
      case when g % 10 < 7 then ${at}::timestamptz - interval '10 minutes' end,
      ${at}::timestamptz + (((g::bigint * 104729) % ${sizes.open}::int)::int - ${Math.round(sizes.open * 0.03)}::int) * interval '1 minute',
      md5('open' || g), ${at}::timestamptz - interval '1 day', ${at}::timestamptz
    from generate_series(1, ${sizes.open}::int) g
      join sla_customers c on c.n = 1 + g % ${sizes.customers}::int
      join sla_agents a on a.n = 1 + g % 100`)
}
