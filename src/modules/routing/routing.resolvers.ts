import type { IResolvers, MercuriusContext } from 'mercurius'
import { actorOf, byForeignKey, nullIfNotFound } from '../../graphql/context.js'
import { payload } from '../../graphql/payload.js'
import type { AssignmentDecision } from '../../rules/lead-assignment.js'
import type { Team, User } from '../users/users.service.js'
import type { AssignmentRule } from './routing.service.js'

type InputArgs = { input: Record<string, unknown> }
type Versioned = { expectedVersion?: number | null }

export const routingResolvers: IResolvers = {
  Query: {
    assignmentRules: (_root: unknown, _args: unknown, ctx) => ctx.services.routing.listRules(actorOf(ctx)),
    assignmentRule: (_root: unknown, { id }: { id: string }, ctx) => ctx.services.routing.getRule(actorOf(ctx), id).catch(nullIfNotFound),
    followUpPolicies: (_root: unknown, _args: unknown, ctx) => ctx.services.routing.listPolicies(actorOf(ctx)),
    previewLeadAssignment: (_root: unknown, { input }: InputArgs, ctx) => ctx.services.routing.previewAssignment(actorOf(ctx), input)
  },
  Mutation: {
    createAssignmentRule: (_root: unknown, { input }: InputArgs, ctx) =>
      payload(async () => ({ rule: await ctx.services.routing.createRule(actorOf(ctx), input) })),
    updateAssignmentRule: (_root: unknown, { id, input }: InputArgs & { id: string }, ctx) =>
      payload(async () => ({ rule: await ctx.services.routing.updateRule(actorOf(ctx), id, input) })),
    deleteAssignmentRule: (_root: unknown, { id, expectedVersion }: Versioned & { id: string }, ctx) =>
      payload(async () => ({ deletedId: (await ctx.services.routing.deleteRule(actorOf(ctx), id, expectedVersion ?? undefined)).id })),
    upsertFollowUpPolicy: (_root: unknown, { source, input }: InputArgs & { source: string }, ctx) =>
      payload(() => ctx.services.routing.upsertPolicy(actorOf(ctx), source, input)),
    deleteFollowUpPolicy: (_root: unknown, { source, expectedVersion }: Versioned & { source: string }, ctx) =>
      payload(async () => ({ deletedId: (await ctx.services.routing.deletePolicy(actorOf(ctx), source, expectedVersion ?? undefined)).id }))
  }
}

const users = (ctx: MercuriusContext, ids: string[]) => ctx.services.users.findMany(actorOf(ctx), ids)
const teams = (ctx: MercuriusContext, ids: string[]) => ctx.services.users.teamsByIds(actorOf(ctx), ids)

export const routingLoaders = {
  AssignmentRule: {
    assignee: byForeignKey<AssignmentRule, User>((r) => r.assigneeId, users),
    team: byForeignKey<AssignmentRule, Team>((r) => r.teamId, teams)
  },
  LeadAssignmentDecision: {
    owner: byForeignKey<AssignmentDecision, User>((d) => d.ownerId, users),
    team: byForeignKey<AssignmentDecision, Team>((d) => d.teamId, teams),
    rule: byForeignKey<AssignmentDecision, AssignmentRule>((d) => d.ruleId, (ctx, ids) => ctx.services.routing.findRules(actorOf(ctx), ids))
  }
}
