import type { MercuriusContext } from 'mercurius'
import { actorOf } from '../../../graphql/context.js'
import type { PeriodInput } from '../analytics.period.js'
import { loyaltyReport, pointsSummaryReport } from './loyalty.report.js'

type PeriodArgs = { period?: PeriodInput | null }

/** Query.loyaltyReport and Query.pointsSummary: the same reports as GET /api/v1/analytics/loyalty and /points-summary. */
export const loyaltyQuery = {
  loyaltyReport: (_root: unknown, { period }: PeriodArgs, ctx: MercuriusContext) =>
    ctx.services.analytics.run(actorOf(ctx), loyaltyReport, period, {}),
  pointsSummary: (_root: unknown, { period }: PeriodArgs, ctx: MercuriusContext) =>
    ctx.services.analytics.run(actorOf(ctx), pointsSummaryReport, period, {})
}
