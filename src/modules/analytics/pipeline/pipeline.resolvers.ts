import type { MercuriusContext } from 'mercurius'
import { actorOf } from '../../../graphql/context.js'
import type { PeriodInput } from '../analytics.period.js'
import type { OwnerFilterArgs } from './pipeline.filters.js'
import { pipelineReport } from './pipeline.report.js'

type Args = OwnerFilterArgs & { period?: PeriodInput | null }

export const pipelineQuery = {
  pipeline: (_root: unknown, { period, teamId, ownerId }: Args, ctx: MercuriusContext) =>
    ctx.services.analytics.run(actorOf(ctx), pipelineReport, period, { teamId, ownerId })
}
