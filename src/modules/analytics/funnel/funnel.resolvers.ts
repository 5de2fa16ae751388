import type { IResolverObject, MercuriusContext } from 'mercurius'
import { actorOf } from '../../../graphql/context.js'
import type { PeriodInput } from '../analytics.period.js'
import { referralFunnelReport } from './funnel.report.js'
import type { FunnelArgs } from './funnel.steps.js'

/** Query.referralFunnel: the same report as GET /api/v1/analytics/referral-funnel. */
export const funnelQuery: IResolverObject<unknown, MercuriusContext> = {
  referralFunnel: (_root: unknown, { period, ...args }: FunnelArgs & { period?: PeriodInput | null }, ctx) =>
    ctx.services.analytics.run(actorOf(ctx), referralFunnelReport, period, args)
}
