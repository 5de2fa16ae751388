import type { TestApp } from '../../helper.js'

/**
 * The campaign-performance figures computed from docs/analytics.md ("Campaign performance")
 * in plain JS over the stored rows: an independent reading of the definitions for the tests.
 */
export type Money = { amount: number; currency: string }
export type Metrics = {
  audienceSize: number | null; participants: number; referrals: number; leads: number; conversions: number
  attributedRevenue: Money[]; rewardCost: Money[]; pointsAwarded: number; otherCosts: Money[]; totalCost: Money[]
  roi: { currency: string; value: number | null }[]; costPerConversion: { currency: string; value: number | null }[]
}
export type Span = { key: string; from: Date; to: Date }

type Referral = { id: string; campaign_id: string; referrer_id: string; channel: string; submitted_at: Date | null; converted_at: Date | null; deleted_at: Date | null }
type Lead = { campaign_id: string; created_at: Date; deleted_at: Date | null }
type Order = { id: string; campaign_id: string; referral_id: string | null; amount: string; currency: string; paid_at: Date; deleted_at: Date | null; customer_gone: boolean }
type Refund = { order_id: string; amount: string; refunded_at: Date }
type Reward = { campaign_id: string; reward_type: string; status: string; amount: string; currency: string; approved_at: Date | null }
type Cost = { campaign_id: string; amount: string; currency: string; incurred_on: string; deleted_at: Date | null }

export type Rows = { referrals: Referral[]; leads: Lead[]; orders: Order[]; refunds: Refund[]; rewards: Reward[]; costs: Cost[] }

/** Everything stored about the campaigns, as plain rows. */
export async function readRows(ctx: TestApp, ids: string[]): Promise<Rows> {
  const d = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string))
  const referrals = (await ctx.sql<any>('select id, campaign_id, referrer_id, channel::text, submitted_at, converted_at, deleted_at from referrals where campaign_id = any($1::uuid[])', [ids]))
    .map((r) => ({ ...r, submitted_at: d(r.submitted_at), converted_at: d(r.converted_at), deleted_at: d(r.deleted_at) }))
  const leads = (await ctx.sql<any>('select campaign_id, created_at, deleted_at from leads where campaign_id = any($1::uuid[])', [ids]))
    .map((r) => ({ ...r, created_at: d(r.created_at), deleted_at: d(r.deleted_at) }))
  const orders = (await ctx.sql<any>(`select o.id, o.campaign_id, o.referral_id, o.amount::text, o.currency::text, o.paid_at, o.deleted_at,
      (c.deleted_at is not null or c.merged_into_id is not null) as customer_gone
    from orders o join customers c on c.id = o.customer_id where o.campaign_id = any($1::uuid[])`, [ids]))
    .map((r) => ({ ...r, paid_at: d(r.paid_at), deleted_at: d(r.deleted_at) }))
  const refunds = (await ctx.sql<any>('select f.order_id, f.amount::text, f.refunded_at from order_refunds f join orders o on o.id = f.order_id where o.campaign_id = any($1::uuid[])', [ids]))
    .map((r) => ({ ...r, refunded_at: d(r.refunded_at) }))
  const rewards = (await ctx.sql<any>('select campaign_id, reward_type::text, status::text, amount::text, currency::text, approved_at from rewards where campaign_id = any($1::uuid[])', [ids]))
    .map((r) => ({ ...r, approved_at: d(r.approved_at) }))
  const costs = (await ctx.sql<any>("select campaign_id, amount::text, currency::text, to_char(incurred_on, 'YYYY-MM-DD') as incurred_on, deleted_at from campaign_costs where campaign_id = any($1::uuid[])", [ids]))
    .map((r) => ({ ...r, deleted_at: d(r.deleted_at) }))
  return { referrals, leads, orders, refunds, rewards, costs }
}

/** The start of a local date in Asia/Shanghai (UTC+8 all year, no daylight saving). */
export const shanghaiMidnight = (date: string) => new Date(`${date}T00:00:00+08:00`)

const inP = (at: Date | null, p: { from: Date; to: Date }) => at !== null && at >= p.from && at < p.to

class Sums {
  m = new Map<string, number>()
  add(c: string, a: number) { this.m.set(c, (this.m.get(c) ?? 0) + a) }
  get(c: string) { return this.m.get(c) ?? 0 }
  list(): Money[] { return [...this.m].filter(([, a]) => a !== 0).sort(([a], [b]) => a.localeCompare(b)).map(([currency, amount]) => ({ amount, currency })) }
}

type Slice = { referrals: number; leads: number; conversions: number; revenue: Sums; rewardCost: Sums; otherCosts: Sums; points: number; referrers: Set<string> }
const slice = (): Slice => ({ referrals: 0, leads: 0, conversions: 0, revenue: new Sums(), rewardCost: new Sums(), otherCosts: new Sums(), points: 0, referrers: new Set() })

