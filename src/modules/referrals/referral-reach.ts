import { sql, type SQL } from 'drizzle-orm'
import { leads } from '../../db/schema/leads.js'
import { referrals } from '../../db/schema/referrals.js'
import { referrers } from '../../db/schema/referrers.js'
import type { Actor } from '../auth/actor.js'
import type { Reach } from '../auth/permissions.js'
import { reachFilter } from '../auth/reach.js'

/**
 * The referrals within `reach` as a row filter. Team reach: the referral's lead is owned in
 * the team, or its referrer's relationship owner is in the team. Shared by the referrals
 * service and the customers' related-record filters (a customer's referral by campaign).
 */
export function referralReach(actor: Actor, reach: Reach): SQL | undefined {
  if (reach !== 'team') return reachFilter(actor, reach, { self: referrals.referrerId })
  return sql`(exists (select 1 from leads where ${leads.id} = ${referrals.leadId} and ${reachFilter(actor, reach, { owner: leads.ownerId })})
      or exists (select 1 from referrers where ${referrers.id} = ${referrals.referrerId} and ${reachFilter(actor, reach, { owner: referrers.ownerId })}))`
}
