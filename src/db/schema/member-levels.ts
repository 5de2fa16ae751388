import { sql } from 'drizzle-orm'
import { bigint, boolean, check, index, integer, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { entityColumns, id, tstz } from './columns.js'
import { customers } from './customers.js'

/**
 * 会员等级: levels are data. A customer qualifies for a level when its trailing
 * `windowMonths` net paid spend reaches `minSpend` and/or the points it earned in that
 * window reach `minPoints` (`match`: any or all of the thresholds given); a level with no
 * threshold is the base every customer starts at. Benefits: a points multiplier, a
 * discount integrations read, coupon templates issued on reaching it (src/rules/member-levels.ts).
 */
export const memberLevels = pgTable('member_levels', {
  ...entityColumns(),
  key: text().notNull(),
  nameZh: text().notNull(),
  nameEn: text().notNull(),
  rank: integer().notNull(),
  minSpend: bigint({ mode: 'number' }),
  minPoints: bigint({ mode: 'number' }),
  match: text().$type<'any' | 'all'>().notNull().default('any'),
  windowMonths: integer().notNull().default(12),
  /** A customer keeps a level at least this long after reaching it; downgrades happen only then. */
  reviewMonths: integer().notNull().default(12),
  pointsMultiplierBp: integer().notNull().default(10000),
  discountBp: integer().notNull().default(0),
  couponTemplateIds: uuid().array().notNull().default(sql`'{}'::uuid[]`),
  active: boolean().notNull().default(true)
}, (t) => [
  uniqueIndex('member_levels_external_id_uq').on(t.externalId),
  uniqueIndex('member_levels_key_uq').on(t.key).where(sql`${t.deletedAt} is null`),
  uniqueIndex('member_levels_rank_uq').on(t.rank).where(sql`${t.deletedAt} is null`),
  check('member_levels_numbers', sql`${t.rank} >= 0 and coalesce(${t.minSpend}, 0) >= 0 and coalesce(${t.minPoints}, 0) >= 0
    and ${t.windowMonths} between 1 and 120 and ${t.reviewMonths} between 1 and 120
    and ${t.pointsMultiplierBp} between 0 and 1000000 and ${t.discountBp} between 0 and 10000`)
])

/** A customer's current level, since when, and when it is next reviewed (the only time it may go down). */
export const customerLevels = pgTable('customer_levels', {
  customerId: uuid().primaryKey().references(() => customers.id),
  levelId: uuid().notNull().references(() => memberLevels.id),
  reachedAt: tstz().notNull(),
  reviewAt: tstz(),
  version: integer().notNull().default(1),
  updatedAt: tstz().notNull().defaultNow()
}, (t) => [
  index('customer_levels_level_idx').on(t.levelId),
  index('customer_levels_review_idx').on(t.reviewAt).where(sql`${t.reviewAt} is not null`)
])

/** Every move of a customer's level, with the facts that decided it. */
export const customerLevelChanges = pgTable('customer_level_changes', {
  id: id(),
  customerId: uuid().notNull().references(() => customers.id),
  fromLevelId: uuid().references(() => memberLevels.id),
  toLevelId: uuid().notNull().references(() => memberLevels.id),
  /** upgrade, downgrade, renewal (kept at review), manual. */
  reason: text().notNull(),
  facts: jsonb().$type<Record<string, unknown>>().notNull().default({}),
  at: tstz().notNull()
}, (t) => [
  index('customer_level_changes_customer_idx').on(t.customerId, t.at)
])
