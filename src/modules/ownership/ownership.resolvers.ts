import type { IResolvers } from 'mercurius'
import { actorOf } from '../../graphql/context.js'
import { payload } from '../../graphql/payload.js'

export const ownershipResolvers: IResolvers = {
  Mutation: {
    transferOwnership: (_root: unknown, { input }: { input: unknown }, ctx) =>
      payload(async () => ({ transferred: await ctx.services.ownership.transfer(actorOf(ctx), input) })),
    mergeCustomers: (_root: unknown, { survivorId, mergedIds }: { survivorId: string; mergedIds: string[] }, ctx) =>
      payload(() => ctx.services.ownership.mergeCustomers(actorOf(ctx), survivorId, { mergedIds }))
  }
}
