import type { MercuriusContext } from 'mercurius'
import { actorOf } from '../../../graphql/context.js'
import type { PeriodInput } from '../analytics.period.js'
import { automationReport } from './automation.report.js'

type Args = { period?: PeriodInput | null; journeyId?: string | null; conversionDays?: number | null }

/** Query.automationReport: the same report as GET /api/v1/analytics/automation. */
export const automationQuery = {
  automationReport: (_root: unknown, { period, journeyId, conversionDays }: Args, ctx: MercuriusContext) =>
    ctx.services.analytics.run(actorOf(ctx), automationReport, period, { journeyId: journeyId ?? null, conversionDays: conversionDays ?? 14 })
}
