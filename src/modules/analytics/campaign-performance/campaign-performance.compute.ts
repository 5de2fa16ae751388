import type { BucketSpan } from '../../../rules/report-period.js'
import type { Fact } from './campaign-performance.sql.js'

export type Money = { amount: number; currency: string }
/** A ratio in one currency; null when its denominator is 0. */
export type CurrencyValue = { currency: string; value: number | null }

export type CampaignMetrics = {
  audienceSize: number | null
  participants: number
  referrals: number
  leads: number
  conversions: number
  attributedRevenue: Money[]
  rewardCost: Money[]
  pointsAwarded: number
  otherCosts: Money[]
  totalCost: Money[]
  roi: CurrencyValue[]
  costPerConversion: CurrencyValue[]
}

export const channels = ['api', 'form', 'link', 'qr', 'import'] as const
export type ChannelRow = { channel: string | null; referrals: number; conversions: number; attributedRevenue: Money[] }
export type BucketRow = {
  key: string; from: Date; to: Date; referrals: number; leads: number; conversions: number
  attributedRevenue: Money[]; rewardCost: Money[]; otherCosts: Money[]
}

/** Sums per currency; the list leaves out currencies that sum to 0, ordered by code. */
class Purse {
  private readonly sums = new Map<string, number>()
  add(currency: string, amount: number): void {
    this.sums.set(currency, (this.sums.get(currency) ?? 0) + amount)
  }
  get(currency: string): number {
    return this.sums.get(currency) ?? 0
  }
  list(): Money[] {
    return [...this.sums].filter(([, a]) => a !== 0).sort(([a], [b]) => (a < b ? -1 : 1)).map(([currency, amount]) => ({ amount, currency }))
  }
}

const sum = (facts: Fact[], metric: Fact['metric']) => facts.reduce((n, f) => (f.metric === metric ? n + f.value : n), 0)

function purse(facts: Fact[], ...metrics: Fact['metric'][]): Purse {
  const p = new Purse()
  for (const f of facts) if (metrics.includes(f.metric) && f.currency) p.add(f.currency, f.value)
  return p
}

/** The totals of one campaign's facts (docs/analytics.md, "Campaign performance"). */
export function metricsOf(facts: Fact[], audienceSize: number | null): CampaignMetrics {
  const revenue = purse(facts, 'revenue')
  const total = purse(facts, 'rewardCost', 'otherCosts')
  const conversions = sum(facts, 'conversions')
  const revenueList = revenue.list()
  const totalList = total.list()
  const currencies = [...new Set([...revenueList, ...totalList].map((m) => m.currency))].sort()
  return {
    audienceSize,
    participants: sum(facts, 'participants'),
    referrals: sum(facts, 'referrals'),
    leads: sum(facts, 'leads'),
    conversions,
    attributedRevenue: revenueList,
    rewardCost: purse(facts, 'rewardCost').list(),
    pointsAwarded: sum(facts, 'points'),
    otherCosts: purse(facts, 'otherCosts').list(),
    totalCost: totalList,
    roi: currencies.map((currency) => {
      const cost = total.get(currency)
      return { currency, value: cost === 0 ? null : (revenue.get(currency) - cost) / cost }
    }),
    costPerConversion: totalList.map((m) => ({ currency: m.currency, value: conversions === 0 ? null : m.amount / conversions }))
  }
}

/** Referrals, conversions and revenue per referral channel; `null`: orders without a referral. */
export function byChannel(facts: Fact[]): ChannelRow[] {
  return [...channels, null].map((channel) => {
    const mine = facts.filter((f) => f.channel === channel)
    return { channel, referrals: sum(mine, 'referrals'), conversions: sum(mine, 'conversions'), attributedRevenue: purse(mine, 'revenue').list() }
  })
}

/** The series over the period's buckets, zero-filled. */
export function byBucket(facts: Fact[], spans: BucketSpan[]): BucketRow[] {
  const grouped = new Map<string, Fact[]>()
  for (const f of facts) {
    if (!f.bucket) continue
    const list = grouped.get(f.bucket)
    if (list) list.push(f)
    else grouped.set(f.bucket, [f])
  }
  return spans.map((span) => {
    const mine = grouped.get(span.key) ?? []
    return {
      key: span.key, from: span.from, to: span.to,
      referrals: sum(mine, 'referrals'), leads: sum(mine, 'leads'), conversions: sum(mine, 'conversions'),
      attributedRevenue: purse(mine, 'revenue').list(), rewardCost: purse(mine, 'rewardCost').list(), otherCosts: purse(mine, 'otherCosts').list()
    }
  })
}
