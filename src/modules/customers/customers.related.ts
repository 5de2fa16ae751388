import { and, eq, gte, inArray, isNull, sql, type SQL } from 'drizzle-orm'
import { activities } from '../../db/schema/activities.js'
import { customers } from '../../db/schema/customers.js'
import { leads } from '../../db/schema/leads.js'
import { opportunities } from '../../db/schema/opportunities.js'
import { orders } from '../../db/schema/orders.js'
import { referrals } from '../../db/schema/referrals.js'
import { referrers } from '../../db/schema/referrers.js'
import { openStages } from '../../rules/opportunity-stages.js'
import type { Actor } from '../auth/actor.js'
import { reachFilter } from '../auth/reach.js'
import { relatedRows } from '../common/related-reach.js'
import { referralReach } from '../referrals/referral-reach.js'
import type { CustomerFilter } from './customers.schemas.js'

/**
 * Customers by their related records (docs/customers.md, "Filters on related records"):
 * the referrer credited with them, the campaign they came through, their open opportunities
 * and their last activity. Each is an EXISTS over an indexed foreign key, correlated with
 * the customer row, and looks only at live records the caller may read.
 */

/** The related records the caller may read, per table (undefined: all of them). */
export type CustomerRelatedReach = {
  referrers?: SQL; referrals?: SQL; opportunities?: SQL; orders?: SQL; activities?: SQL
}

/** No reach limit: every live related record counts (callers without an actor, tests). */
export const allRelated: CustomerRelatedReach = {}

export function customerRelatedReach(actor: Actor): CustomerRelatedReach {
  return {
    referrers: relatedRows(actor, 'referrers', (reach) => reachFilter(actor, reach, { owner: referrers.ownerId, self: referrers.id })),
    referrals: relatedRows(actor, 'referrals', (reach) => referralReach(actor, reach)),
    opportunities: relatedRows(actor, 'opportunities', (reach) => reachFilter(actor, reach, { owner: opportunities.ownerId })),
    // Whoever sees a customer sees all of its orders and its whole timeline.
    orders: relatedRows(actor, 'orders', () => undefined),
    activities: relatedRows(actor, 'activities', () => undefined)
  }
}

const exists = (from: SQL, ...where: (SQL | undefined)[]) => sql`exists (select 1 from ${from} where ${and(...where)})`

/** The customer's credited referrer (customers.referrer_id) is live and matches `match`. */
const referrerIs = (match: SQL, reach: CustomerRelatedReach) =>
  exists(sql`${referrers}`, eq(referrers.id, customers.referrerId), isNull(referrers.deletedAt), match, reach.referrers)

/** Referred through a referral of the campaign, or a live opportunity or order carries it. */
function campaignIs(campaignId: string, reach: CustomerRelatedReach): SQL {
  return sql`(${exists(sql`${referrals}`, eq(referrals.id, customers.referredByReferralId), isNull(referrals.deletedAt), eq(referrals.campaignId, campaignId), reach.referrals)}
    or ${exists(sql`${opportunities}`, eq(opportunities.customerId, customers.id), isNull(opportunities.deletedAt), eq(opportunities.campaignId, campaignId), reach.opportunities)}
    or ${exists(sql`${orders}`, eq(orders.customerId, customers.id), isNull(orders.deletedAt), eq(orders.campaignId, campaignId), reach.orders)})`
}

const openOpportunity = (reach: CustomerRelatedReach) =>
  exists(sql`${opportunities}`, eq(opportunities.customerId, customers.id), isNull(opportunities.deletedAt), inArray(opportunities.stage, [...openStages]), reach.opportunities)

/**
 * A live activity of the customer's timeline (as Customer.activities shows it: naming the
 * customer, or on one of its leads or opportunities) at or after `since`. Three index walks.
 */
function activitySince(since: Date, reach: CustomerRelatedReach): SQL {
  const recent = and(isNull(activities.deletedAt), gte(activities.occurredAt, since), reach.activities)
  return sql`(${exists(sql`${activities}`, eq(activities.customerId, customers.id), recent)}
    or ${exists(sql`${leads} join ${activities} on ${activities.leadId} = ${leads.id}`, eq(leads.customerId, customers.id), recent)}
    or ${exists(sql`${opportunities} join ${activities} on ${activities.opportunityId} = ${opportunities.id}`, eq(opportunities.customerId, customers.id), recent)})`
}

/** The related-record conditions of a customers filter. */
export function relatedConditions(filter: CustomerFilter, reach: CustomerRelatedReach): SQL[] {
  const where: SQL[] = []
  if (filter.referrerKind?.length) where.push(referrerIs(inArray(referrers.kind, filter.referrerKind), reach))
  if (filter.referrerTier?.length) where.push(referrerIs(inArray(referrers.tier, filter.referrerTier), reach))
  if (filter.campaignId) where.push(campaignIs(filter.campaignId, reach))
  if (filter.hasOpenOpportunity !== undefined) where.push(filter.hasOpenOpportunity ? openOpportunity(reach) : sql`not ${openOpportunity(reach)}`)
  if (filter.lastActivityBefore) where.push(sql`not ${activitySince(new Date(filter.lastActivityBefore), reach)}`)
  return where
}
