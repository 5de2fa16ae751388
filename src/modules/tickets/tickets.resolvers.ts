import type { IResolvers, MercuriusContext } from 'mercurius'
import { toConnection } from '../../graphql/connection.js'
import { actorOf, byForeignKey, nullIfForbidden, nullIfNotFound, type LoaderQuery } from '../../graphql/context.js'
import { payload } from '../../graphql/payload.js'
import type { Customer } from '../customers/customers.service.js'
import type { Team, User } from '../users/users.service.js'
import type { TicketOrder } from './tickets.service.js'
import type { Ticket, TicketComment } from './tickets.views.js'

type ListArgs = { first?: number; after?: string; filter?: unknown; orderBy?: TicketOrder }

export const ticketsResolvers: IResolvers = {
  Query: {
    ticket: (_root: unknown, { id }: { id: string }, ctx) => ctx.services.tickets.get(actorOf(ctx), id).catch(nullIfNotFound),
    tickets: async (_root: unknown, args: ListArgs, ctx) => {
      const order = args.orderBy ?? { field: 'createdAt', direction: 'DESC' }
      const page = await ctx.services.tickets.list(actorOf(ctx), args.filter, order, args)
      return toConnection(page, page.count)
    }
  },
  Mutation: {
    createTicket: (_root: unknown, { input }: { input: unknown }, ctx) =>
      payload(() => ctx.services.tickets.create(actorOf(ctx), input)),
    updateTicket: (_root: unknown, { id, input }: { id: string; input: unknown }, ctx) =>
      payload(async () => ({ ticket: await ctx.services.tickets.update(actorOf(ctx), id, input) })),
    changeTicketStatus: (_root: unknown, { id, input }: { id: string; input: unknown }, ctx) =>
      payload(async () => ({ ticket: await ctx.services.tickets.changeStatus(actorOf(ctx), id, input) })),
    addTicketComment: (_root: unknown, { ticketId, input }: { ticketId: string; input: unknown }, ctx) =>
      payload(() => ctx.services.tickets.addComment(actorOf(ctx), ticketId, input)),
    issueTicketTrackingToken: (_root: unknown, { id }: { id: string }, ctx) =>
      payload(() => ctx.services.tickets.issueTrackingToken(actorOf(ctx), id))
  },
  Ticket: {
    comments: async (ticket: Ticket, args: { first?: number; after?: string; visibility?: string }, ctx) => {
      const page = await ctx.services.tickets.comments(actorOf(ctx), ticket.id, args.visibility ? { visibility: args.visibility } : {}, args)
      return toConnection(page, page.count)
    }
  }
}

const users = (ctx: MercuriusContext, ids: string[]) => ctx.services.users.findMany(actorOf(ctx), ids)

export const ticketsLoaders = {
  Ticket: {
    customer: byForeignKey<Ticket, Customer>((t) => t.customerId, (ctx, ids) => ctx.services.customers.findMany(actorOf(ctx), ids)),
    order: byForeignKey<Ticket, unknown>((t) => t.orderId, nullIfForbidden((ctx, ids) => ctx.services.orders.findMany(actorOf(ctx), ids))),
    opportunity: byForeignKey<Ticket, unknown>((t) => t.opportunityId, nullIfForbidden((ctx, ids) => ctx.services.opportunities.findMany(actorOf(ctx), ids))),
    assignee: byForeignKey<Ticket, User>((t) => t.assigneeId, users),
    createdBy: byForeignKey<Ticket, User>((t) => t.createdById, users),
    queue: byForeignKey<Ticket, Team>((t) => t.queueTeamId, nullIfForbidden((ctx, ids) => ctx.services.users.teamsByIds(actorOf(ctx), ids))),
    statusHistory: (queries: LoaderQuery<Ticket>[], ctx: MercuriusContext) => ctx.services.tickets.history(queries.map((q) => q.obj.id))
  },
  TicketComment: {
    author: byForeignKey<TicketComment, User>((c) => c.authorId, users)
  },
  Customer: {
    tickets: (queries: LoaderQuery<Customer, { first?: number | null }>[], ctx: MercuriusContext) =>
      ctx.services.tickets.forCustomers(actorOf(ctx), queries.map((q) => ({ customerId: q.obj.id, first: q.params.first ?? 20 })))
  }
}
