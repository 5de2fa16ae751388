import { sql, type SQL } from 'drizzle-orm'
import type { AnyPgColumn } from 'drizzle-orm/pg-core'
import { activities } from '../../db/schema/activities.js'

/**
 * A customer's timeline, decided when it is read (so an activity logged on the lead after
 * conversion shows too): the activities naming the customer, and those on its leads, its
 * opportunities and the lead of the referral it came from, each keeping its own subject.
 * Merges move leads and opportunities to the survivor, so its timeline follows them.
 *
 * SQL: the ids of the timeline of `customer` (a column or a value). Each branch is an
 * index walk (activities by customer, lead, opportunity; leads and opportunities by
 * customer), so the set costs what the customer's own history costs, however large the
 * table.
 */
export function timelineIds(customer: SQL | AnyPgColumn): SQL {
  return sql`select ta.id from activities ta where ta.customer_id = ${customer}
    union select ta.id from leads tl join activities ta on ta.lead_id = tl.id where tl.customer_id = ${customer}
    union select ta.id from customers tc join leads tl on tl.referral_id = tc.referred_by_referral_id
      join activities ta on ta.lead_id = tl.id where tc.id = ${customer}
    union select ta.id from opportunities t_o join activities ta on ta.opportunity_id = t_o.id where t_o.customer_id = ${customer}`
}

/** SQL: this activity is on the timeline of `customer`. */
export const onTimeline = (customer: SQL | AnyPgColumn): SQL => sql`${activities.id} in (${timelineIds(customer)})`
