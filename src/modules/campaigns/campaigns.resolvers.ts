import type { IResolvers, MercuriusContext } from 'mercurius'
import { toConnection } from '../../graphql/connection.js'
import { actorOf, byForeignKey, nullIfNotFound, type LoaderQuery } from '../../graphql/context.js'
import { payload } from '../../graphql/payload.js'
import type { User } from '../users/users.service.js'
import type { Campaign, CampaignOrder } from './campaigns.service.js'

type ListArgs = { first?: number; after?: string; filter?: unknown; orderBy?: CampaignOrder }
type InputArgs = { input: Record<string, unknown> }

export const campaignsResolvers: IResolvers = {
  Query: {
    campaign: (_root: unknown, { id }: { id: string }, ctx) => ctx.services.campaigns.get(actorOf(ctx), id).catch(nullIfNotFound),
    campaigns: async (_root: unknown, args: ListArgs, ctx) => {
      const order = args.orderBy ?? { field: 'createdAt', direction: 'DESC' }
      const page = await ctx.services.campaigns.list(actorOf(ctx), args.filter, order, args)
      return toConnection(page, page.count)
    }
  },
  Mutation: {
    createCampaign: (_root: unknown, { input }: InputArgs, ctx) =>
      payload(async () => ({ campaign: await ctx.services.campaigns.create(actorOf(ctx), input) })),
    updateCampaign: (_root: unknown, { id, input }: InputArgs & { id: string }, ctx) =>
      payload(async () => ({ campaign: await ctx.services.campaigns.update(actorOf(ctx), id, input) })),
    upsertCampaign: (_root: unknown, { externalId, input }: InputArgs & { externalId: string }, ctx) =>
      payload(() => ctx.services.campaigns.upsertByExternalId(actorOf(ctx), externalId, input)),
    deleteCampaign: (_root: unknown, { id, expectedVersion }: { id: string; expectedVersion?: number }, ctx) =>
      payload(async () => ({ deletedId: (await ctx.services.campaigns.delete(actorOf(ctx), id, expectedVersion ?? undefined)).id }))
  }
}

export const campaignsLoaders = {
  Campaign: {
    owner: byForeignKey<Campaign, User>((c) => c.ownerId, (ctx, ids) => ctx.services.users.findMany(actorOf(ctx), ids)),
    audienceSize: (queries: LoaderQuery<Campaign>[], ctx: MercuriusContext) =>
      ctx.services.campaigns.audienceSizes(actorOf(ctx), queries.map((q) => q.obj))
  }
}
