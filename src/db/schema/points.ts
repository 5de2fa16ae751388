import { sql } from 'drizzle-orm'
import { bigint, boolean, char, check, index, integer, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { entityColumns, id, tstz } from './columns.js'
import { pointsEntryKindEnum, pointsRedemptionStatusEnum } from './enums.js'
import { campaigns } from './campaigns.js'
import { customers } from './customers.js'
import { orders } from './orders.js'
import { referrers } from './referrers.js'

/**
 * 积分账户: one per customer and per referrer. `balance` is the sum of the account's ledger,
 * kept on the row because every change locks the row (the serialisation point of an
 * account's lots); it can be rebuilt from points_entries at any time and never goes below 0.
 */
export const pointsAccounts = pgTable('points_accounts', {
  id: id(),
  holderType: text().$type<'customer' | 'referrer'>().notNull(),
  customerId: uuid().references(() => customers.id),
  referrerId: uuid().references(() => referrers.id),
  balance: bigint({ mode: 'number' }).notNull().default(0),
  version: integer().notNull().default(1),
  createdAt: tstz().notNull().defaultNow(),
  updatedAt: tstz().notNull().defaultNow()
}, (t) => [
  uniqueIndex('points_accounts_customer_uq').on(t.customerId).where(sql`${t.customerId} is not null`),
  uniqueIndex('points_accounts_referrer_uq').on(t.referrerId).where(sql`${t.referrerId} is not null`),
  check('points_accounts_holder', sql`(${t.holderType} = 'customer' and ${t.customerId} is not null and ${t.referrerId} is null)
    or (${t.holderType} = 'referrer' and ${t.referrerId} is not null and ${t.customerId} is null)`),
  check('points_accounts_balance_nonnegative', sql`${t.balance} >= 0`)
])

/**
 * 积分流水: append-only, never updated. `amount` is signed (earn, a returned redemption and a
 * positive adjustment add; redeem, expire, a negative adjustment and a reversed earning take).
 * `lots` says which earn lots a debit came from or a return went back to: [{ lot, amount }].
 * An entry with a source is written once per (account, kind, source): replays add nothing.
 */
export const pointsEntries = pgTable('points_entries', {
  id: id(),
  accountId: uuid().notNull().references(() => pointsAccounts.id),
  kind: pointsEntryKindEnum().notNull(),
  amount: bigint({ mode: 'number' }).notNull(),
  /** order, reward, campaign, manual, redemption, refund, expiry. */
  sourceType: text().notNull(),
  sourceId: text(),
  reason: text(),
  orderId: uuid().references(() => orders.id),
  campaignId: uuid().references(() => campaigns.id),
  /** earn: when its lot expires (null: never). */
  expiresAt: tstz(),
  lots: jsonb().$type<{ lot: string; amount: number }[]>().notNull().default([]),
  /** A reversed earning: what could not be taken back because it was already spent. */
  shortfall: bigint({ mode: 'number' }).notNull().default(0),
  balanceAfter: bigint({ mode: 'number' }).notNull(),
  createdAt: tstz().notNull().defaultNow()
}, (t) => [
  uniqueIndex('points_entries_source_uq').on(t.accountId, t.kind, t.sourceType, t.sourceId).where(sql`${t.sourceId} is not null`),
  index('points_entries_account_idx').on(t.accountId, t.createdAt, t.id),
  index('points_entries_created_at_idx').on(t.createdAt, t.kind),
  index('points_entries_order_idx').on(t.orderId).where(sql`${t.orderId} is not null`),
  check('points_entries_sign', sql`(${t.kind} = 'earn' and ${t.amount} > 0) or (${t.kind} in ('redeem', 'expire') and ${t.amount} < 0)
    or (${t.kind} = 'adjust' and ${t.amount} <> 0) or (${t.kind} = 'reverse' and (${t.amount} <> 0 or ${t.shortfall} > 0))`),
  check('points_entries_shortfall', sql`${t.shortfall} >= 0`)
])

/**
 * An earn lot (积分批次): what one earn (or positive adjustment) entry put in, what of it
 * remains, and when it expires. Debits take from lots first-expiring-first. `remaining` is
 * derived state (the entry plus the allocations of later entries), kept for the FEFO scan.
 */
export const pointsLots = pgTable('points_lots', {
  /** The id of the entry that created it. */
  id: uuid().primaryKey(),
  accountId: uuid().notNull().references(() => pointsAccounts.id),
  amount: bigint({ mode: 'number' }).notNull(),
  remaining: bigint({ mode: 'number' }).notNull(),
  earnedAt: tstz().notNull(),
  expiresAt: tstz()
}, (t) => [
  index('points_lots_open_idx').on(t.accountId, t.expiresAt).where(sql`${t.remaining} > 0`),
  index('points_lots_due_idx').on(t.expiresAt).where(sql`${t.remaining} > 0`),
  check('points_lots_remaining', sql`${t.remaining} >= 0 and ${t.remaining} <= ${t.amount}`)
])

/**
 * A redemption (积分抵扣) by an ERP, POS or mall: points paying for an order or an item.
 * A refund of that order (matched by orderId or orderExternalId), or an explicit reversal,
 * returns points to the lots they came from; `reversedAmount` counts what came back.
 */
export const pointsRedemptions = pgTable('points_redemptions', {
  ...entityColumns(),
  accountId: uuid().notNull().references(() => pointsAccounts.id),
  customerId: uuid().references(() => customers.id),
  referrerId: uuid().references(() => referrers.id),
  amount: bigint({ mode: 'number' }).notNull(),
  reversedAmount: bigint({ mode: 'number' }).notNull().default(0),
  status: pointsRedemptionStatusEnum().notNull().default('completed'),
  orderId: uuid().references(() => orders.id),
  orderExternalId: text(),
  itemCode: text(),
  /** What the points were worth to the caller, when it says (minor units). */
  value: bigint({ mode: 'number' }),
  currency: char({ length: 3 }),
  note: text()
}, (t) => [
  uniqueIndex('points_redemptions_external_id_uq').on(t.externalId),
  index('points_redemptions_account_idx').on(t.accountId, t.createdAt),
  index('points_redemptions_order_idx').on(t.orderId).where(sql`${t.orderId} is not null`),
  index('points_redemptions_order_external_idx').on(t.orderExternalId).where(sql`${t.orderExternalId} is not null`),
  check('points_redemptions_amounts', sql`${t.amount} > 0 and ${t.reversedAmount} >= 0 and ${t.reversedAmount} <= ${t.amount}`)
])

/**
 * Per-order earning (消费积分): a `base` rule gives `points` per `unitAmount` of the order's
 * net paid amount (the first active base rule by priority that matches); `multiplier` rules
 * of the order's campaign multiply it (all that match). The member level's multiplier applies
 * on top (src/rules/points-earning.ts).
 */
export const pointsEarningRules = pgTable('points_earning_rules', {
  ...entityColumns(),
  name: text().notNull(),
  kind: text().$type<'base' | 'multiplier'>().notNull(),
  active: boolean().notNull().default(true),
  campaignId: uuid().references(() => campaigns.id),
  currency: char({ length: 3 }).notNull().default('CNY'),
  points: integer(),
  unitAmount: bigint({ mode: 'number' }),
  multiplierBp: integer(),
  minOrderAmount: bigint({ mode: 'number' }),
  validFrom: tstz(),
  validUntil: tstz(),
  priority: integer().notNull().default(100)
}, (t) => [
  uniqueIndex('points_earning_rules_external_id_uq').on(t.externalId),
  check('points_earning_rules_shape', sql`(${t.kind} = 'base' and ${t.points} > 0 and ${t.unitAmount} > 0)
    or (${t.kind} = 'multiplier' and ${t.campaignId} is not null and ${t.multiplierBp} > 0)`)
])

/**
 * The loyalty programme's settings (one row, id 1), as data so every process and every
 * action reads the same: how earn lots expire (src/rules/points-lots.ts ExpiryPolicy) and
 * in which time zone months end. A change applies to lots earned after it.
 */
export const loyaltySettings = pgTable('loyalty_settings', {
  id: integer().primaryKey().default(1),
  expiryMonths: integer().notNull().default(12),
  expiryRounding: text().$type<'month_end' | 'exact'>().notNull().default('month_end'),
  timeZone: text().notNull().default('Asia/Shanghai'),
  version: integer().notNull().default(1),
  updatedAt: tstz().notNull().defaultNow()
}, (t) => [
  check('loyalty_settings_one_row', sql`${t.id} = 1`),
  check('loyalty_settings_expiry', sql`${t.expiryMonths} between 0 and 120 and ${t.expiryRounding} in ('month_end', 'exact')`)
])
