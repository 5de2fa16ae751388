import type { MercuriusContext } from 'mercurius'
import { actorOf, byForeignKey, type LoaderQuery } from '../../graphql/context.js'
import type { Customer } from '../customers/customers.service.js'
import type { User } from '../users/users.service.js'
import type { Activity } from './activities.service.js'

type Parent = { id: string }
type FirstArg = { first?: number | null }
const DEFAULT_FIRST = 10

/**
 * A one-to-many `activities(first:)` field: every parent in the batch is loaded by one
 * call per distinct `first` (in practice one), never one per parent.
 */
export function latestActivities(load: (ctx: MercuriusContext, ids: string[], first: number) => Promise<Activity[][]>) {
  return async (queries: LoaderQuery<Parent, FirstArg>[], ctx: MercuriusContext): Promise<Activity[][]> => {
    const firsts = [...new Set(queries.map((q) => q.params.first ?? DEFAULT_FIRST))]
    const answers = new Map<number, Map<string, Activity[]>>()
    for (const first of firsts) {
      const ids = [...new Set(queries.filter((q) => (q.params.first ?? DEFAULT_FIRST) === first).map((q) => q.obj.id))]
      const lists = await load(ctx, ids, first)
      answers.set(first, new Map(ids.map((id, i) => [id, lists[i]])))
    }
    return queries.map((q) => answers.get(q.params.first ?? DEFAULT_FIRST)!.get(q.obj.id) ?? [])
  }
}

export const activitiesLoaders = {
  Activity: {
    author: byForeignKey<Activity, User>((a) => a.authorId, (ctx, ids) => ctx.services.users.findMany(actorOf(ctx), ids)),
    customer: byForeignKey<Activity, Customer>((a) => a.customerId, (ctx, ids) => ctx.services.customers.findMany(actorOf(ctx), ids)),
    lead: byForeignKey<Activity, unknown>((a) => a.leadId, (ctx, ids) => ctx.services.leads.findMany(actorOf(ctx), ids)),
    opportunity: byForeignKey<Activity, unknown>((a) => a.opportunityId, (ctx, ids) => ctx.services.opportunities.findMany(actorOf(ctx), ids)),
    referrer: byForeignKey<Activity, unknown>((a) => a.referrerId, (ctx, ids) => ctx.services.referrers.findMany(actorOf(ctx), ids))
  },
  Customer: {
    activities: latestActivities((ctx, ids, first) => ctx.services.activities.forCustomers(actorOf(ctx), ids, first))
  },
  Lead: {
    activities: latestActivities((ctx, ids, first) => ctx.services.activities.forSubjects(actorOf(ctx), 'lead', ids, first))
  },
  Opportunity: {
    activities: latestActivities((ctx, ids, first) => ctx.services.activities.forSubjects(actorOf(ctx), 'opportunity', ids, first))
  },
  Referrer: {
    activities: latestActivities((ctx, ids, first) => ctx.services.activities.forSubjects(actorOf(ctx), 'referrer', ids, first))
  }
}
