import type { TestApp } from '../../helper.js'

/**
 * The leaderboard computed in JavaScript from the base rows, straight from docs/analytics.md
 * ("Referrer leaderboard"), independent of the report's SQL.
 */
export type ModelArgs = { from: Date; to: Date; rankBy: string; currency: string; referrerKind?: string; referrerTier?: string; campaignId?: string }
export type ModelRow = {
  rank: number; id: string; name: string; code: string; kind: string; tier: string; ownerId: string | null
  conversions: number; referrals: number; revenue: { amount: number; currency: string }[]; rewards: { amount: number; currency: string }[]; rewardPoints: number
}

const within = (at: Date | string | null, a: ModelArgs) => at !== null && new Date(at) >= a.from && new Date(at) < a.to

export async function modelLeaderboard(ctx: TestApp, a: ModelArgs): Promise<ModelRow[]> {
  const referrers = await ctx.sql<any>('select id, name, code, kind::text, tier, owner_id, deleted_at from referrers')
  const referrals = await ctx.sql<any>('select referrer_id, campaign_id, submitted_at, converted_at, deleted_at from referrals')
  const orders = await ctx.sql<any>(`select o.id, o.referrer_id, o.campaign_id, o.currency::text, o.amount::float8 as amount, o.paid_at, o.deleted_at, c.deleted_at as customer_deleted_at
    from orders o join customers c on c.id = o.customer_id`)
  const refunds = await ctx.sql<any>('select order_id, amount::float8 as amount, refunded_at from order_refunds')
  const rewards = await ctx.sql<any>('select kind::text, status::text, beneficiary_type, beneficiary_id, campaign_id, reward_type::text, amount::float8 as amount, currency::text, approved_at, created_at from rewards')
  const campaignOk = (c: string | null) => !a.campaignId || c === a.campaignId
  const rows = new Map<string, { conversions: number; referrals: number; revenue: Map<string, number>; rewards: Map<string, number>; points: number }>()
  const of = (id: string) => {
    if (!rows.has(id)) rows.set(id, { conversions: 0, referrals: 0, revenue: new Map(), rewards: new Map(), points: 0 })
    return rows.get(id)!
  }
  const add = (m: Map<string, number>, c: string, v: number) => m.set(c, (m.get(c) ?? 0) + v)
  for (const r of referrals) {
    if (r.deleted_at || !campaignOk(r.campaign_id)) continue
    if (within(r.converted_at, a)) of(r.referrer_id).conversions++
    if (within(r.submitted_at, a)) of(r.referrer_id).referrals++
  }
  const countedOrders = new Map<string, any>()
  for (const o of orders) {
    if (o.deleted_at || o.customer_deleted_at || !o.referrer_id || !campaignOk(o.campaign_id)) continue
    countedOrders.set(o.id, o)
    if (within(o.paid_at, a)) add(of(o.referrer_id).revenue, o.currency, o.amount)
  }
  for (const x of refunds) {
    const o = countedOrders.get(x.order_id)
    if (o && within(x.refunded_at, a)) add(of(o.referrer_id).revenue, o.currency, -x.amount)
  }
  for (const w of rewards) {
    if (w.beneficiary_type !== 'referrer' || !campaignOk(w.campaign_id)) continue
    // A reward or a reversal counts once approved (a reversal of an approved or paid reward is approved when made), by approved_at.
    const earned = ['approved', 'paid', 'reversed'].includes(w.status) && within(w.approved_at, a)
    if (!earned) continue
    if (w.reward_type === 'points') of(w.beneficiary_id).points += w.amount
    else add(of(w.beneficiary_id).rewards, w.currency, w.amount)
  }
  const list = referrers
    .filter((f: any) => !f.deleted_at && rows.has(f.id) && (!a.referrerKind || f.kind === a.referrerKind) && (!a.referrerTier || f.tier === a.referrerTier))
    .map((f: any) => {
      const r = rows.get(f.id)!
      const money = (m: Map<string, number>) => [...m.entries()].sort(([x], [y]) => x.localeCompare(y)).map(([currency, amount]) => ({ amount, currency }))
      return {
        rank: 0, id: f.id, name: f.name, code: f.code, kind: f.kind, tier: f.tier, ownerId: f.owner_id,
        conversions: r.conversions, referrals: r.referrals, revenue: money(r.revenue), rewards: money(r.rewards), rewardPoints: r.points
      }
    })
  return list
}

/** The ranked figure of a row. */
export function figure(r: ModelRow, rankBy: string, currency: string): number {
  if (rankBy === 'conversions') return r.conversions
  if (rankBy === 'referrals') return r.referrals
  const list = rankBy === 'revenue' ? r.revenue : r.rewards
  return list.find((m) => m.currency === currency)?.amount ?? 0
}

/** Competition ranking over the given rows: 1 + how many have a strictly greater figure; listed by figure, then id. */
export function ranked(list: ModelRow[], rankBy: string, currency: string): ModelRow[] {
  const value = (r: ModelRow) => figure(r, rankBy, currency)
  return list
    .map((r) => ({ ...r, rank: 1 + list.filter((o) => value(o) > value(r)).length }))
    .sort((x, y) => value(y) - value(x) || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0))
}
