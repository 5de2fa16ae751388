import type { IResolvers } from 'mercurius'
import { toConnection } from '../../graphql/connection.js'
import { actorOf } from '../../graphql/context.js'
import { payload } from '../../graphql/payload.js'

type ListArgs = { campaignId: string; first?: number; after?: string }

export const campaignCostsResolvers: IResolvers = {
  Query: {
    campaignCosts: async (_root: unknown, { campaignId, ...page }: ListArgs, ctx) => {
      const result = await ctx.services.campaignCosts.list(actorOf(ctx), campaignId, page)
      return toConnection(result, result.count)
    }
  },
  Mutation: {
    recordCampaignCost: (_root: unknown, { campaignId, input }: { campaignId: string; input: Record<string, unknown> }, ctx) =>
      payload(() => ctx.services.campaignCosts.record(actorOf(ctx), campaignId, input)),
    deleteCampaignCost: (_root: unknown, { id }: { id: string }, ctx) =>
      payload(async () => {
        const actor = actorOf(ctx)
        const campaignId = await ctx.services.campaignCosts.campaignOf(actor, id)
        return { deletedId: (await ctx.services.campaignCosts.delete(actor, campaignId, id)).id }
      })
  }
}
