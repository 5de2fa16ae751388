import type { IResolvers } from 'mercurius'
import { toConnection } from '../../graphql/connection.js'
import { actorOf, nullIfNotFound } from '../../graphql/context.js'
import { payload } from '../../graphql/payload.js'
import type { ChannelKind } from './adapters/types.js'

type InputArgs = { input: Record<string, unknown> }
type VersionArgs = { id: string; expectedVersion?: number | null }

/** The channel parts of schema/95-notifications.graphql. */
export const channelsResolvers: IResolvers = {
  Query: {
    notificationChannels: async (_root: unknown, args: { first?: number; after?: string; kind?: ChannelKind | null }, ctx) => {
      const page = await ctx.services.notificationChannels.list(actorOf(ctx), args, args.kind ?? undefined)
      return toConnection(page, page.count)
    },
    notificationChannel: (_root: unknown, { id }: { id: string }, ctx) => ctx.services.notificationChannels.get(actorOf(ctx), id).catch(nullIfNotFound)
  },
  Mutation: {
    createNotificationChannel: (_root: unknown, { input }: InputArgs, ctx) =>
      payload(async () => ({ notificationChannel: await ctx.services.notificationChannels.create(actorOf(ctx), input) })),
    updateNotificationChannel: (_root: unknown, { id, input, expectedVersion }: InputArgs & VersionArgs, ctx) =>
      payload(async () => ({
        notificationChannel: await ctx.services.notificationChannels.update(actorOf(ctx), id, { ...input, ...(expectedVersion != null ? { expectedVersion } : {}) })
      })),
    deleteNotificationChannel: (_root: unknown, { id, expectedVersion }: VersionArgs, ctx) =>
      payload(async () => ({ deletedId: (await ctx.services.notificationChannels.delete(actorOf(ctx), id, expectedVersion ?? undefined)).id }))
  }
}
