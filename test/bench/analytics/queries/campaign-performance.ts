/**
 * The hand-written reference for campaign-performance (admin reach, no filters): every live
 * campaign's totals in [from, to) as rows (campaign_id, metric, currency, value), one
 * statement over the base tables, written from docs/analytics.md ("Campaign performance")
 * without the report's code. `campaignIds` narrows it to some campaigns (the report answers
 * one campaign, campaign-comparison up to 20); without it, every live campaign.
 */
export const campaignPerformanceHandwritten = {
  report: 'campaign-performance',
  sql(p: { from: string; to: string; tz: string; campaignIds?: string[] }): { text: string; values: unknown[] } {
    return {
      text: `
        with c as (
          select id from campaigns where deleted_at is null and ($4::uuid[] is null or id = any($4::uuid[]))
        ), r as (
          select r.campaign_id, r.referrer_id, r.submitted_at, r.converted_at from referrals r join c on c.id = r.campaign_id where r.deleted_at is null
        ), o as (
          select o.id, o.campaign_id, o.currency, o.amount, o.paid_at from orders o join c on c.id = o.campaign_id
          join customers cu on cu.id = o.customer_id and cu.deleted_at is null and cu.merged_into_id is null
          where o.deleted_at is null
        )
        select campaign_id, 'referrals' as metric, null::text as currency, count(*)::bigint as value from r where submitted_at >= $1 and submitted_at < $2 group by 1
        union all
        select campaign_id, 'participants', null, count(distinct referrer_id) from r where submitted_at >= $1 and submitted_at < $2 group by 1
        union all
        select campaign_id, 'conversions', null, count(*) from r where converted_at >= $1 and converted_at < $2 group by 1
        union all
        select l.campaign_id, 'leads', null, count(*) from leads l join c on c.id = l.campaign_id
          where l.deleted_at is null and l.created_at >= $1 and l.created_at < $2 group by 1
        union all
        select campaign_id, 'attributedRevenue', currency, sum(amount)::bigint from (
          select campaign_id, currency::text, amount from o where paid_at >= $1 and paid_at < $2
          union all
          select o.campaign_id, o.currency::text, -f.amount from order_refunds f join o on o.id = f.order_id where f.refunded_at >= $1 and f.refunded_at < $2
        ) m group by 1, 3
        union all
        select w.campaign_id, case when w.reward_type = 'points' then 'pointsAwarded' else 'rewardCost' end,
            case when w.reward_type = 'points' then null else w.currency::text end, sum(w.amount)::bigint
          from rewards w join c on c.id = w.campaign_id
          where w.status in ('approved', 'paid', 'reversed') and w.approved_at >= $1 and w.approved_at < $2 group by 1, 2, 3
        union all
        select k.campaign_id, 'otherCosts', k.currency::text, sum(k.amount)::bigint from campaign_costs k join c on c.id = k.campaign_id
          where k.deleted_at is null and (k.incurred_on::timestamp at time zone $3) >= $1 and (k.incurred_on::timestamp at time zone $3) < $2 group by 1, 3`,
      values: [p.from, p.to, p.tz, p.campaignIds ?? null]
    }
  }
}
