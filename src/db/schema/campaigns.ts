import { sql } from 'drizzle-orm'
import { bigint, char, check, date, index, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { entityColumns, tstz } from './columns.js'
import { campaignStatusEnum } from './enums.js'
import { users } from './users.js'

/** 营销活动: a time-boxed push with an audience, a budget and (later) its incentive rules. */
export const campaigns = pgTable('campaigns', {
  ...entityColumns(),
  name: text().notNull(),
  goal: text(),
  channel: text(),
  description: text(),
  /** A saved customer filter, in the same shape as the customers list filter. */
  audience: jsonb().$type<Record<string, unknown>>(),
  startsAt: tstz(),
  endsAt: tstz(),
  budgetAmount: bigint({ mode: 'number' }),
  budgetCurrency: char({ length: 3 }).notNull().default('CNY'),
  status: campaignStatusEnum().notNull().default('draft'),
  ownerId: uuid().references(() => users.id)
}, (t) => [
  uniqueIndex('campaigns_external_id_uq').on(t.externalId),
  index('campaigns_owner_id_idx').on(t.ownerId),
  index('campaigns_status_idx').on(t.status, t.createdAt, t.id),
  index('campaigns_starts_at_idx').on(t.startsAt),
  index('campaigns_created_at_idx').on(t.createdAt, t.id),
  index('campaigns_updated_at_idx').on(t.updatedAt, t.id),
  index('campaigns_name_idx').on(t.name, t.id)
])

/**
 * A campaign's costs other than rewards (ads, venue, printing, ...): what ROI counts beside
 * the reward ledger (docs/analytics.md, "Campaign performance"). Money in minor units; the
 * day it was incurred is a calendar date in REPORTING_TIMEZONE.
 */
export const campaignCosts = pgTable('campaign_costs', {
  ...entityColumns(),
  campaignId: uuid().notNull().references(() => campaigns.id),
  amount: bigint({ mode: 'number' }).notNull(),
  currency: char({ length: 3 }).notNull().default('CNY'),
  category: text().notNull(),
  incurredOn: date({ mode: 'string' }).notNull(),
  note: text(),
  createdBy: uuid().references(() => users.id)
}, (t) => [
  uniqueIndex('campaign_costs_external_id_uq').on(t.externalId),
  index('campaign_costs_campaign_id_idx').on(t.campaignId, t.incurredOn),
  index('campaign_costs_incurred_on_idx').on(t.incurredOn),
  check('campaign_costs_amount_positive', sql`${t.amount} > 0`)
])
