import { sql } from 'drizzle-orm'
import { boolean, check, date, index, integer, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { entityColumns, id, tstz } from './columns.js'
import {
  calendarDayKindEnum, customerTierEnum, ticketChannelEnum, ticketCommentVisibilityEnum, ticketPriorityEnum, ticketStatusEnum
} from './enums.js'
import { activities } from './activities.js'
import { customers } from './customers.js'
import { opportunities } from './opportunities.js'
import { orders } from './orders.js'
import { teams } from './teams.js'
import { users } from './users.js'

/**
 * 服务工单: a customer's service request. It is assigned to a user (a service agent or a manager)
 * and/or a queue (a team). SLA clocks run in business hours (src/rules/business-hours.ts,
 * src/rules/ticket-sla.ts); a due time is null while its clock is paused or stopped.
 */
export const tickets = pgTable('tickets', {
  ...entityColumns(),
  customerId: uuid().notNull().references(() => customers.id),
  orderId: uuid().references(() => orders.id),
  opportunityId: uuid().references(() => opportunities.id),
  channel: ticketChannelEnum().notNull(),
  /** A ticket_categories key. */
  category: text().notNull(),
  priority: ticketPriorityEnum().notNull().default('normal'),
  subject: text().notNull(),
  description: text(),
  status: ticketStatusEnum().notNull().default('open'),
  assigneeId: uuid().references(() => users.id),
  queueTeamId: uuid().references(() => teams.id),
  /** How routing chose the assignee and queue (`rule:<name>`, `round_robin:<team>`, `manual`, `unassigned`). */
  routedVia: text().notNull().default('manual'),
  /** The customer's tier when the ticket was opened: the SLA policy and routing read it. */
  customerTier: customerTierEnum(),
  /** SLA targets in business minutes, copied from the policy when the ticket was opened (null: no policy). */
  firstResponseMinutes: integer(),
  resolutionMinutes: integer(),
  firstResponseDueAt: tstz(),
  resolutionDueAt: tstz(),
  /** The first public reply by staff. */
  firstRespondedAt: tstz(),
  firstResponseBreachedAt: tstz(),
  resolutionBreachedAt: tstz(),
  /** Business minutes worked (waiting_customer excluded) when first answered / resolved. */
  firstResponseBusinessMinutes: integer(),
  resolutionBusinessMinutes: integer(),
  resolvedAt: tstz(),
  closedAt: tstz(),
  reopenCount: integer().notNull().default(0),
  /** SHA-256 of the customer's tracking token (the token is shown once, on creation). */
  trackingTokenHash: text().notNull(),
  createdById: uuid().references(() => users.id)
}, (t) => [
  uniqueIndex('tickets_external_id_uq').on(t.externalId),
  uniqueIndex('tickets_tracking_token_hash_uq').on(t.trackingTokenHash),
  index('tickets_customer_id_idx').on(t.customerId, t.createdAt),
  index('tickets_order_id_idx').on(t.orderId),
  index('tickets_opportunity_id_idx').on(t.opportunityId),
  index('tickets_assignee_id_idx').on(t.assigneeId, t.status),
  index('tickets_queue_team_id_idx').on(t.queueTeamId, t.status),
  index('tickets_created_by_id_idx').on(t.createdById),
  index('tickets_created_at_idx').on(t.createdAt, t.id),
  index('tickets_updated_at_idx').on(t.updatedAt, t.id),
  index('tickets_resolved_at_idx').on(t.resolvedAt),
  // The satisfaction report: first responses in a period, and the backlog as of now.
  index('tickets_first_responded_at_idx').on(t.firstRespondedAt),
  index('tickets_backlog_idx').on(t.createdAt).where(sql`${t.status} in ('open', 'in_progress', 'waiting_customer') and ${t.deletedAt} is null`),
  // The breach scan: only clocks still running and not yet breached are in these indexes.
  // A first-response due time stays set after a late first reply (src/rules/ticket-sla.ts), so the scan flags it even then.
  index('tickets_first_response_due_idx').on(t.firstResponseDueAt)
    .where(sql`${t.firstResponseDueAt} is not null and ${t.firstResponseBreachedAt} is null and ${t.deletedAt} is null`),
  index('tickets_resolution_due_idx').on(t.resolutionDueAt)
    .where(sql`${t.resolutionDueAt} is not null and ${t.resolutionBreachedAt} is null and ${t.deletedAt} is null`)
])

/** Every status transition of a ticket: who, when, from what to what (the SLA clocks are computed from it). */
export const ticketStatusChanges = pgTable('ticket_status_changes', {
  id: id(),
  ticketId: uuid().notNull().references(() => tickets.id),
  /** Null for the opening entry. */
  fromStatus: ticketStatusEnum(),
  toStatus: ticketStatusEnum().notNull(),
  actorType: text().$type<'user' | 'api_key' | 'referrer' | 'system' | 'public'>().notNull(),
  /** The user (or API key, referrer) that made the change; null for the system and the public page. */
  actorId: uuid(),
  note: text(),
  at: tstz().notNull().defaultNow()
}, (t) => [
  index('ticket_status_changes_ticket_id_idx').on(t.ticketId, t.at)
])

/** Internal notes (staff only) and public replies (shown on the tracking page). */
export const ticketComments = pgTable('ticket_comments', {
  ...entityColumns(),
  ticketId: uuid().notNull().references(() => tickets.id),
  visibility: ticketCommentVisibilityEnum().notNull(),
  body: text().notNull(),
  /** 'staff' (authorId set, or an API key) or 'customer' (through the tracking page). */
  authorKind: text().notNull(),
  authorId: uuid().references(() => users.id),
  /** The activity this comment is in the customer's timeline. */
  activityId: uuid().references(() => activities.id)
}, (t) => [
  uniqueIndex('ticket_comments_external_id_uq').on(t.externalId),
  index('ticket_comments_ticket_id_idx').on(t.ticketId, t.createdAt),
  index('ticket_comments_author_id_idx').on(t.authorId),
  index('ticket_comments_activity_id_idx').on(t.activityId),
  check('ticket_comments_author_kind', sql`${t.authorKind} in ('staff', 'customer')`)
])

/** The configurable list of ticket categories. */
export const ticketCategories = pgTable('ticket_categories', {
  ...entityColumns(),
  key: text().notNull(),
  name: text().notNull(),
  nameEn: text(),
  active: boolean().notNull().default(true)
}, (t) => [
  uniqueIndex('ticket_categories_external_id_uq').on(t.externalId),
  uniqueIndex('ticket_categories_key_uq').on(t.key).where(sql`${t.deletedAt} is null`)
])

/**
 * Ticket routing, as data (like lead routing): the first active rule, by priority then age,
 * whose conditions all match gives the ticket to its user, or round-robin in its queue.
 */
export const ticketRoutingRules = pgTable('ticket_routing_rules', {
  ...entityColumns(),
  name: text().notNull(),
  priority: integer().notNull().default(100),
  active: boolean().notNull().default(true),
  /** Conditions; an empty list matches anything. */
  categories: text().array().notNull().default(sql`'{}'::text[]`),
  priorities: text().array().notNull().default(sql`'{}'::text[]`),
  channels: text().array().notNull().default(sql`'{}'::text[]`),
  customerTiers: text().array().notNull().default(sql`'{}'::text[]`),
  /** Exactly one target: a user, or a queue (team) to rotate through. */
  assigneeId: uuid().references(() => users.id),
  queueTeamId: uuid().references(() => teams.id)
}, (t) => [
  uniqueIndex('ticket_routing_rules_external_id_uq').on(t.externalId),
  index('ticket_routing_rules_priority_idx').on(t.priority, t.createdAt).where(sql`${t.active} and ${t.deletedAt} is null`),
  index('ticket_routing_rules_assignee_id_idx').on(t.assigneeId),
  index('ticket_routing_rules_queue_team_id_idx').on(t.queueTeamId)
])

/** SLA targets per priority, optionally per customer tier (a tier's policy wins over the tier-less one). */
export const slaPolicies = pgTable('sla_policies', {
  ...entityColumns(),
  priority: ticketPriorityEnum().notNull(),
  customerTier: customerTierEnum(),
  firstResponseMinutes: integer().notNull(),
  resolutionMinutes: integer().notNull(),
  active: boolean().notNull().default(true)
}, (t) => [
  uniqueIndex('sla_policies_external_id_uq').on(t.externalId),
  // One policy per priority without a tier, and one per (priority, tier).
  uniqueIndex('sla_policies_priority_uq').on(t.priority).where(sql`${t.customerTier} is null and ${t.deletedAt} is null`),
  uniqueIndex('sla_policies_priority_tier_uq').on(t.priority, t.customerTier).where(sql`${t.customerTier} is not null and ${t.deletedAt} is null`),
  check('sla_policies_minutes_positive', sql`${t.firstResponseMinutes} > 0 and ${t.resolutionMinutes} > 0`)
])

/** The working week: one row ('default'); intervals are [start, end) minutes after local midnight. */
export const workingCalendars = pgTable('working_calendars', {
  key: text().primaryKey(),
  /** ISO weekdays, 1 = Monday … 7 = Sunday. */
  workingDays: integer().array().notNull().default(sql`'{1,2,3,4,5}'::integer[]`),
  intervals: jsonb().$type<Array<[number, number]>>().notNull().default([[540, 720], [780, 1080]]),
  version: integer().notNull().default(1),
  updatedAt: tstz().notNull().defaultNow()
})

/** Dates that break the working week: public holidays, and make-up working days (调休). */
export const calendarDays = pgTable('calendar_days', {
  date: date({ mode: 'string' }).primaryKey(),
  kind: calendarDayKindEnum().notNull(),
  name: text(),
  createdAt: tstz().notNull().defaultNow()
})
