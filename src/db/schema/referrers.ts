import { sql } from 'drizzle-orm'
import { index, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { entityColumns, contactColumns, idNumberColumns } from './columns.js'
import { referrerKindEnum, referrerStatusEnum } from './enums.js'
import { customers } from './customers.js'
import { users } from './users.js'

/** 推荐人: someone who refers customers, with a unique human-friendly code for links and QR codes. */
export const referrers = pgTable('referrers', {
  ...entityColumns(),
  kind: referrerKindEnum().notNull(),
  customerId: uuid().references(() => customers.id),
  userId: uuid().references(() => users.id),
  name: text().notNull(),
  ...contactColumns(),
  ...idNumberColumns(),
  company: text(),
  industry: text(),
  title: text(),
  region: text(),
  code: text().notNull(),
  tier: text().notNull().default('standard'),
  status: referrerStatusEnum().notNull().default('active'),
  ownerId: uuid().references(() => users.id),
  tags: text().array().notNull().default(sql`'{}'::text[]`),
  attributes: jsonb().$type<Record<string, unknown>>().notNull().default({})
}, (t) => [
  uniqueIndex('referrers_external_id_uq').on(t.externalId),
  uniqueIndex('referrers_code_uq').on(sql`upper(${t.code})`),
  index('referrers_customer_id_idx').on(t.customerId),
  index('referrers_user_id_idx').on(t.userId),
  index('referrers_owner_id_idx').on(t.ownerId, t.createdAt, t.id),
  index('referrers_phone_idx').on(t.phoneIdx),
  index('referrers_email_idx').on(t.emailIdx),
  index('referrers_id_number_idx').on(t.idNumberIdx),
  index('referrers_created_at_idx').on(t.createdAt, t.id),
  index('referrers_updated_at_idx').on(t.updatedAt, t.id),
  index('referrers_name_idx').on(t.name, t.id),
  index('referrers_status_idx').on(t.status),
  index('referrers_kind_idx').on(t.kind),
  index('referrers_tier_idx').on(t.tier),
  index('referrers_tags_idx').using('gin', t.tags),
  index('referrers_search_trgm_idx').using('gin', sql`(lower(${t.name} || ' ' || coalesce(${t.company}, ''))) gin_trgm_ops`)
])
