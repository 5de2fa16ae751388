import type { ReportDefinition } from './analytics.report.js'
import { referralFunnelReport } from './funnel/funnel.report.js'

/** Every report, for the REST routes (each report's folder holds its definition, SQL and resolvers). */
export const reports: ReportDefinition<any, any, any>[] = [
  referralFunnelReport
]
