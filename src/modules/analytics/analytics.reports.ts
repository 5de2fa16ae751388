import type { ReportDefinition } from './analytics.report.js'
import { kpis } from './kpis/kpis.report.js'
import { referrerLeaderboard } from './leaderboard/leaderboard.report.js'

/** Every report, for the REST routes (each report's folder holds its definition, SQL and resolvers). */
export const reports: ReportDefinition<any, any, any>[] = [referrerLeaderboard, kpis]
