import type { MercuriusContext } from 'mercurius'
import { actorOf } from '../../../graphql/context.js'
import type { PeriodInput } from '../analytics.period.js'
import { kpis } from './kpis.report.js'

/** Query.kpis: the same report as GET /api/v1/analytics/kpis. */
export const kpisQuery = {
  kpis: (_root: unknown, { period }: { period?: PeriodInput | null }, ctx: MercuriusContext) =>
    ctx.services.analytics.run(actorOf(ctx), kpis, period, {})
}
