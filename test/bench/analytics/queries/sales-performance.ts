/**
 * The sales performance report (admin reach, no filters) as one hand-written statement over
 * the base tables, for the benchmark's comparison: one row per rep (level 'rep') and per team
 * of the reps listed (level 'team', team_id null for reps without a team), money per currency,
 * open stages, lost reasons and activity kinds as JSON. Period [$1, $2).
 */
const sets = (owner: string, by = '') => by
  ? `group by grouping sets ((u.team_id, ${owner}, ${by}), (u.team_id, ${by}))`
  : `group by grouping sets ((u.team_id, ${owner}), (u.team_id))`
const head = (owner: string) => `u.team_id, ${owner} as uid, grouping(${owner}) as g`

export const salesPerformanceHandwritten = {
  report: 'sales-performance',
  sql(p: { from: string; to: string; tz: string }): { text: string; values: unknown[] } {
    return {
      text: `
with live as (
  select o.* from opportunities o join customers c on c.id = o.customer_id
  where o.deleted_at is null and c.deleted_at is null and c.merged_into_id is null
),
assigned as (
  select ${head('l.owner_id')}, count(*)::int as n, count(l.gap)::int as responded,
    percentile_cont(0.5) within group (order by l.gap) as median, percentile_cont(0.9) within group (order by l.gap) as p90
  from (select owner_id, case when first_contacted_at >= assigned_at then extract(epoch from first_contacted_at - assigned_at)::float8 end as gap
        from leads where deleted_at is null and assigned_at >= $1::timestamptz and assigned_at < $2::timestamptz) l
  join users u on u.id = l.owner_id ${sets('l.owner_id')}
),
due as (
  select ${head('l.owner_id')}, count(*)::int as n, count(*) filter (where l.first_contacted_at <= l.first_contact_due_at)::int as met
  from leads l join users u on u.id = l.owner_id
  where l.deleted_at is null and l.first_contact_due_at >= $1::timestamptz and l.first_contact_due_at < least($2::timestamptz, now())
  ${sets('l.owner_id')}
),
deals as (
  select ${head('o.owner_id')},
    count(*) filter (where o.created_at >= $1::timestamptz and o.created_at < $2::timestamptz)::int as opened,
    count(*) filter (where o.stage = 'won' and o.closed_at >= $1::timestamptz and o.closed_at < $2::timestamptz)::int as won,
    count(*) filter (where o.stage = 'lost' and o.closed_at >= $1::timestamptz and o.closed_at < $2::timestamptz)::int as lost,
    avg(extract(epoch from o.closed_at - o.created_at)::float8) filter (where o.stage = 'won' and o.closed_at >= $1::timestamptz and o.closed_at < $2::timestamptz) as cycle
  from live o join users u on u.id = o.owner_id
  where (o.created_at >= $1::timestamptz and o.created_at < $2::timestamptz) or (o.closed_at >= $1::timestamptz and o.closed_at < $2::timestamptz)
  ${sets('o.owner_id')}
),
won_money as (
  select team_id, uid, g, jsonb_agg(jsonb_build_object('currency', currency, 'amount', amount) order by currency) as money from (
    select ${head('o.owner_id')}, o.currency, sum(o.amount) as amount from live o join users u on u.id = o.owner_id
    where o.stage = 'won' and o.closed_at >= $1::timestamptz and o.closed_at < $2::timestamptz ${sets('o.owner_id', 'o.currency')}
  ) x group by team_id, uid, g
),
lost_reasons as (
  select team_id, uid, g, jsonb_agg(jsonb_build_object('reason', reason, 'count', n) order by n desc, coalesce(reason, '') collate "C") filter (where rank <= 5) as reasons from (
    select *, row_number() over (partition by team_id, uid, g order by n desc, coalesce(reason, '') collate "C") as rank from (
      select ${head('o.owner_id')}, o.lost_reason as reason, count(*)::int as n from live o join users u on u.id = o.owner_id
      where o.stage = 'lost' and o.closed_at >= $1::timestamptz and o.closed_at < $2::timestamptz ${sets('o.owner_id', 'o.lost_reason')}
    ) y
  ) x group by team_id, uid, g
),
open_stages as (
  select team_id, uid, g, jsonb_agg(jsonb_build_object('stage', stage, 'currency', currency, 'count', n, 'amount', amount, 'weighted', weighted) order by stage, currency) as stages from (
    select ${head('o.owner_id')}, o.stage::text as stage, o.currency, count(*)::int as n, sum(o.amount) as amount,
      round(sum(o.amount::numeric * o.probability) / 100) as weighted
    from live o join users u on u.id = o.owner_id where o.stage not in ('won', 'lost') ${sets('o.owner_id', 'o.stage, o.currency')}
  ) x group by team_id, uid, g
),
kinds as (
  select team_id, uid, g, jsonb_object_agg(kind, n) as kinds from (
    select ${head('a.author_id')}, a.kind::text as kind, count(*)::int as n from activities a join users u on u.id = a.author_id
    where a.deleted_at is null and a.occurred_at >= $1::timestamptz and a.occurred_at < $2::timestamptz ${sets('a.author_id', 'a.kind')}
  ) x group by team_id, uid, g
),
owned as (
  select ${head('c.owner_id')}, count(*)::int as n from customers c join users u on u.id = c.owner_id
  where c.deleted_at is null and c.merged_into_id is null ${sets('c.owner_id')}
),
figures as (
  select team_id, uid, g from assigned union select team_id, uid, g from due union select team_id, uid, g from deals
  union select team_id, uid, g from open_stages union select team_id, uid, g from kinds union select team_id, uid, g from owned
),
reps as (
  select u.id, u.team_id from users u
  where (u.deleted_at is null and u.active and u.role in ('sales', 'manager')) or u.id in (select uid from figures where g = 0)
),
keys as (
  select 'rep' as level, team_id, id as uid, 0 as g from reps
  union all select distinct 'team', team_id, null::uuid, 1 from reps
)
select k.level, k.team_id, k.uid as user_id,
  coalesce(a.n, 0) as leads_assigned, coalesce(a.responded, 0) as first_response_count, a.median, a.p90,
  coalesce(d.n, 0) as follow_up_due, coalesce(d.met, 0) as follow_up_met,
  coalesce(o.opened, 0) as opened, coalesce(o.won, 0) as won, coalesce(o.lost, 0) as lost, o.cycle,
  coalesce(w.money, '[]'::jsonb) as won_amount, coalesce(r.reasons, '[]'::jsonb) as lost_reasons,
  coalesce(s.stages, '[]'::jsonb) as open_stages, coalesce(ak.kinds, '{}'::jsonb) as activities, coalesce(c.n, 0) as customers_owned
from keys k
left join assigned a on a.g = k.g and a.team_id is not distinct from k.team_id and a.uid is not distinct from k.uid
left join due d on d.g = k.g and d.team_id is not distinct from k.team_id and d.uid is not distinct from k.uid
left join deals o on o.g = k.g and o.team_id is not distinct from k.team_id and o.uid is not distinct from k.uid
left join won_money w on w.g = k.g and w.team_id is not distinct from k.team_id and w.uid is not distinct from k.uid
left join lost_reasons r on r.g = k.g and r.team_id is not distinct from k.team_id and r.uid is not distinct from k.uid
left join open_stages s on s.g = k.g and s.team_id is not distinct from k.team_id and s.uid is not distinct from k.uid
left join kinds ak on ak.g = k.g and ak.team_id is not distinct from k.team_id and ak.uid is not distinct from k.uid
left join owned c on c.g = k.g and c.team_id is not distinct from k.team_id and c.uid is not distinct from k.uid`,
      values: [p.from, p.to]
    }
  }
}
