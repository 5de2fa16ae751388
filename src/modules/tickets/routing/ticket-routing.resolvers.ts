import type { IResolvers, MercuriusContext } from 'mercurius'
import { actorOf, byForeignKey } from '../../../graphql/context.js'
import { payload } from '../../../graphql/payload.js'
import type { TicketRoutingDecision } from '../../../rules/ticket-routing.js'
import type { Team, User } from '../../users/users.service.js'
import type { TicketRoutingRule } from './ticket-routing.service.js'

type InputArgs = { input: Record<string, unknown> }

export const ticketRoutingResolvers: IResolvers = {
  Query: {
    ticketRoutingRules: (_root: unknown, _args: unknown, ctx) => ctx.services.ticketRouting.listRules(actorOf(ctx)),
    ticketCategories: (_root: unknown, _args: unknown, ctx) => ctx.services.ticketRouting.listCategories(actorOf(ctx)),
    previewTicketRouting: (_root: unknown, { facts }: { facts: Record<string, unknown> }, ctx) => ctx.services.ticketRouting.preview(actorOf(ctx), facts)
  },
  Mutation: {
    createTicketRoutingRule: (_root: unknown, { input }: InputArgs, ctx) =>
      payload(async () => ({ rule: await ctx.services.ticketRouting.createRule(actorOf(ctx), input) })),
    updateTicketRoutingRule: (_root: unknown, { id, input }: InputArgs & { id: string }, ctx) =>
      payload(async () => ({ rule: await ctx.services.ticketRouting.updateRule(actorOf(ctx), id, input) })),
    deleteTicketRoutingRule: (_root: unknown, { id, expectedVersion }: { id: string; expectedVersion?: number | null }, ctx) =>
      payload(async () => ({ deletedId: (await ctx.services.ticketRouting.deleteRule(actorOf(ctx), id, expectedVersion ?? undefined)).id })),
    createTicketCategory: (_root: unknown, { input }: InputArgs, ctx) =>
      payload(async () => ({ category: await ctx.services.ticketRouting.createCategory(actorOf(ctx), input) })),
    updateTicketCategory: (_root: unknown, { id, input }: InputArgs & { id: string }, ctx) =>
      payload(async () => ({ category: await ctx.services.ticketRouting.updateCategory(actorOf(ctx), id, input) }))
  }
}

const users = (ctx: MercuriusContext, ids: string[]) => ctx.services.users.findMany(actorOf(ctx), ids)
const teams = (ctx: MercuriusContext, ids: string[]) => ctx.services.users.teamsByIds(actorOf(ctx), ids)

export const ticketRoutingLoaders = {
  TicketRoutingRule: {
    assignee: byForeignKey<TicketRoutingRule, User>((r) => r.assigneeId, users),
    queueTeam: byForeignKey<TicketRoutingRule, Team>((r) => r.queueTeamId, teams)
  },
  TicketRoutingDecision: {
    assignee: byForeignKey<TicketRoutingDecision, User>((d) => d.assigneeId, users),
    queueTeam: byForeignKey<TicketRoutingDecision, Team>((d) => d.queueTeamId, teams),
    rule: byForeignKey<TicketRoutingDecision, TicketRoutingRule>((d) => d.ruleId, (ctx, ids) => ctx.services.ticketRouting.findRules(actorOf(ctx), ids))
  }
}