/** Adds one campaign's records within `p` to a slice per key (`key` picks the slice of an instant; null drops it). */
function fill(rows: Rows, id: string, p: { from: Date; to: Date }, key: (at: Date) => string | null, channelOf?: string | null | undefined): Map<string, Slice> {
  const out = new Map<string, Slice>()
  const at = (when: Date) => { const k = key(when); if (k === null) return null; if (!out.has(k)) out.set(k, slice()); return out.get(k)! }
  const byChannel = channelOf !== undefined
  for (const r of rows.referrals) {
    if (r.campaign_id !== id || r.deleted_at || (byChannel && r.channel !== channelOf)) continue
    if (inP(r.submitted_at, p)) { const s = at(r.submitted_at!); if (s) { s.referrals++; s.referrers.add(r.referrer_id) } }
    if (inP(r.converted_at, p)) { const s = at(r.converted_at!); if (s) s.conversions++ }
  }
  const channelOfReferral = new Map(rows.referrals.map((r) => [r.id, r.channel]))
  const live = new Map(rows.orders.filter((o) => o.campaign_id === id && !o.deleted_at && !o.customer_gone
    && (!byChannel || (o.referral_id ? channelOfReferral.get(o.referral_id) ?? null : null) === channelOf)).map((o) => [o.id, o]))
  for (const o of live.values()) if (inP(o.paid_at, p)) at(o.paid_at)?.revenue.add(o.currency, Number(o.amount))
  for (const f of rows.refunds) {
    const o = live.get(f.order_id)
    if (o && inP(f.refunded_at, p)) at(f.refunded_at)?.revenue.add(o.currency, -Number(f.amount))
  }
  if (byChannel) return out
  for (const l of rows.leads) if (l.campaign_id === id && !l.deleted_at && inP(l.created_at, p)) { const s = at(l.created_at); if (s) s.leads++ }
  for (const w of rows.rewards) {
    if (w.campaign_id !== id || !['approved', 'paid', 'reversed'].includes(w.status) || !inP(w.approved_at, p)) continue
    const s = at(w.approved_at!)
    if (!s) continue
    if (w.reward_type === 'points') s.points += Number(w.amount)
    else s.rewardCost.add(w.currency, Number(w.amount))
  }
  for (const k of rows.costs) {
    const day = shanghaiMidnight(k.incurred_on)
    if (k.campaign_id === id && !k.deleted_at && inP(day, p)) at(day)?.otherCosts.add(k.currency, Number(k.amount))
  }
  return out
}

/** The totals of one campaign in a period. */
export function expectedMetrics(rows: Rows, id: string, p: { from: Date; to: Date }, audienceSize: number | null): Metrics {
  const s = fill(rows, id, p, () => 'all').get('all') ?? slice()
  const total = new Sums()
  for (const m of [...s.rewardCost.list(), ...s.otherCosts.list()]) total.add(m.currency, m.amount)
  const currencies = [...new Set([...s.revenue.list(), ...total.list()].map((m) => m.currency))].sort()
  return {
    audienceSize, participants: s.referrers.size, referrals: s.referrals, leads: s.leads, conversions: s.conversions,
    attributedRevenue: s.revenue.list(), rewardCost: s.rewardCost.list(), pointsAwarded: s.points, otherCosts: s.otherCosts.list(),
    totalCost: total.list(),
    roi: currencies.map((c) => ({ currency: c, value: total.get(c) === 0 ? null : (s.revenue.get(c) - total.get(c)) / total.get(c) })),
    costPerConversion: total.list().map((m) => ({ currency: m.currency, value: s.conversions === 0 ? null : m.amount / s.conversions }))
  }
}

export const CHANNELS = ['api', 'form', 'link', 'qr', 'import', null] as const

export function expectedChannels(rows: Rows, id: string, p: { from: Date; to: Date }) {
  return CHANNELS.map((channel) => {
    const s = fill(rows, id, p, () => 'all', channel).get('all') ?? slice()
    return { channel, referrals: s.referrals, conversions: s.conversions, attributedRevenue: s.revenue.list() }
  })
}

export function expectedBuckets(rows: Rows, id: string, spans: Span[]) {
  const keyOf = (at: Date) => spans.find((b) => at >= b.from && at < b.to)?.key ?? null
  const filled = fill(rows, id, { from: spans[0].from, to: spans.at(-1)!.to }, keyOf)
  return spans.map((b) => {
    const s = filled.get(b.key) ?? slice()
    return {
      key: b.key, from: b.from.toISOString(), to: b.to.toISOString(), referrals: s.referrals, leads: s.leads, conversions: s.conversions,
      attributedRevenue: s.revenue.list(), rewardCost: s.rewardCost.list(), otherCosts: s.otherCosts.list()
    }
  })
}

/** Shanghai buckets of [from, to), written out by hand from the calendar (UTC+8, Monday weeks). */
export function shanghaiBuckets(from: Date, to: Date, bucket: 'day' | 'week' | 'month'): Span[] {
  const local = (at: Date) => new Date(at.getTime() + 8 * 3600_000) // wall clock as UTC fields
  const midnight = (y: number, m: number, d: number) => new Date(Date.UTC(y, m, d) - 8 * 3600_000)
  const w = local(from)
  let start = midnight(w.getUTCFullYear(), w.getUTCMonth(), w.getUTCDate())
  if (bucket === 'week') start = new Date(start.getTime() - ((w.getUTCDay() + 6) % 7) * 86_400_000)
  if (bucket === 'month') start = midnight(w.getUTCFullYear(), w.getUTCMonth(), 1)
  const out: Span[] = []
  while (start < to) {
    const l = local(start)
    const next = bucket === 'day' ? new Date(start.getTime() + 86_400_000)
      : bucket === 'week' ? new Date(start.getTime() + 7 * 86_400_000) : midnight(l.getUTCFullYear(), l.getUTCMonth() + 1, 1)
    out.push({ key: l.toISOString().slice(0, 10), from: start < from ? from : start, to: next > to ? to : next })
    start = next
  }
  return out
}
