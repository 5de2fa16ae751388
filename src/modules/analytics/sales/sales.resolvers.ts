import type { MercuriusContext } from 'mercurius'
import { actorOf } from '../../../graphql/context.js'
import type { PeriodInput } from '../analytics.period.js'
import type { OwnerFilterArgs } from '../pipeline/pipeline.filters.js'
import { salesPerformanceReport } from './sales.report.js'

type Args = OwnerFilterArgs & { period?: PeriodInput | null }

export const salesQuery = {
  salesPerformance: (_root: unknown, { period, teamId, ownerId }: Args, ctx: MercuriusContext) =>
    ctx.services.analytics.run(actorOf(ctx), salesPerformanceReport, period, { teamId, ownerId })
}
