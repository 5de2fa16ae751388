import type { IResolvers } from 'mercurius'
import { toConnection } from '../../graphql/connection.js'
import { actorOf } from '../../graphql/context.js'
import { payload } from '../../graphql/payload.js'

type ListArgs = { first?: number; after?: string; userId?: string | null; teamId?: string | null }

/** The subscription parts of schema/95-notifications.graphql. */
export const staffResolvers: IResolvers = {
  Query: {
    notificationSubscriptions: async (_root: unknown, args: ListArgs, ctx) => {
      const page = await ctx.services.staffNotifications.list(actorOf(ctx), args, { userId: args.userId, teamId: args.teamId })
      return toConnection(page, page.count)
    }
  },
  Mutation: {
    subscribeNotifications: (_root: unknown, { input }: { input: Record<string, unknown> }, ctx) =>
      payload(async () => ({ notificationSubscription: await ctx.services.staffNotifications.subscribe(actorOf(ctx), input) })),
    unsubscribeNotifications: (_root: unknown, { id }: { id: string }, ctx) =>
      payload(async () => ({ deletedId: (await ctx.services.staffNotifications.unsubscribe(actorOf(ctx), id)).id }))
  }
}
