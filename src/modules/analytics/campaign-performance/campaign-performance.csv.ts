import type { CsvTable } from '../analytics.csv.js'
import type { BucketRow, CampaignMetrics, ChannelRow, CurrencyValue, Money } from './campaign-performance.compute.js'

type Row = unknown[]
type Named = { id: string; name: string }

const COUNTS = ['audienceSize', 'participants', 'referrals', 'leads', 'conversions', 'pointsAwarded'] as const
const MONEY = ['attributedRevenue', 'rewardCost', 'otherCosts', 'totalCost'] as const
const RATIOS = ['roi', 'costPerConversion'] as const

/** The totals as rows: one per count, one per money or ratio metric × currency (none when the list is empty). */
function totalRows(section: string, m: CampaignMetrics): Row[] {
  const out: Row[] = COUNTS.map((metric) => [section, '', '', metric, '', m[metric]])
  for (const metric of MONEY) for (const x of m[metric] as Money[]) out.push([section, '', '', metric, x.currency, x.amount])
  for (const metric of RATIOS) for (const x of m[metric] as CurrencyValue[]) out.push([section, '', '', metric, x.currency, x.value])
  return out
}

/**
 * campaign-performance as CSV: columns section, bucket, channel, metric, currency, value.
 * Sections: total, previous (with compare), channel, bucket (docs/analytics.md).
 */
export function performanceCsv(result: { metrics: CampaignMetrics; previous: CampaignMetrics | null; byChannel: ChannelRow[]; byBucket: BucketRow[] }): CsvTable {
  const rows: Row[] = totalRows('total', result.metrics)
  if (result.previous) rows.push(...totalRows('previous', result.previous))
  for (const c of result.byChannel) {
    const channel = c.channel ?? ''
    rows.push(['channel', '', channel, 'referrals', '', c.referrals], ['channel', '', channel, 'conversions', '', c.conversions])
    for (const x of c.attributedRevenue) rows.push(['channel', '', channel, 'attributedRevenue', x.currency, x.amount])
  }
  for (const b of result.byBucket) {
    for (const metric of ['referrals', 'leads', 'conversions'] as const) rows.push(['bucket', b.key, '', metric, '', b[metric]])
    for (const metric of ['attributedRevenue', 'rewardCost', 'otherCosts'] as const) {
      for (const x of b[metric]) rows.push(['bucket', b.key, '', metric, x.currency, x.amount])
    }
  }
  return { columns: ['section', 'bucket', 'channel', 'metric', 'currency', 'value'], rows }
}

const COMPARISON_COLUMNS = [
  'campaignId', 'campaignName', 'currency', 'audienceSize', 'participants', 'referrals', 'leads', 'conversions', 'pointsAwarded',
  'attributedRevenue', 'rewardCost', 'otherCosts', 'totalCost', 'roi', 'costPerConversion'
]

/** campaign-comparison as CSV: one row per campaign × currency (one row with no currency when it has no money). */
export function comparisonCsv(result: { campaigns: { campaign: Named; metrics: CampaignMetrics }[] }): CsvTable {
  const rows: Row[] = []
  for (const { campaign, metrics: m } of result.campaigns) {
    const currencies = [...new Set([...MONEY.flatMap((k) => m[k]), ...m.roi].map((x) => x.currency))].sort()
    const amount = (list: Money[], currency: string) => list.find((x) => x.currency === currency)?.amount ?? 0
    const ratio = (list: CurrencyValue[], currency: string) => list.find((x) => x.currency === currency)?.value ?? null
    for (const currency of currencies.length ? currencies : ['']) {
      rows.push([
        campaign.id, campaign.name, currency, m.audienceSize, m.participants, m.referrals, m.leads, m.conversions, m.pointsAwarded,
        ...MONEY.map((k) => amount(m[k], currency)), ratio(m.roi, currency), ratio(m.costPerConversion, currency)
      ])
    }
  }
  return { columns: COMPARISON_COLUMNS, rows }
}
