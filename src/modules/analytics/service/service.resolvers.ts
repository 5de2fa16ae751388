import type { MercuriusContext } from 'mercurius'
import { actorOf } from '../../../graphql/context.js'
import type { PeriodInput } from '../analytics.period.js'
import { serviceSatisfactionReport } from './service.report.js'

/** Query.serviceSatisfaction: the same report as GET /api/v1/analytics/service-satisfaction. */
export const serviceSatisfactionQuery = {
  serviceSatisfaction: (_root: unknown, { period }: { period?: PeriodInput | null }, ctx: MercuriusContext) =>
    ctx.services.analytics.run(actorOf(ctx), serviceSatisfactionReport, period, {})
}
