import type { MercuriusContext } from 'mercurius'
import { actorOf } from '../../../graphql/context.js'
import type { PeriodInput } from '../analytics.period.js'
import { referrerLeaderboard, type LeaderboardArgs } from './leaderboard.report.js'

/** Query.referrerLeaderboard: the same report as GET /api/v1/analytics/referrer-leaderboard. */
export const leaderboardQuery = {
  referrerLeaderboard: (_root: unknown, { period, ...args }: LeaderboardArgs & { period?: PeriodInput | null }, ctx: MercuriusContext) =>
    ctx.services.analytics.run(actorOf(ctx), referrerLeaderboard, period, args)
}
