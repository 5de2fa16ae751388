import type { IResolvers } from 'mercurius'
import { toConnection } from '../../graphql/connection.js'
import { actorOf, byForeignKey, nullIfNotFound } from '../../graphql/context.js'
import { payload } from '../../graphql/payload.js'
import type { Customer } from '../customers/customers.service.js'
import type { User } from '../users/users.service.js'
import type { Task, TaskOrder } from './tasks.service.js'

type ListArgs = { first?: number; after?: string; filter?: unknown; orderBy?: TaskOrder }

export const tasksResolvers: IResolvers = {
  Query: {
    task: (_root: unknown, { id }: { id: string }, ctx) => ctx.services.tasks.get(actorOf(ctx), id).catch(nullIfNotFound),
    tasks: async (_root: unknown, args: ListArgs, ctx) => {
      const order = args.orderBy ?? { field: 'createdAt', direction: 'DESC' }
      const page = await ctx.services.tasks.list(actorOf(ctx), args.filter, order, args)
      return toConnection(page, page.count)
    }
  },
  Mutation: {
    createTask: (_root: unknown, { input }: { input: unknown }, ctx) =>
      payload(async () => ({ task: await ctx.services.tasks.create(actorOf(ctx), input) })),
    updateTask: (_root: unknown, { id, input }: { id: string; input: unknown }, ctx) =>
      payload(async () => ({ task: await ctx.services.tasks.update(actorOf(ctx), id, input) })),
    completeTask: (_root: unknown, { id, note }: { id: string; note?: string | null }, ctx) =>
      payload(async () => ({ task: await ctx.services.tasks.complete(actorOf(ctx), id, { note }) })),
    cancelTask: (_root: unknown, { id }: { id: string }, ctx) =>
      payload(async () => ({ task: await ctx.services.tasks.cancel(actorOf(ctx), id) }))
  }
}

const users = (ctx: Parameters<typeof actorOf>[0], ids: string[]) => ctx.services.users.findMany(actorOf(ctx), ids)

export const tasksLoaders = {
  Task: {
    assignee: byForeignKey<Task, User>((t) => t.assigneeId, users),
    completedBy: byForeignKey<Task, User>((t) => t.completedById, users),
    customer: byForeignKey<Task, Customer>((t) => t.customerId, (ctx, ids) => ctx.services.customers.findMany(actorOf(ctx), ids)),
    lead: byForeignKey<Task, unknown>((t) => t.leadId, (ctx, ids) => ctx.services.leads.findMany(actorOf(ctx), ids)),
    opportunity: byForeignKey<Task, unknown>((t) => t.opportunityId, (ctx, ids) => ctx.services.opportunities.findMany(actorOf(ctx), ids)),
    referrer: byForeignKey<Task, unknown>((t) => t.referrerId, (ctx, ids) => ctx.services.referrers.findMany(actorOf(ctx), ids))
  }
}
