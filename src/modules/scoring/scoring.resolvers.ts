import type { IResolvers } from 'mercurius'
import { actorOf } from '../../graphql/context.js'
import { payload } from '../../graphql/payload.js'
import { runView } from './scoring.views.js'

const upper = (run: ReturnType<typeof runView>) => ({ ...run, mode: run.mode.toUpperCase(), status: run.status.toUpperCase() })

export const scoringResolvers: IResolvers = {
  Query: {
    scoringRuns: async (_root: unknown, { first }: { first?: number | null }, ctx) => {
      const runs = await ctx.services.scoring.runs(actorOf(ctx), Math.min(Math.max(first ?? 20, 1), 100))
      return runs.map((r) => upper(runView(r)))
    }
  },
  Mutation: {
    recomputeRfm: (_root: unknown, { input }: { input?: { mode?: 'INCREMENTAL' | 'REBUILD' | null } | null }, ctx) =>
      payload(async () => {
        const mode = input?.mode === 'REBUILD' ? 'rebuild' : 'incremental'
        return { run: upper(runView(await ctx.services.scoring.recompute(actorOf(ctx), mode))) }
      })
  }
}
