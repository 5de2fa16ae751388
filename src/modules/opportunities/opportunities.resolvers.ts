import type { IResolvers } from 'mercurius'
import { toConnection } from '../../graphql/connection.js'
import { actorOf, nullIfNotFound } from '../../graphql/context.js'
import { payload } from '../../graphql/payload.js'
import type { OpportunityOrder } from './opportunities.service.js'

type ListArgs = { first?: number; after?: string; filter?: unknown; orderBy?: OpportunityOrder }
type InputArgs = { input: Record<string, unknown> }
type MoveArgs = { id: string; stage: string; lostReason?: string | null; probability?: number | null; expectedVersion?: number | null }

export const opportunitiesResolvers: IResolvers = {
  Query: {
    opportunity: (_root: unknown, { id }: { id: string }, ctx) => ctx.services.opportunities.get(actorOf(ctx), id).catch(nullIfNotFound),
    opportunities: async (_root: unknown, args: ListArgs, ctx) => {
      const order = args.orderBy ?? { field: 'createdAt', direction: 'DESC' }
      const page = await ctx.services.opportunities.list(actorOf(ctx), args.filter, order, args)
      return toConnection(page, page.count)
    }
  },
  Mutation: {
    createOpportunity: (_root: unknown, { input }: InputArgs, ctx) =>
      payload(async () => ({ opportunity: await ctx.services.opportunities.create(actorOf(ctx), input) })),
    updateOpportunity: (_root: unknown, { id, input }: InputArgs & { id: string }, ctx) =>
      payload(async () => ({ opportunity: await ctx.services.opportunities.update(actorOf(ctx), id, input) })),
    upsertOpportunity: (_root: unknown, { externalId, input }: InputArgs & { externalId: string }, ctx) =>
      payload(() => ctx.services.opportunities.upsertByExternalId(actorOf(ctx), externalId, input)),
    deleteOpportunity: (_root: unknown, { id, expectedVersion }: { id: string; expectedVersion?: number }, ctx) =>
      payload(async () => ({ deletedId: (await ctx.services.opportunities.delete(actorOf(ctx), id, expectedVersion ?? undefined)).id })),
    moveOpportunityStage: (_root: unknown, { id, expectedVersion, ...move }: MoveArgs, ctx) =>
      payload(async () => ({
        opportunity: await ctx.services.opportunities.moveStage(actorOf(ctx), id, { ...move, ...(expectedVersion != null ? { expectedVersion } : {}) })
      }))
  }
}
