import { Type } from '@sinclair/typebox'
import { invalid, notFound } from '../../../errors.js'
import type { Period } from '../../../rules/report-period.js'
import { CampaignsService, type Campaign } from '../../campaigns/campaigns.service.js'
import { isUuid } from '../../common/validate.js'
import { Uuid } from '../../common/schemas.js'
import type { ReportContext, ReportDefinition } from '../analytics.report.js'
import { periodView } from '../analytics.views.js'
import { byBucket, byChannel, metricsOf, type CampaignMetrics } from './campaign-performance.compute.js'
import { performanceCsv, comparisonCsv } from './campaign-performance.csv.js'
import { campaignFacts, type Fact } from './campaign-performance.sql.js'
import { CampaignComparisonView, CampaignPerformanceView } from './campaign-performance.views.js'

export const MAX_COMPARED = 20

/** The campaigns' facts in a period, grouped by campaign. */
async function factsByCampaign(ctx: ReportContext, ids: string[], period: Period, bucket: string | null): Promise<Map<string, Fact[]>> {
  const facts = await campaignFacts(ctx.deps.db, ids, period, ctx.period.timeZone, bucket, ctx.actor, ctx.reach)
  const out = new Map<string, Fact[]>(ids.map((id) => [id, []]))
  for (const f of facts) out.get(f.campaignId)?.push(f)
  return out
}

/** Totals of several campaigns (and of the previous period when asked): one statement per period. */
export async function metricsFor(ctx: ReportContext, list: Campaign[]): Promise<Map<string, { metrics: CampaignMetrics; previous: CampaignMetrics | null }>> {
  const ids = list.map((c) => c.id)
  const audience = await new CampaignsService(ctx.deps).audienceSizes(ctx.actor, list)
  const now = await factsByCampaign(ctx, ids, ctx.period, null)
  const before = ctx.period.previous ? await factsByCampaign(ctx, ids, ctx.period.previous, null) : null
  return new Map(list.map((c, i) => [c.id, {
    metrics: metricsOf(now.get(c.id)!, audience[i]),
    previous: before ? metricsOf(before.get(c.id)!, audience[i]) : null
  }]))
}

/** The campaigns asked for, in order, or NOT_FOUND naming the first the caller cannot see. */
async function campaignsOf(ctx: ReportContext, ids: string[]): Promise<Campaign[]> {
  const found = await new CampaignsService(ctx.deps).findMany(ctx.actor, ids)
  const missing = found.findIndex((c) => c === null)
  if (missing >= 0) throw notFound('Campaign', ids[missing])
  return found as Campaign[]
}

export type PerformanceArgs = { campaignId: string }
const PerformanceQuery = Type.Object({ campaignId: Uuid })
export type CampaignPerformance = Parameters<typeof performanceCsv>[0] & { campaign: Campaign; period: ReturnType<typeof periodView> }

export const campaignPerformanceReport: ReportDefinition<typeof PerformanceQuery, PerformanceArgs, CampaignPerformance> = {
  name: 'campaign-performance',
  summary: 'One campaign: audience, participants, referrals, leads, conversions, revenue, costs, ROI; by channel and by bucket',
  query: PerformanceQuery,
  response: CampaignPerformanceView,
  fromQuery: (q) => ({ campaignId: q.campaignId }),
  async run(ctx, { campaignId }) {
    if (!isUuid(campaignId)) throw notFound('Campaign', campaignId)
    const [campaign] = await campaignsOf(ctx, [campaignId])
    const facts = (await factsByCampaign(ctx, [campaign.id], ctx.period, ctx.period.bucket)).get(campaign.id)!
    const [audienceSize] = await new CampaignsService(ctx.deps).audienceSizes(ctx.actor, [campaign])
    const previous = ctx.period.previous
      ? metricsOf((await factsByCampaign(ctx, [campaign.id], ctx.period.previous, null)).get(campaign.id)!, audienceSize)
      : null
    return {
      campaign, period: periodView(ctx.period), metrics: metricsOf(facts, audienceSize), previous,
      byChannel: byChannel(facts), byBucket: byBucket(facts, ctx.period.buckets())
    }
  },
  csv: (result) => performanceCsv(result)
}

export type ComparisonArgs = { ids: string[] }
const ComparisonQuery = Type.Object({ ids: Type.String({ minLength: 1, maxLength: 800, description: 'Campaign ids, comma-separated (1 to 20)' }) })
type CampaignComparison = { period: ReturnType<typeof periodView>; campaigns: ({ campaign: Campaign; metrics: CampaignMetrics; previous: CampaignMetrics | null })[] }

/** Ids from REST's comma-separated list or GraphQL's list: 1 to 20 UUIDs, repeats dropped. */
export function comparedIds(ids: readonly string[]): string[] {
  const unique = [...new Set(ids.map((id) => id.trim()))]
  if (unique.length < 1 || unique.length > MAX_COMPARED || !unique.every(isUuid)) {
    throw invalid('ids', `must be 1 to ${MAX_COMPARED} campaign ids (UUIDs)`, 'INVALID_IDS')
  }
  return unique
}

export const campaignComparisonReport: ReportDefinition<typeof ComparisonQuery, ComparisonArgs, CampaignComparison> = {
  name: 'campaign-comparison',
  summary: 'Campaigns side by side (1 to 20 ids, comma-separated): the totals of campaign-performance for each',
  query: ComparisonQuery,
  response: CampaignComparisonView,
  fromQuery: (q) => ({ ids: q.ids.split(',') }),
  async run(ctx, { ids }) {
    const list = await campaignsOf(ctx, comparedIds(ids))
    const metrics = await metricsFor(ctx, list)
    return { period: periodView(ctx.period), campaigns: list.map((campaign) => ({ campaign, ...metrics.get(campaign.id)! })) }
  },
  csv: (result) => comparisonCsv(result)
}

/** Campaign.metrics for campaigns already loaded (a list page): one statement for the page. */
const NoQuery = Type.Object({})
export const campaignMetricsReport: ReportDefinition<typeof NoQuery, { campaigns: Campaign[] }, Map<string, { metrics: CampaignMetrics }>> = {
  name: 'campaign-metrics',
  summary: 'Campaign.metrics (GraphQL only)',
  query: NoQuery,
  response: Type.Object({}),
  fromQuery: () => ({ campaigns: [] }),
  run: (ctx, { campaigns }) => metricsFor(ctx, campaigns),
  csv: () => ({ columns: [], rows: [] })
}
