/**
 * The referral funnel as one hand-written statement over the base tables (admin reach,
 * cohort view, no filters, no grouping): the benchmark's yardstick for the report
 * (docs/analytics.md, "Referral funnel"). One row per step: step, count, measured, median, p90.
 */
export const referralFunnelHandwritten = {
  report: 'referral-funnel',
  sql(p: { from: string; to: string; tz: string }): { text: string; values: unknown[] } {
    return {
      text: `
with cohort as materialized (
  select r.created_at as t1, r.consented_at, r.submitted_at as s2, r.qualified_at as s3,
    case when l.deleted_at is null then l.first_contacted_at end as s4,
    o.created_at as s5, r.converted_at as s6,
    (select min(od.paid_at) from orders od join customers cu on cu.id = od.customer_id
      where od.referral_id = r.id and od.deleted_at is null and cu.deleted_at is null) as s7
  from referrals r
  left join leads l on l.id = r.lead_id
  left join opportunities o on o.id = r.opportunity_id and o.deleted_at is null
  where r.deleted_at is null and r.created_at >= $1::timestamptz and r.created_at < $2::timestamptz
    and (r.submitted_at is not null or r.consent_expires_at is not null)
),
pairs as (
  select step, reached, seconds from cohort, lateral (values
    (1, true, null::float8),
    (2, coalesce(s2, s3, s4, s5, s6, s7) is not null, extract(epoch from consented_at - t1)::float8),
    (3, coalesce(s3, s4, s5, s6, s7) is not null, extract(epoch from s3 - s2)::float8),
    (4, coalesce(s4, s5, s6, s7) is not null, extract(epoch from s4 - s3)::float8),
    (5, coalesce(s5, s6, s7) is not null, extract(epoch from s5 - s4)::float8),
    (6, coalesce(s6, s7) is not null, extract(epoch from s6 - s5)::float8),
    (7, s7 is not null, extract(epoch from s7 - s6)::float8)
  ) v(step, reached, seconds)
)
select step, count(*) filter (where reached)::int as count, count(seconds)::int as measured,
  percentile_cont(0.5) within group (order by seconds) as median,
  percentile_cont(0.9) within group (order by seconds) as p90
from pairs group by step order by step`,
      // The zone does not change the cohort's totals (no buckets); kept for the common signature.
      values: [p.from, p.to]
    }
  }
}
