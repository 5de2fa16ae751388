import type { IResolvers } from 'mercurius'
import { toConnection } from '../../graphql/connection.js'
import { actorOf, nullIfNotFound } from '../../graphql/context.js'
import { payload } from '../../graphql/payload.js'
import type { OrderOrder } from './orders.service.js'

type ListArgs = { first?: number; after?: string; filter?: unknown; orderBy?: OrderOrder }
type InputArgs = { input: Record<string, unknown> }

export const ordersResolvers: IResolvers = {
  Query: {
    order: (_root: unknown, { id }: { id: string }, ctx) => ctx.services.orders.get(actorOf(ctx), id).catch(nullIfNotFound),
    orders: async (_root: unknown, args: ListArgs, ctx) => {
      const page = await ctx.services.orders.list(actorOf(ctx), args.filter, args.orderBy ?? { field: 'paidAt', direction: 'DESC' }, args)
      return toConnection(page, page.count)
    }
  },
  Mutation: {
    recordOrder: (_root: unknown, { input }: InputArgs, ctx) =>
      payload(() => ctx.services.orders.record(actorOf(ctx), input)),
    upsertOrder: (_root: unknown, { externalId, input, expectedVersion }: InputArgs & { externalId: string; expectedVersion?: number | null }, ctx) =>
      payload(() => ctx.services.orders.upsertByExternalId(actorOf(ctx), externalId, input, expectedVersion ?? undefined)),
    refundOrder: (_root: unknown, { input }: InputArgs, ctx) =>
      payload(() => ctx.services.orders.refund(actorOf(ctx), input))
  }
}
