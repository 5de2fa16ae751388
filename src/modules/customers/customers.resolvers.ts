import type { IResolvers, MercuriusContext } from 'mercurius'
import { toConnection } from '../../graphql/connection.js'
import { actorOf, byForeignKey, nullIfNotFound, withIdOnly, type LoaderQuery } from '../../graphql/context.js'
import { payload } from '../../graphql/payload.js'
import { graphWant } from '../../graphql/selection.js'
import { customerGraph } from './customers.graph.js'
import type { User } from '../users/users.service.js'
import type { Customer, CustomerOrder } from './customers.service.js'

type ListArgs = { first?: number; after?: string; filter?: unknown; orderBy?: CustomerOrder }
type InputArgs = { input: Record<string, unknown> }

export const customersResolvers: IResolvers = {
  Query: {
    customer: (_root: unknown, { id }: { id: string }, ctx, info) => {
      const actor = actorOf(ctx)
      const want = graphWant(info, [], customerGraph)
      // Everything selected in one statement when it can be; else the loaders, field by field.
      if (want && ctx.services.customers.canReadGraph(actor, want)) return ctx.services.customers.findGraph(actor, id, want)
      return ctx.services.customers.get(actor, id).catch(nullIfNotFound)
    },
    customers: async (_root: unknown, args: ListArgs, ctx, info) => {
      const actor = actorOf(ctx)
      const order = args.orderBy ?? { field: 'createdAt', direction: 'DESC' }
      const want = graphWant(info, ['edges', 'node'], customerGraph)
      const page = want && ctx.services.customers.canReadGraph(actor, want)
        ? await ctx.services.customers.listGraph(actor, args.filter, order, args, want)
        : await ctx.services.customers.list(actor, args.filter, order, args)
      return toConnection(page, page.count)
    },
    segments: (_root: unknown, _args: unknown, ctx) => ctx.services.customers.rfm.segments(actorOf(ctx))
  },
  Mutation: {
    createCustomer: (_root: unknown, { input }: InputArgs, ctx) =>
      payload(async () => ({ customer: await ctx.services.customers.create(actorOf(ctx), input) })),
    updateCustomer: (_root: unknown, { id, input }: InputArgs & { id: string }, ctx) =>
      payload(async () => ({ customer: await ctx.services.customers.update(actorOf(ctx), id, input) })),
    upsertCustomer: (_root: unknown, { externalId, input }: InputArgs & { externalId: string }, ctx) =>
      payload(() => ctx.services.customers.upsertByExternalId(actorOf(ctx), externalId, input)),
    deleteCustomer: (_root: unknown, { id, expectedVersion }: { id: string; expectedVersion?: number }, ctx) =>
      payload(async () => ({ deletedId: (await ctx.services.customers.delete(actorOf(ctx), id, expectedVersion ?? undefined)).id }))
  }
}

export const customersLoaders = {
  Customer: {
    // `owner { id }` needs no query: the foreign key is the answer.
    owner: withIdOnly(
      byForeignKey<Customer, User>((c) => c.ownerId, (ctx, ids) => ctx.services.users.findMany(actorOf(ctx), ids)),
      (c: Customer, ctx) => ctx.services.customers.ownerRef(actorOf(ctx), c)
    ),
    // Not folded into the one-statement read: a selection with rfm resolves through loaders.
    rfm: (queries: LoaderQuery<Customer>[], ctx: MercuriusContext) => ctx.services.customers.rfm.of(actorOf(ctx), queries.map((q) => q.obj.id))
  }
}
