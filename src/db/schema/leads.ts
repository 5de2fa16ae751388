import { sql } from 'drizzle-orm'
import { index, jsonb, pgTable, text, uniqueIndex, uuid, type AnyPgColumn } from 'drizzle-orm/pg-core'
import { entityColumns, id, contactColumns, tstz } from './columns.js'
import { leadStatusEnum } from './enums.js'
import { campaigns } from './campaigns.js'
import { customers } from './customers.js'
import { referrals } from './referrals.js'
import { referrers } from './referrers.js'
import { users } from './users.js'

/** 线索: a prospective customer being worked by a rep. */
export const leads = pgTable('leads', {
  ...entityColumns(),
  source: text().notNull(),
  referralId: uuid().references((): AnyPgColumn => referrals.id),
  referrerId: uuid().references(() => referrers.id),
  campaignId: uuid().references(() => campaigns.id),
  customerId: uuid().references(() => customers.id),
  name: text().notNull(),
  ...contactColumns(),
  company: text(),
  industry: text(),
  title: text(),
  region: text(),
  status: leadStatusEnum().notNull().default('new'),
  statusReason: text(),
  ownerId: uuid().references(() => users.id),
  assignedAt: tstz(),
  firstContactedAt: tstz(),
  lastActivityAt: tstz(),
  nextFollowUpAt: tstz(),
  /** Follow-up SLA: when first contact is due, and when each breach was recorded (once each). */
  firstContactDueAt: tstz(),
  firstContactBreachedAt: tstz(),
  followUpBreachedAt: tstz(),
  convertedAt: tstz(),
  convertedOpportunityId: uuid(),
  tags: text().array().notNull().default(sql`'{}'::text[]`),
  attributes: jsonb().$type<Record<string, unknown>>().notNull().default({})
}, (t) => [
  uniqueIndex('leads_external_id_uq').on(t.externalId),
  index('leads_owner_id_idx').on(t.ownerId, t.createdAt, t.id),
  index('leads_referral_id_idx').on(t.referralId),
  index('leads_referrer_id_idx').on(t.referrerId),
  index('leads_campaign_id_idx').on(t.campaignId, t.createdAt),
  index('leads_customer_id_idx').on(t.customerId),
  index('leads_status_idx').on(t.status, t.createdAt, t.id),
  index('leads_source_idx').on(t.source),
  index('leads_phone_idx').on(t.phoneIdx),
  index('leads_email_idx').on(t.emailIdx),
  index('leads_next_follow_up_at_idx').on(t.nextFollowUpAt),
  index('leads_first_contact_due_at_idx').on(t.firstContactDueAt).where(sql`${t.firstContactedAt} is null`),
  index('leads_last_activity_at_idx').on(t.lastActivityAt),
  index('leads_created_at_idx').on(t.createdAt, t.id),
  index('leads_assigned_at_idx').on(t.assignedAt),
  index('leads_first_contacted_at_idx').on(t.firstContactedAt),
  // Every deadline, contacted or not: follow-up compliance counts the deadlines that fell in a period.
  index('leads_first_contact_due_all_idx').on(t.firstContactDueAt),
  index('leads_updated_at_idx').on(t.updatedAt, t.id),
  index('leads_name_idx').on(t.name, t.id),
  index('leads_tags_idx').using('gin', t.tags),
  index('leads_search_trgm_idx').using('gin', sql`(lower(${t.name} || ' ' || coalesce(${t.company}, ''))) gin_trgm_ops`)
])

/** Every assignment and status change of a lead, in order. */
export const leadHistory = pgTable('lead_history', {
  id: id(),
  leadId: uuid().notNull().references(() => leads.id),
  kind: text().$type<'created' | 'assigned' | 'status_changed' | 'converted' | 'sla_breached'>().notNull(),
  fromOwnerId: uuid(),
  toOwnerId: uuid(),
  fromStatus: leadStatusEnum(),
  toStatus: leadStatusEnum(),
  reason: text(),
  actorId: uuid(),
  at: tstz().notNull().defaultNow()
}, (t) => [index('lead_history_lead_id_idx').on(t.leadId, t.at)])
