import { sql, type SQL } from 'drizzle-orm'
import { rows, ts } from '../../../db/rows.js'
import type { Executor } from '../../../db/client.js'
import type { Period } from '../../../rules/report-period.js'

export const rankByValues = ['conversions', 'revenue', 'referrals', 'rewards'] as const
export type RankBy = (typeof rankByValues)[number]

export type LeaderboardFilter = {
  rankBy: RankBy
  currency: string
  referrerKind: string | null
  referrerTier: string | null
  campaignId: string | null
  first: number
  /** Always answer this referrer's row too (a referrer token's own), wherever it ranks. */
  me: string | null
  /** Which referrers rank: the caller's reach over referrers.owner_id (alias f). */
  scope: SQL
}

type MoneyEntry = { amount: number; currency: string }
export type LeaderboardRow = {
  id: string; name: string; code: string; kind: string; tier: string; status: string
  rank: number; position: number; conversions: number; referrals: number
  revenue: MoneyEntry[]; rewards: MoneyEntry[]; rewardPoints: number
}

/**
 * Each referrer's figures in the period, one row per (referrer, figure, currency). Nothing
 * deleted counts, nor an order of a deleted customer; refunds count when they happen.
 */
export function figures(p: Period, campaignId: string | null): SQL {
  const from = ts(p.from), to = ts(p.to)
  const campaign = (column: SQL) => campaignId ? sql`and ${column} = ${campaignId}` : sql``
  return sql`
    select r.referrer_id as id, 'conversions' as figure, null::text as currency, count(*)::bigint as v
    from referrals r
    where r.deleted_at is null and r.converted_at >= ${from} and r.converted_at < ${to} ${campaign(sql`r.campaign_id`)}
    group by r.referrer_id
    union all
    select r.referrer_id, 'referrals', null, count(*)
    from referrals r
    where r.deleted_at is null and r.submitted_at >= ${from} and r.submitted_at < ${to} ${campaign(sql`r.campaign_id`)}
    group by r.referrer_id
    union all
    select o.referrer_id, 'revenue', o.currency::text, sum(o.amount)::bigint
    from orders o join customers c on c.id = o.customer_id and c.deleted_at is null
    where o.referrer_id is not null and o.deleted_at is null and o.paid_at >= ${from} and o.paid_at < ${to} ${campaign(sql`o.campaign_id`)}
    group by o.referrer_id, o.currency
    union all
    select o.referrer_id, 'revenue', o.currency::text, -sum(x.amount)::bigint
    from order_refunds x join orders o on o.id = x.order_id join customers c on c.id = o.customer_id and c.deleted_at is null
    where o.referrer_id is not null and o.deleted_at is null and x.refunded_at >= ${from} and x.refunded_at < ${to} ${campaign(sql`o.campaign_id`)}
    group by o.referrer_id, o.currency
    union all
    select w.beneficiary_id, case when w.reward_type = 'points' then 'points' else 'rewards' end, w.currency::text, sum(w.amount)::bigint
    from rewards w
    where w.beneficiary_type = 'referrer' ${campaign(sql`w.campaign_id`)}
      and w.status in ('approved', 'paid', 'reversed') and w.approved_at >= ${from} and w.approved_at < ${to}
    group by w.beneficiary_id, 2, w.currency`
}

/** The ranked referrers' top `first` (and `me`), competition-ranked by the chosen figure. */
export async function leaderboardRows(ex: Executor, p: Period, f: LeaderboardFilter): Promise<{ rows: LeaderboardRow[]; ranked: number; aboveZero: number }> {
  const kind = f.referrerKind ? sql`and f.kind = ${f.referrerKind}` : sql``
  const tier = f.referrerTier ? sql`and f.tier = ${f.referrerTier}` : sql``
  const value = {
    conversions: sql`a.conversions`, referrals: sql`a.referrals`, revenue: sql`a.revenue_ranked`, rewards: sql`a.rewards_ranked`
  }[f.rankBy]
  const money = (figure: string) => sql`coalesce(jsonb_agg(jsonb_build_object('amount', s.v, 'currency', s.currency) order by s.currency) filter (where s.figure = ${figure}), '[]'::jsonb)`
  const found = await rows<LeaderboardRow & { ranked: number; above_zero: number }>(ex, sql`
    with s as (
      select x.id, x.figure, x.currency, sum(x.v)::bigint as v
      from (${figures(p, f.campaignId)}) x
      group by x.id, x.figure, x.currency
    ),
    a as (
      select s.id,
        coalesce(sum(s.v) filter (where s.figure = 'conversions'), 0)::int as conversions,
        coalesce(sum(s.v) filter (where s.figure = 'referrals'), 0)::int as referrals,
        coalesce(sum(s.v) filter (where s.figure = 'revenue' and s.currency = ${f.currency}), 0)::bigint as revenue_ranked,
        coalesce(sum(s.v) filter (where s.figure = 'rewards' and s.currency = ${f.currency}), 0)::bigint as rewards_ranked,
        coalesce(sum(s.v) filter (where s.figure = 'points'), 0)::bigint as reward_points,
        ${money('revenue')} as revenue, ${money('rewards')} as rewards
      from s group by s.id
    ),
    ranked as (
      select f.id, f.name, f.code, f.kind::text as kind, f.tier, f.status::text as status, a.conversions, a.referrals,
        a.revenue, a.rewards, a.reward_points, ${value} as value,
        rank() over (order by ${value} desc)::int as rank,
        row_number() over (order by ${value} desc, f.id)::int as position
      from a join referrers f on f.id = a.id
      where f.deleted_at is null ${kind} ${tier} and ${f.scope}
    )
    select k.id, k.name, k.code, k.kind, k.tier, k.status, k.rank, k.position, k.conversions, k.referrals,
      k.revenue, k.rewards, k.reward_points::float8 as "rewardPoints",
      (select count(*) from ranked)::int as ranked, (select count(*) from ranked where value > 0)::int as above_zero
    from ranked k
    where k.position <= ${f.first} ${f.me ? sql`or k.id = ${f.me}` : sql``}
    order by k.position`)
  if (found.length === 0) return { rows: [], ranked: 0, aboveZero: 0 }
  return { rows: found.map(normalise), ranked: found[0].ranked, aboveZero: found[0].above_zero }
}

function normalise(r: LeaderboardRow): LeaderboardRow {
  const money = (list: MoneyEntry[]) => list.map((m) => ({ amount: Number(m.amount), currency: m.currency }))
  return {
    id: r.id, name: r.name, code: r.code, kind: r.kind, tier: r.tier, status: r.status, rank: r.rank, position: r.position,
    conversions: r.conversions, referrals: r.referrals, revenue: money(r.revenue), rewards: money(r.rewards), rewardPoints: Number(r.rewardPoints)
  }
}

/** A referrer with nothing in the period: zeros, ranked after everyone above zero. */
export async function unrankedReferrer(ex: Executor, id: string, kind: string | null, tier: string | null): Promise<Omit<LeaderboardRow, 'rank' | 'position'> | null> {
  const found = await rows<{ id: string; name: string; code: string; kind: string; tier: string; status: string }>(ex, sql`
    select f.id, f.name, f.code, f.kind::text as kind, f.tier, f.status::text as status from referrers f
    where f.id = ${id} and f.deleted_at is null ${kind ? sql`and f.kind = ${kind}` : sql``} ${tier ? sql`and f.tier = ${tier}` : sql``}`)
  return found[0] ? { ...found[0], conversions: 0, referrals: 0, revenue: [], rewards: [], rewardPoints: 0 } : null
}
