import type { IResolvers } from 'mercurius'
import { toConnection } from '../../graphql/connection.js'
import { actorOf, nullIfNotFound } from '../../graphql/context.js'
import { payload } from '../../graphql/payload.js'
import type { ReferrerOrder } from './referrers.service.js'

type ListArgs = { first?: number; after?: string; filter?: unknown; orderBy?: ReferrerOrder }
type InputArgs = { input: Record<string, unknown> }

export const referrersResolvers: IResolvers = {
  Query: {
    referrer: (_root: unknown, { id }: { id: string }, ctx) => ctx.services.referrers.get(actorOf(ctx), id).catch(nullIfNotFound),
    referrerByCode: (_root: unknown, { code }: { code: string }, ctx) => ctx.services.referrers.getByCode(actorOf(ctx), code).catch(nullIfNotFound),
    referrers: async (_root: unknown, args: ListArgs, ctx) => {
      const order = args.orderBy ?? { field: 'createdAt', direction: 'DESC' }
      const page = await ctx.services.referrers.list(actorOf(ctx), args.filter, order, args)
      return toConnection(page, page.count)
    }
  },
  Mutation: {
    createReferrer: (_root: unknown, { input }: InputArgs, ctx) =>
      payload(async () => ({ referrer: await ctx.services.referrers.create(actorOf(ctx), input) })),
    updateReferrer: (_root: unknown, { id, input }: InputArgs & { id: string }, ctx) =>
      payload(async () => ({ referrer: await ctx.services.referrers.update(actorOf(ctx), id, input) })),
    upsertReferrer: (_root: unknown, { externalId, input }: InputArgs & { externalId: string }, ctx) =>
      payload(() => ctx.services.referrers.upsertByExternalId(actorOf(ctx), externalId, input)),
    deleteReferrer: (_root: unknown, { id, expectedVersion }: { id: string; expectedVersion?: number }, ctx) =>
      payload(async () => ({ deletedId: (await ctx.services.referrers.delete(actorOf(ctx), id, expectedVersion ?? undefined)).id }))
  }
}
