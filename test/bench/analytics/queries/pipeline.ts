/**
 * The pipeline report (admin reach, no filters) as one hand-written statement over the base
 * tables, for the benchmark's comparison: one row per open stage with its open opportunities
 * now (money per currency as JSON) and its conversion over the period [$1, $2).
 */
export const pipelineHandwritten = {
  report: 'pipeline',
  sql(p: { from: string; to: string; tz: string }): { text: string; values: unknown[] } {
    return {
      text: `
with live as (
  select o.* from opportunities o join customers c on c.id = o.customer_id
  where o.deleted_at is null and c.deleted_at is null and c.merged_into_id is null
),
open_money as (
  select stage, currency, count(*) as n, sum(amount) as amount, round(sum(amount::numeric * probability) / 100) as weighted,
    sum(extract(epoch from now() - stage_changed_at)) as age
  from live where stage not in ('won', 'lost') group by stage, currency
),
open_stage as (
  select stage, sum(n)::int as count, sum(age)::float8 / sum(n) as average_age,
    jsonb_agg(jsonb_build_object('currency', currency, 'amount', amount) order by currency) as amount,
    jsonb_agg(jsonb_build_object('currency', currency, 'amount', weighted) order by currency) as weighted
  from open_money group by stage
),
entries as (
  select h.opportunity_id, h.to_stage as stage, min(h.changed_at) as entered_at
  from opportunity_stage_history h join live o on o.id = h.opportunity_id
  where h.changed_at >= $1::timestamptz and h.changed_at < $2::timestamptz and h.to_stage not in ('won', 'lost')
  group by h.opportunity_id, h.to_stage
),
conversion as (
  select e.stage, count(*)::int as entered,
    count(*) filter (where exists (select 1 from opportunity_stage_history n where n.opportunity_id = e.opportunity_id and n.changed_at > e.entered_at and n.to_stage > e.stage and n.to_stage <> 'lost'))::int as advanced,
    count(*) filter (where exists (select 1 from opportunity_stage_history n where n.opportunity_id = e.opportunity_id and n.changed_at > e.entered_at and n.to_stage = 'won'))::int as won,
    count(*) filter (where exists (select 1 from opportunity_stage_history n where n.opportunity_id = e.opportunity_id and n.changed_at > e.entered_at and n.to_stage = 'lost'))::int as lost
  from entries e group by e.stage
)
select s.stage::text as stage, coalesce(o.count, 0) as count, o.average_age,
  coalesce(o.amount, '[]'::jsonb) as amount, coalesce(o.weighted, '[]'::jsonb) as weighted_amount,
  coalesce(c.entered, 0) as entered, coalesce(c.advanced, 0) as advanced, coalesce(c.won, 0) as won, coalesce(c.lost, 0) as lost
from unnest(enum_range(null::opportunity_stage)) as s(stage)
left join open_stage o on o.stage = s.stage left join conversion c on c.stage = s.stage
where s.stage not in ('won', 'lost')
order by s.stage`,
      values: [p.from, p.to]
    }
  }
}
