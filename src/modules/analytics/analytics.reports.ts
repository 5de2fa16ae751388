import type { AnyReportDefinition } from './analytics.report.js'
import { campaignComparisonReport, campaignPerformanceReport } from './campaign-performance/campaign-performance.report.js'
import { referralFunnelReport } from './funnel/funnel.report.js'
import { kpis } from './kpis/kpis.report.js'
import { referrerLeaderboard } from './leaderboard/leaderboard.report.js'
import { loyaltyReport, pointsSummaryReport } from './loyalty/loyalty.report.js'
import { automationReport } from './automation/automation.report.js'
import { pipelineReport } from './pipeline/pipeline.report.js'
import { salesPerformanceReport } from './sales/sales.report.js'
import { serviceSatisfactionReport } from './service/service.report.js'

/** Every report, for the REST routes (each report's folder holds its definition, SQL and resolvers). */
export const reports: AnyReportDefinition[] = [
  referralFunnelReport,
  campaignPerformanceReport,
  campaignComparisonReport,
  salesPerformanceReport,
  pipelineReport,
  referrerLeaderboard,
  kpis,
  serviceSatisfactionReport,
  loyaltyReport,
  pointsSummaryReport,
  automationReport
]
