/**
 * The KPIs (admin reach) for one period as one hand-written query over the base tables, for the
 * benchmark to compare with the report (which also runs it for the previous period).
 * Columns: lead_conversion_rate, average_sales_cycle_seconds, repurchase_rate, referral_rate,
 * active_referrers, churned_customers, customers_per_rep.
 */
export const kpisHandwritten = {
  report: 'kpis',
  sql(p: { from: string; to: string; tz: string }): { text: string; values: unknown[] } {
    return {
      text: `
        with counted_orders as (
          select o.customer_id from orders o join customers c on c.id = o.customer_id
          left join lateral (select coalesce(sum(x.amount), 0) as refunded from order_refunds x where x.order_id = o.id and x.refunded_at < $2) r on true
          where o.deleted_at is null and c.deleted_at is null and c.merged_into_id is null
            and o.paid_at >= $1 and o.paid_at < $2 and r.refunded < o.amount
        ), buyers as (
          select customer_id, count(*) as n from counted_orders group by customer_id
        ), submitters as (
          select distinct r.referrer_id from referrals r where r.deleted_at is null and r.submitted_at >= $1 and r.submitted_at < $2
        ), owned as (
          select c.owner_id from customers c join users u on u.id = c.owner_id
          where u.active and c.deleted_at is null and c.merged_into_id is null and c.created_at < $2
        )
        select
          (select avg(case when converted_at < $2 then 1.0 else 0.0 end)::float8 from leads
            where deleted_at is null and created_at >= $1 and created_at < $2) as lead_conversion_rate,
          (select avg(extract(epoch from closed_at - created_at))::float8 from opportunities
            where deleted_at is null and stage = 'won' and closed_at >= $1 and closed_at < $2) as average_sales_cycle_seconds,
          (select avg(case when n >= 2 then 1.0 else 0.0 end)::float8 from buyers) as repurchase_rate,
          (select avg(case when exists (select 1 from referrers f join submitters s on s.referrer_id = f.id
            where f.customer_id = b.customer_id and f.deleted_at is null) then 1.0 else 0.0 end)::float8 from buyers b) as referral_rate,
          (select count(*)::int from referrers f join submitters s on s.referrer_id = f.id where f.deleted_at is null) as active_referrers,
          (select count(distinct e.entity_id)::int from outbox_events e join customers c on c.id = e.entity_id
            where e.entity_type = 'customer' and c.deleted_at is null and c.merged_into_id is null
              and e.occurred_at >= $1 and e.occurred_at < $2
              and ((e.type = 'customer.updated' and e.data #>> '{changes,lifecycleStage,to}' = 'churned')
                or (e.type = 'customer.created' and e.data #>> '{customer,lifecycleStage}' = 'churned'))) as churned_customers,
          (select count(*)::float8 / nullif(count(distinct owner_id), 0) from owned) as customers_per_rep`,
      values: [p.from, p.to]
    }
  }
}
