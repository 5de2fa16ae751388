/**
 * The referrer leaderboard (default arguments: rank by conversions, top 10, CNY; admin reach)
 * as one hand-written query over the base tables, for the benchmark to compare with the report.
 * Columns: rank, id, conversions, referrals, revenue and rewards (jsonb [{amount, currency}]), reward_points.
 */
export const referrerLeaderboardHandwritten = {
  report: 'referrer-leaderboard',
  sql(p: { from: string; to: string; tz: string }): { text: string; values: unknown[] } {
    return {
      text: `
        with conv as (
          select referrer_id as id, count(*) as n from referrals
          where deleted_at is null and converted_at >= $1 and converted_at < $2 group by referrer_id
        ), subm as (
          select referrer_id as id, count(*) as n from referrals
          where deleted_at is null and submitted_at >= $1 and submitted_at < $2 group by referrer_id
        ), money as (
          select o.referrer_id as id, o.currency, o.amount as v from orders o join customers c on c.id = o.customer_id
          where c.deleted_at is null and o.deleted_at is null and o.referrer_id is not null and o.paid_at >= $1 and o.paid_at < $2
          union all
          select o.referrer_id, o.currency, -x.amount from order_refunds x join orders o on o.id = x.order_id join customers c on c.id = o.customer_id
          where c.deleted_at is null and o.deleted_at is null and o.referrer_id is not null and x.refunded_at >= $1 and x.refunded_at < $2
        ), rev as (
          select id, jsonb_agg(jsonb_build_object('amount', v, 'currency', currency) order by currency) as list
          from (select id, currency::text, sum(v)::bigint as v from money group by id, currency) m group by id
        ), earned as (
          select beneficiary_id as id, reward_type = 'points' as points, currency::text, sum(amount)::bigint as v from rewards
          where beneficiary_type = 'referrer' and status in ('approved', 'paid', 'reversed') and approved_at >= $1 and approved_at < $2
          group by 1, 2, 3
        ), rew as (
          select id, coalesce(jsonb_agg(jsonb_build_object('amount', v, 'currency', currency) order by currency) filter (where not points), '[]') as list,
            coalesce(sum(v) filter (where points), 0)::float8 as points
          from earned group by id
        ), active as (
          select id from conv union select id from subm union select id from rev union select id from rew
        )
        select rank() over (order by coalesce(conv.n, 0) desc)::int as rank, f.id, coalesce(conv.n, 0)::int as conversions,
          coalesce(subm.n, 0)::int as referrals, coalesce(rev.list, '[]') as revenue, coalesce(rew.list, '[]') as rewards,
          coalesce(rew.points, 0) as reward_points
        from active a join referrers f on f.id = a.id and f.deleted_at is null
        left join conv on conv.id = a.id left join subm on subm.id = a.id left join rev on rev.id = a.id left join rew on rew.id = a.id
        order by coalesce(conv.n, 0) desc, f.id
        limit 10`,
      values: [p.from, p.to]
    }
  }
}
