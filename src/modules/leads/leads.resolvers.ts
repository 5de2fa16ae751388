import type { IResolvers, MercuriusContext } from 'mercurius'
import { toConnection } from '../../graphql/connection.js'
import { actorOf, byForeignKey, nullIfNotFound, type LoaderQuery } from '../../graphql/context.js'
import { payload } from '../../graphql/payload.js'
import type { Campaign } from '../campaigns/campaigns.service.js'
import type { Customer } from '../customers/customers.service.js'
import type { Opportunity } from '../opportunities/opportunities.service.js'
import type { Referrer } from '../referrers/referrers.service.js'
import type { User } from '../users/users.service.js'
import type { Lead, LeadHistoryEntry, LeadOrder } from './leads.service.js'

type ListArgs = { first?: number; after?: string; filter?: unknown; orderBy?: LeadOrder }
type InputArgs = { input: Record<string, unknown> }
type Versioned = { id: string; expectedVersion?: number | null }

/** GraphQL passes an omitted optional as absent but an explicit null as null: both mean "no check". */
const versionOf = (v: number | null | undefined) => (v == null ? {} : { expectedVersion: v })
const withoutNullVersion = ({ expectedVersion, ...rest }: Record<string, unknown>) => ({ ...rest, ...(expectedVersion == null ? {} : { expectedVersion }) })

export const leadsResolvers: IResolvers = {
  Query: {
    lead: (_root: unknown, { id }: { id: string }, ctx) => ctx.services.leads.get(actorOf(ctx), id).catch(nullIfNotFound),
    leads: async (_root: unknown, args: ListArgs, ctx) => {
      const page = await ctx.services.leads.list(actorOf(ctx), args.filter, args.orderBy ?? { field: 'createdAt', direction: 'DESC' }, args)
      return toConnection(page, page.count)
    }
  },
  Mutation: {
    createLead: (_root: unknown, { input }: InputArgs, ctx) =>
      payload(async () => ({ lead: await ctx.services.leads.create(actorOf(ctx), input) })),
    updateLead: (_root: unknown, { id, input }: InputArgs & { id: string }, ctx) =>
      payload(async () => ({ lead: await ctx.services.leads.update(actorOf(ctx), id, input) })),
    upsertLead: (_root: unknown, { externalId, input }: InputArgs & { externalId: string }, ctx) =>
      payload(() => ctx.services.leads.upsertByExternalId(actorOf(ctx), externalId, input)),
    deleteLead: (_root: unknown, { id, expectedVersion }: Versioned, ctx) =>
      payload(async () => ({ deletedId: (await ctx.services.leads.delete(actorOf(ctx), id, expectedVersion ?? undefined)).id })),
    assignLead: (_root: unknown, { id, expectedVersion, ...rest }: Versioned & { ownerId?: string | null; reason?: string | null }, ctx) =>
      payload(async () => ({ lead: await ctx.services.leads.assign(actorOf(ctx), id, { ...rest, ...versionOf(expectedVersion) }) })),
    updateLeadStatus: (_root: unknown, { id, expectedVersion, ...rest }: Versioned & { status: string; reason?: string | null }, ctx) =>
      payload(async () => ({ lead: await ctx.services.leads.changeStatus(actorOf(ctx), id, { ...rest, ...versionOf(expectedVersion) }) })),
    convertLead: (_root: unknown, { id, input }: { id: string; input?: Record<string, unknown> | null }, ctx) =>
      payload(() => ctx.services.leads.convert(actorOf(ctx), id, withoutNullVersion(input ?? {})))
  }
}

const users = (ctx: MercuriusContext, ids: string[]) => ctx.services.users.findMany(actorOf(ctx), ids)

export const leadsLoaders = {
  Lead: {
    owner: byForeignKey<Lead, User>((l) => l.ownerId, users),
    customer: byForeignKey<Lead, Customer>((l) => l.customerId, (ctx, ids) => ctx.services.customers.findMany(actorOf(ctx), ids)),
    campaign: byForeignKey<Lead, Campaign>((l) => l.campaignId, (ctx, ids) => ctx.services.campaigns.findMany(actorOf(ctx), ids)),
    referrer: byForeignKey<Lead, Referrer>((l) => l.referrerId, (ctx, ids) => ctx.services.referrers.findMany(actorOf(ctx), ids)),
    convertedOpportunity: byForeignKey<Lead, Opportunity>((l) => l.convertedOpportunityId, (ctx, ids) => ctx.services.opportunities.findMany(actorOf(ctx), ids)),
    history: (queries: LoaderQuery<Lead>[], ctx: MercuriusContext) =>
      ctx.services.leads.historyOf(actorOf(ctx), queries.map((q) => q.obj.id))
  },
  LeadHistoryEntry: {
    fromOwner: byForeignKey<LeadHistoryEntry, User>((h) => h.fromOwnerId, users),
    toOwner: byForeignKey<LeadHistoryEntry, User>((h) => h.toOwnerId, users),
    actor: byForeignKey<LeadHistoryEntry, User>((h) => h.actorId, users)
  }
}
