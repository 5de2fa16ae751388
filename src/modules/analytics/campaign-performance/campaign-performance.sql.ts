import { sql, type SQL } from 'drizzle-orm'
import { rows, ts } from '../../../db/rows.js'
import type { Executor } from '../../../db/client.js'
import type { Period } from '../../../rules/report-period.js'
import type { Actor } from '../../auth/actor.js'
import type { Reach } from '../../auth/permissions.js'
import { ownerScope } from '../analytics.scope.js'

/** One figure of one campaign: a metric in a bucket (null: not bucketed), channel and currency where they apply. */
export type Fact = { campaignId: string; metric: FactMetric; bucket: string | null; channel: string | null; currency: string | null; value: number }
export type FactMetric = 'referrals' | 'conversions' | 'participants' | 'leads' | 'revenue' | 'rewardCost' | 'points' | 'otherCosts'

/** The row filters of a manager's or sales rep's reach (docs/analytics.md, "Campaign performance", "Reach"). */
type Scopes = { referral: SQL; lead: SQL; customer: SQL; reward: SQL; campaign: SQL }

function scopes(actor: Actor, reach: Reach): Scopes {
  if (reach === 'all') return { referral: sql`true`, lead: sql`true`, customer: sql`true`, reward: sql`true`, campaign: sql`true` }
  const s = (owner: SQL) => ownerScope(actor, reach, owner)
  return {
    referral: sql`(exists (select 1 from leads sl where sl.id = r.lead_id and ${s(sql`sl.owner_id`)})
      or exists (select 1 from referrers sf where sf.id = r.referrer_id and ${s(sql`sf.owner_id`)}))`,
    lead: s(sql`l.owner_id`),
    customer: s(sql`c.owner_id`),
    reward: sql`exists (select 1 from referrers sf where sf.id = w.referrer_id and ${s(sql`sf.owner_id`)})`,
    campaign: s(sql`cp.owner_id`)
  }
}

/**
 * Every figure of the campaigns `ids` in `period`, in one statement: counts by bucket and
 * channel, money by bucket, channel and currency. The caller adds them up (totals, by
 * channel, by bucket), so the three views cannot disagree. `bucket` null: no series wanted.
 */
export async function campaignFacts(
  ex: Executor, ids: readonly string[], period: Period, timeZone: string, bucket: string | null, actor: Actor, reach: Reach
): Promise<Fact[]> {
  if (ids.length === 0) return []
  const sc = scopes(actor, reach)
  const list = sql.join(ids.map((id) => sql`${id}::uuid`), sql`, `)
  const from = ts(period.from)
  const to = ts(period.to)
  const within = (at: SQL) => sql`${at} >= ${from} and ${at} < ${to}`
  const key = (at: SQL) => bucket ? sql`to_char(date_trunc(${bucket}::text, ${at} at time zone ${timeZone}::text), 'YYYY-MM-DD')` : sql`null::text`
  const dayKey = (day: SQL) => bucket ? sql`to_char(date_trunc(${bucket}::text, ${day}::timestamp), 'YYYY-MM-DD')` : sql`null::text`
  const found = await rows<{ campaign_id: string; metric: FactMetric; bucket: string | null; channel: string | null; currency: string | null; value: string | number }>(ex, sql`
    with ref as (
      select r.campaign_id, r.referrer_id, r.channel::text as channel, r.submitted_at, r.converted_at
      from referrals r
      where r.campaign_id in (${list}) and r.deleted_at is null
        and ((${within(sql`r.submitted_at`)}) or (${within(sql`r.converted_at`)})) and ${sc.referral}
    )
    select campaign_id, 'referrals'::text as metric, ${key(sql`submitted_at`)} as bucket, channel, null::text as currency, count(*)::bigint as value
      from ref where ${within(sql`submitted_at`)} group by 1, 2, 3, 4, 5
    union all
    select campaign_id, 'conversions', ${key(sql`converted_at`)}, channel, null, count(*)::bigint
      from ref where ${within(sql`converted_at`)} group by 1, 2, 3, 4, 5
    union all
    select campaign_id, 'participants', null, null, null, count(distinct referrer_id)::bigint
      from ref where ${within(sql`submitted_at`)} group by 1, 2, 3, 4, 5
    union all
    select l.campaign_id, 'leads', ${key(sql`l.created_at`)}, null, null, count(*)::bigint
      from leads l
      where l.campaign_id in (${list}) and l.deleted_at is null and ${within(sql`l.created_at`)} and ${sc.lead}
      group by 1, 2, 3, 4, 5
    union all
    select o.campaign_id, 'revenue', ${key(sql`o.paid_at`)}, rr.channel::text, o.currency::text, sum(o.amount)::bigint
      from orders o
      join customers c on c.id = o.customer_id and c.deleted_at is null and c.merged_into_id is null
      left join referrals rr on rr.id = o.referral_id
      where o.campaign_id in (${list}) and o.deleted_at is null and ${within(sql`o.paid_at`)} and ${sc.customer}
      group by 1, 2, 3, 4, 5
    union all
    select o.campaign_id, 'revenue', ${key(sql`f.refunded_at`)}, rr.channel::text, o.currency::text, -sum(f.amount)::bigint
      from order_refunds f
      join orders o on o.id = f.order_id
      join customers c on c.id = o.customer_id and c.deleted_at is null and c.merged_into_id is null
      left join referrals rr on rr.id = o.referral_id
      where o.campaign_id in (${list}) and o.deleted_at is null and ${within(sql`f.refunded_at`)} and ${sc.customer}
      group by 1, 2, 3, 4, 5
    union all
    select w.campaign_id, case when w.reward_type = 'points' then 'points' else 'rewardCost' end, ${key(sql`w.approved_at`)}, null,
        case when w.reward_type = 'points' then null else w.currency::text end, sum(w.amount)::bigint
      from rewards w
      where w.campaign_id in (${list}) and w.status in ('approved', 'paid', 'reversed') and ${within(sql`w.approved_at`)} and ${sc.reward}
      group by 1, 2, 3, 4, 5
    union all
    select k.campaign_id, 'otherCosts', ${dayKey(sql`k.incurred_on`)}, null, k.currency::text, sum(k.amount)::bigint
      from campaign_costs k
      join campaigns cp on cp.id = k.campaign_id
      where k.campaign_id in (${list}) and k.deleted_at is null
        and ${within(sql`(k.incurred_on::timestamp at time zone ${timeZone}::text)`)} and ${sc.campaign}
      group by 1, 2, 3, 4, 5`)
  return found.map((r) => ({
    campaignId: r.campaign_id, metric: r.metric, bucket: r.bucket, channel: r.channel, currency: r.currency, value: Number(r.value)
  }))
}
