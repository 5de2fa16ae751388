import { bigint, date, index, integer, pgTable, text, uniqueIndex, uuid, char } from 'drizzle-orm/pg-core'
import { entityColumns, id, tstz } from './columns.js'
import { opportunityStageEnum } from './enums.js'
import { campaigns } from './campaigns.js'
import { customers } from './customers.js'
import { leads } from './leads.js'
import { referrers } from './referrers.js'
import { users } from './users.js'

/** 商机: a deal with a customer, moving through stages. Money in minor units (fen). */
export const opportunities = pgTable('opportunities', {
  ...entityColumns(),
  customerId: uuid().notNull().references(() => customers.id),
  name: text().notNull(),
  amount: bigint({ mode: 'number' }).notNull().default(0),
  currency: char({ length: 3 }).notNull().default('CNY'),
  stage: opportunityStageEnum().notNull().default('initial_contact'),
  probability: integer().notNull(),
  expectedCloseDate: date({ mode: 'string' }),
  ownerId: uuid().references(() => users.id),
  leadId: uuid().references(() => leads.id),
  campaignId: uuid().references(() => campaigns.id),
  referrerId: uuid().references(() => referrers.id),
  lostReason: text(),
  stageChangedAt: tstz().notNull().defaultNow(),
  closedAt: tstz()
}, (t) => [
  uniqueIndex('opportunities_external_id_uq').on(t.externalId),
  index('opportunities_customer_id_idx').on(t.customerId),
  index('opportunities_owner_id_idx').on(t.ownerId, t.createdAt, t.id),
  index('opportunities_lead_id_idx').on(t.leadId),
  index('opportunities_campaign_id_idx').on(t.campaignId),
  index('opportunities_referrer_id_idx').on(t.referrerId),
  index('opportunities_stage_idx').on(t.stage, t.createdAt, t.id),
  index('opportunities_expected_close_date_idx').on(t.expectedCloseDate),
  index('opportunities_created_at_idx').on(t.createdAt, t.id),
  index('opportunities_closed_at_idx').on(t.closedAt),
  index('opportunities_updated_at_idx').on(t.updatedAt, t.id),
  index('opportunities_name_idx').on(t.name, t.id)
])

export const opportunityStageHistory = pgTable('opportunity_stage_history', {
  id: id(),
  opportunityId: uuid().notNull().references(() => opportunities.id),
  fromStage: opportunityStageEnum(),
  toStage: opportunityStageEnum().notNull(),
  probability: integer().notNull(),
  reason: text(),
  changedById: uuid(),
  changedAt: tstz().notNull().defaultNow()
}, (t) => [
  index('opportunity_stage_history_opportunity_id_idx').on(t.opportunityId, t.changedAt),
  index('opportunity_stage_history_changed_at_idx').on(t.changedAt)
])
