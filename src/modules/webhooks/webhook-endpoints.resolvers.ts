import type { IResolvers } from 'mercurius'
import { toConnection } from '../../graphql/connection.js'
import { actorOf, nullIfNotFound } from '../../graphql/context.js'
import { payload } from '../../graphql/payload.js'

type PageArgs = { first?: number; after?: string }
type InputArgs = { input: Record<string, unknown> }
type VersionArgs = { id: string; expectedVersion?: number | null }

/** The endpoint parts of schema/95-webhooks.graphql: list, get, create, update, rotate, delete. */
export const webhookEndpointsResolvers: IResolvers = {
  Query: {
    webhookEndpoints: async (_root: unknown, args: PageArgs, ctx) => {
      const page = await ctx.services.webhookEndpoints.list(actorOf(ctx), args)
      return toConnection(page, page.count)
    },
    webhookEndpoint: (_root: unknown, { id }: { id: string }, ctx) => ctx.services.webhookEndpoints.get(actorOf(ctx), id).catch(nullIfNotFound)
  },
  Mutation: {
    createWebhookEndpoint: (_root: unknown, { input }: InputArgs, ctx) =>
      payload(() => ctx.services.webhookEndpoints.create(actorOf(ctx), input)),
    updateWebhookEndpoint: (_root: unknown, { id, input, expectedVersion }: InputArgs & VersionArgs, ctx) =>
      payload(async () => ({
        webhookEndpoint: await ctx.services.webhookEndpoints.update(actorOf(ctx), id, { ...input, ...(expectedVersion != null ? { expectedVersion } : {}) })
      })),
    rotateWebhookEndpointSecret: (_root: unknown, { id }: { id: string }, ctx) =>
      payload(() => ctx.services.webhookEndpoints.rotateSecret(actorOf(ctx), id)),
    deleteWebhookEndpoint: (_root: unknown, { id, expectedVersion }: VersionArgs, ctx) =>
      payload(async () => ({ deletedId: (await ctx.services.webhookEndpoints.delete(actorOf(ctx), id, expectedVersion ?? undefined)).id }))
  }
}
