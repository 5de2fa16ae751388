import { sql } from 'drizzle-orm'
import { check, index, integer, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { entityColumns, tstz } from './columns.js'
import { activityDirectionEnum, activityKindEnum } from './enums.js'
import { customers } from './customers.js'
import { leads } from './leads.js'
import { opportunities } from './opportunities.js'
import { referrers } from './referrers.js'
import { users } from './users.js'

/**
 * 沟通记录: a call, visit, message or note. It names the subject it was logged on and
 * also carries the customer it concerns, so a customer's timeline is one indexed read.
 */
export const activities = pgTable('activities', {
  ...entityColumns(),
  kind: activityKindEnum().notNull(),
  direction: activityDirectionEnum().notNull().default('outbound'),
  subject: text(),
  body: text(),
  occurredAt: tstz().notNull().defaultNow(),
  durationSeconds: integer(),
  authorId: uuid().references(() => users.id),
  customerId: uuid().references(() => customers.id),
  referrerId: uuid().references(() => referrers.id),
  leadId: uuid().references(() => leads.id),
  opportunityId: uuid().references(() => opportunities.id)
}, (t) => [
  uniqueIndex('activities_external_id_uq').on(t.externalId),
  index('activities_customer_id_idx').on(t.customerId, t.occurredAt),
  index('activities_referrer_id_idx').on(t.referrerId, t.occurredAt),
  index('activities_lead_id_idx').on(t.leadId, t.occurredAt),
  index('activities_opportunity_id_idx').on(t.opportunityId, t.occurredAt),
  index('activities_author_id_idx').on(t.authorId, t.occurredAt),
  index('activities_created_at_idx').on(t.createdAt, t.id),
  index('activities_occurred_at_idx').on(t.occurredAt, t.id),
  check('activities_has_subject', sql`num_nonnulls(${t.customerId}, ${t.referrerId}, ${t.leadId}, ${t.opportunityId}) > 0`)
])
