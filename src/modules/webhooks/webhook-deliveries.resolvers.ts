import type { IResolvers, MercuriusContext } from 'mercurius'
import { toConnection } from '../../graphql/connection.js'
import { actorOf, nullIfNotFound, type LoaderQuery } from '../../graphql/context.js'
import { payload } from '../../graphql/payload.js'
import type { WebhookDelivery } from './webhook-deliveries.service.js'

type ListArgs = { first?: number; after?: string; filter?: unknown }

/** Deliveries of an endpoint, one delivery, and replay (schema/95-webhooks.graphql). */
export const webhookDeliveriesResolvers: IResolvers = {
  Query: {
    webhookDelivery: (_root: unknown, { id }: { id: string }, ctx) => ctx.services.webhookDeliveries.get(actorOf(ctx), id).catch(nullIfNotFound)
  },
  Mutation: {
    replayWebhookDelivery: (_root: unknown, { id }: { id: string }, ctx) =>
      payload(async () => ({ webhookDelivery: await ctx.services.webhookDeliveries.replay(actorOf(ctx), id) }))
  },
  WebhookEndpoint: {
    deliveries: async (endpoint: { id: string }, args: ListArgs, ctx) => {
      const page = await ctx.services.webhookDeliveries.list(actorOf(ctx), endpoint.id, args.filter, args)
      return toConnection(page, page.count)
    }
  }
}

/** attemptLog: the attempts of every delivery on the page in one query. */
export const webhookDeliveriesLoaders = {
  WebhookDelivery: {
    attemptLog: (queries: LoaderQuery<WebhookDelivery>[], ctx: MercuriusContext) =>
      ctx.services.webhookDeliveries.attemptsOf(actorOf(ctx), queries.map((q) => q.obj.id))
  }
}
