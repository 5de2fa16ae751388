import { sql } from 'drizzle-orm'
import { date, index, jsonb, pgTable, text, uniqueIndex, uuid, type AnyPgColumn } from 'drizzle-orm/pg-core'
import { entityColumns, contactColumns, idNumberColumns, tstz } from './columns.js'
import { customerTierEnum, genderEnum, lifecycleStageEnum } from './enums.js'
import { users } from './users.js'
import { referrals } from './referrals.js'
import { referrers } from './referrers.js'

export type ConsentRecord = { granted: boolean; at: string; channel: string; purpose: string; note?: string }

export const customers = pgTable('customers', {
  ...entityColumns(),
  name: text().notNull(),
  gender: genderEnum().notNull().default('unknown'),
  birthday: date({ mode: 'string' }),
  ...contactColumns(),
  ...idNumberColumns(),
  address: text(),
  company: text(),
  industry: text(),
  title: text(),
  region: text(),
  sourceChannel: text(),
  ownerId: uuid().references(() => users.id),
  /** The referrer credited with bringing this customer, and the referral that did it. */
  referrerId: uuid().references((): AnyPgColumn => referrers.id),
  referredByReferralId: uuid().references((): AnyPgColumn => referrals.id),
  tags: text().array().notNull().default(sql`'{}'::text[]`),
  attributes: jsonb().$type<Record<string, unknown>>().notNull().default({}),
  consent: jsonb().$type<ConsentRecord>(),
  lifecycleStage: lifecycleStageEnum().notNull().default('prospect'),
  tier: customerTierEnum(),
  /** Set when this record was merged into another; the survivor keeps everything. */
  mergedIntoId: uuid().references((): AnyPgColumn => customers.id),
  /** Set when the person's personal data was erased (docs/privacy.md): such a record takes no merge, so nothing refills it. */
  erasedAt: tstz()
}, (t) => [
  uniqueIndex('customers_external_id_uq').on(t.externalId),
  index('customers_owner_id_idx').on(t.ownerId, t.createdAt, t.id),
  index('customers_referrer_id_idx').on(t.referrerId),
  index('customers_referred_by_referral_id_idx').on(t.referredByReferralId),
  index('customers_merged_into_id_idx').on(t.mergedIntoId),
  index('customers_phone_idx').on(t.phoneIdx),
  index('customers_email_idx').on(t.emailIdx),
  index('customers_id_number_idx').on(t.idNumberIdx),
  index('customers_created_at_idx').on(t.createdAt, t.id),
  index('customers_updated_at_idx').on(t.updatedAt, t.id),
  index('customers_name_idx').on(t.name, t.id),
  index('customers_source_channel_idx').on(t.sourceChannel),
  index('customers_tags_idx').using('gin', t.tags),
  // The few gone (deleted, merged) without scanning every customer: a scoring rebuild drops their scores.
  index('customers_gone_idx').on(t.id).where(sql`${t.deletedAt} is not null or ${t.mergedIntoId} is not null`),
  // No index reads tier or lifecycle_stage: the nightly recompute rewrites them for thousands of
  // customers, and with no index on them (and room on each page, fillfactor 80, migration 0006: a row is ~900 bytes)
  // those updates stay HOT instead of adding an entry to each of this table's indexes.
  index('customers_search_trgm_idx').using('gin', sql`(lower(${t.name} || ' ' || coalesce(${t.company}, ''))) gin_trgm_ops`)
])
