import type { IResolvers } from 'mercurius'
import { toConnection } from '../../graphql/connection.js'
import { actorOf, nullIfNotFound } from '../../graphql/context.js'
import { payload } from '../../graphql/payload.js'
import type { ActivityOrder } from './activities.service.js'

type ListArgs = { first?: number; after?: string; filter?: unknown; orderBy?: ActivityOrder }

export const activitiesResolvers: IResolvers = {
  Query: {
    activity: (_root: unknown, { id }: { id: string }, ctx) => ctx.services.activities.get(actorOf(ctx), id).catch(nullIfNotFound),
    activities: async (_root: unknown, args: ListArgs, ctx) => {
      const order = args.orderBy ?? { field: 'occurredAt', direction: 'DESC' }
      const page = await ctx.services.activities.list(actorOf(ctx), args.filter, order, args)
      return toConnection(page, page.count)
    }
  },
  Mutation: {
    logActivity: (_root: unknown, { input }: { input: unknown }, ctx) =>
      payload(async () => ({ activity: await ctx.services.activities.log(actorOf(ctx), input) }))
  }
}
