import type { MercuriusContext } from 'mercurius'
import { actorOf, nullIfNotFound, type LoaderQuery } from '../../../graphql/context.js'
import type { Campaign } from '../../campaigns/campaigns.service.js'
import type { PeriodInput } from '../analytics.period.js'
import type { CampaignMetrics } from './campaign-performance.compute.js'
import { campaignComparisonReport, campaignMetricsReport, campaignPerformanceReport } from './campaign-performance.report.js'

type PeriodArgs = { period?: PeriodInput | null }

export const campaignPerformanceQuery = {
  campaignPerformance: (_root: unknown, { id, period }: PeriodArgs & { id: string }, ctx: MercuriusContext) =>
    ctx.services.analytics.run(actorOf(ctx), campaignPerformanceReport, period, { campaignId: id }).catch(nullIfNotFound),
  campaignComparison: (_root: unknown, { ids, period }: PeriodArgs & { ids: string[] }, ctx: MercuriusContext) =>
    ctx.services.analytics.run(actorOf(ctx), campaignComparisonReport, period, { ids })
}

export const campaignPerformanceLoaders = {
  Campaign: {
    /** Campaigns asking for the same period share one statement. */
    async metrics(queries: LoaderQuery<Campaign, PeriodArgs>[], ctx: MercuriusContext): Promise<CampaignMetrics[]> {
      const groups = new Map<string, LoaderQuery<Campaign, PeriodArgs>[]>()
      for (const q of queries) {
        const key = JSON.stringify(q.params.period ?? null)
        groups.set(key, [...(groups.get(key) ?? []), q])
      }
      const answers = new Map<LoaderQuery<Campaign, PeriodArgs>, CampaignMetrics>()
      for (const group of groups.values()) {
        const campaigns = [...new Map(group.map((q) => [q.obj.id, q.obj])).values()]
        // Campaign.metrics has no `previous`: a compare flag would only cost a second statement.
        const period = group[0].params.period ? { ...group[0].params.period, compare: false } : null
        const result = await ctx.services.analytics.run(actorOf(ctx), campaignMetricsReport, period, { campaigns })
        for (const q of group) answers.set(q, result.get(q.obj.id)!.metrics)
      }
      return queries.map((q) => answers.get(q)!)
    }
  }
}
