import { getTableColumns, sql, Subquery, type SQL } from 'drizzle-orm'
import type { AnyPgColumn } from 'drizzle-orm/pg-core'
import { activities } from '../../db/schema/activities.js'

/**
 * A customer's timeline, decided when it is read (so an activity logged on the lead after
 * conversion shows too): the activities naming the customer, and those on its leads (the
 * lead of the referral it came from among them: conversion links it) and on its
 * opportunities, each keeping its own subject. Merges move leads and opportunities to the
 * survivor, so its timeline follows them.
 *
 * The timeline of `customer` (a column or a value) as a subquery named `activities`,
 * so every column of the activities table reads from it as from the table. Each branch is an
 * index walk (activities by customer, lead, opportunity; leads and opportunities by
 * customer): the cost is the customer's own history, however large the table. (A filter
 * `activities.id in (...)` lets the planner hash-join the whole table instead.)
 */
export function timelineSource(customer: SQL | AnyPgColumn): Subquery {
  return new Subquery(sql`select ta.* from activities ta where ta.customer_id = ${customer}
    union select ta.* from leads tl join activities ta on ta.lead_id = tl.id where tl.customer_id = ${customer}
    union select ta.* from opportunities t_o join activities ta on ta.opportunity_id = t_o.id where t_o.customer_id = ${customer}`,
  getTableColumns(activities), 'activities')
}
