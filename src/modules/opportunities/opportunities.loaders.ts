import type { MercuriusContext } from 'mercurius'
import { actorOf, byForeignKey, type LoaderQuery } from '../../graphql/context.js'
import type { Campaign } from '../campaigns/campaigns.service.js'
import type { Customer } from '../customers/customers.service.js'
import type { User } from '../users/users.service.js'
import type { Opportunity, StageChange } from './opportunities.service.js'

/** Every relation of Opportunity, and Customer.opportunities, batched: one query per field per request. */
export const opportunitiesLoaders = {
  Opportunity: {
    customer: byForeignKey<Opportunity, Customer>((o) => o.customerId, (ctx, ids) => ctx.services.customers.findMany(actorOf(ctx), ids)),
    owner: byForeignKey<Opportunity, User>((o) => o.ownerId, (ctx, ids) => ctx.services.users.findMany(actorOf(ctx), ids)),
    campaign: byForeignKey<Opportunity, Campaign>((o) => o.campaignId, (ctx, ids) => ctx.services.campaigns.findMany(actorOf(ctx), ids)),
    stageHistory: (queries: LoaderQuery<Opportunity>[], ctx: MercuriusContext) =>
      ctx.services.opportunities.stageHistory(actorOf(ctx), queries.map((q) => q.obj.id))
  },
  OpportunityStageChange: {
    changedBy: byForeignKey<StageChange, User>((c) => c.changedById, (ctx, ids) => ctx.services.users.findMany(actorOf(ctx), ids))
  },
  Customer: {
    /** All customers of the page in one windowed query (row_number per customer). */
    opportunities: (queries: LoaderQuery<Customer, { first?: number | null }>[], ctx: MercuriusContext) =>
      ctx.services.opportunities.forCustomers(actorOf(ctx), queries.map((q) => ({ customerId: q.obj.id, first: q.params.first ?? 20 })))
  }
}
