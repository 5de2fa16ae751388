import { bigint, boolean, char, check, index, integer, jsonb, pgTable, text, uniqueIndex, uuid, type AnyPgColumn } from 'drizzle-orm/pg-core'
import { sql } from 'drizzle-orm'
import { entityColumns, id, tstz } from './columns.js'
import {
  beneficiaryEnum, capPeriodEnum, incentiveTriggerEnum, rewardCalcEnum, rewardEntryKindEnum, rewardStatusEnum, rewardTypeEnum
} from './enums.js'
import { campaigns } from './campaigns.js'
import { couponTemplates } from './coupons.js'
import { customers } from './customers.js'
import { orders } from './orders.js'
import { referrals } from './referrals.js'
import { referrers } from './referrers.js'
import { users } from './users.js'

/** 激励规则: when an event earns a reward, how much, for whom, within which limits (src/rules/incentives.types.ts). */
export const incentiveRules = pgTable('incentive_rules', {
  ...entityColumns(),
  name: text().notNull(),
  description: text(),
  active: boolean().notNull().default(true),
  campaignId: uuid().references(() => campaigns.id),
  trigger: incentiveTriggerEnum().notNull(),
  orderScope: text().$type<'first' | 'every'>().notNull().default('every'),
  milestone: integer(),
  calc: rewardCalcEnum().notNull(),
  rewardType: rewardTypeEnum().notNull(),
  amount: bigint({ mode: 'number' }),
  percentBp: integer(),
  currency: char({ length: 3 }).notNull().default('CNY'),
  couponCode: text(),
  /** coupon: issue a real coupon of this template to the beneficiary when the reward is approved. */
  couponTemplateId: uuid().references(() => couponTemplates.id),
  beneficiary: beneficiaryEnum().notNull().default('referrer'),
  referredAmount: bigint({ mode: 'number' }),
  referrerKinds: text().array().notNull().default(sql`'{}'::text[]`),
  referrerTiers: text().array().notNull().default(sql`'{}'::text[]`),
  /** The event's customer must be at one of these member levels (keys); empty: any. */
  customerLevels: text().array().notNull().default(sql`'{}'::text[]`),
  minOrderAmount: bigint({ mode: 'number' }),
  validFrom: tstz(),
  validUntil: tstz(),
  capAmount: bigint({ mode: 'number' }),
  perReferrerCap: bigint({ mode: 'number' }),
  perReferrerPeriod: capPeriodEnum().notNull().default('all_time'),
  tierMultipliers: jsonb().$type<Record<string, number>>().notNull().default({}),
  priority: integer().notNull().default(100),
  stackable: boolean().notNull().default(true),
  approval: text().$type<'auto' | 'manual'>().notNull().default('manual'),
  holdDays: integer().notNull().default(14),
  createdBy: uuid().references(() => users.id)
}, (t) => [
  uniqueIndex('incentive_rules_external_id_uq').on(t.externalId),
  index('incentive_rules_trigger_idx').on(t.trigger, t.priority).where(sql`${t.active} and ${t.deletedAt} is null`),
  index('incentive_rules_campaign_id_idx').on(t.campaignId),
  index('incentive_rules_created_at_idx').on(t.createdAt, t.id),
  index('incentive_rules_updated_at_idx').on(t.updatedAt, t.id)
])

/**
 * 奖励台账: append-only. A `reward` entry is created with its triggering event and moves
 * pending → approved → paid (or cancelled while pending/approved); a refund after payout
 * adds a `reversal` entry (negative amount, `reversesId`) and marks the original
 * `reversed`. Balances are sums of entries. No reward is created twice for the same rule,
 * event and beneficiary (`rewards_once_uq`); a reversal is made once per original and cause.
 */
export const rewards = pgTable('rewards', {
  id: id(),
  version: integer().notNull().default(1),
  createdAt: tstz().notNull().defaultNow(),
  updatedAt: tstz().notNull().defaultNow(),
  kind: rewardEntryKindEnum().notNull().default('reward'),
  ruleId: uuid().notNull().references(() => incentiveRules.id),
  /** The triggering event's key (e.g. `order_paid:<order id>`), see IncentiveEvent.key. */
  eventKey: text().notNull(),
  beneficiaryType: text().$type<'referrer' | 'referred'>().notNull(),
  /** A referrer id, or a customer id for the referred side. */
  beneficiaryId: uuid().notNull(),
  /** The referrer the event concerns: a referrer token sees entries where it is the beneficiary. */
  referrerId: uuid().references(() => referrers.id),
  customerId: uuid().references(() => customers.id),
  referralId: uuid().references(() => referrals.id),
  orderId: uuid().references(() => orders.id),
  campaignId: uuid().references(() => campaigns.id),
  rewardType: rewardTypeEnum().notNull(),
  /** Minor units for cash and coupons, points for points; negative for a reversal. */
  amount: bigint({ mode: 'number' }).notNull(),
  currency: char({ length: 3 }).notNull(),
  couponCode: text(),
  status: rewardStatusEnum().notNull().default('pending'),
  holdUntil: tstz(),
  approvedAt: tstz(),
  approvedBy: uuid().references(() => users.id),
  paidAt: tstz(),
  payoutReference: text(),
  cancelledAt: tstz(),
  cancelReason: text(),
  reversesId: uuid().references((): AnyPgColumn => rewards.id),
  /** Why: the rule's explanation at evaluation time. */
  explanation: jsonb().$type<Record<string, unknown>>().notNull().default({})
}, (t) => [
  uniqueIndex('rewards_once_uq').on(t.ruleId, t.eventKey, t.beneficiaryType, t.beneficiaryId).where(sql`${t.kind} = 'reward'`),
  uniqueIndex('rewards_reversal_once_uq').on(t.reversesId, t.eventKey).where(sql`${t.kind} = 'reversal'`),
  index('rewards_referrer_id_idx').on(t.referrerId, t.createdAt, t.id),
  index('rewards_beneficiary_idx').on(t.beneficiaryId, t.createdAt),
  index('rewards_status_idx').on(t.status, t.createdAt, t.id),
  index('rewards_hold_idx').on(t.holdUntil).where(sql`${t.status} = 'pending'`),
  index('rewards_rule_id_idx').on(t.ruleId, t.createdAt),
  index('rewards_campaign_id_idx').on(t.campaignId, t.approvedAt),
  // Reward cost and the leaderboard's rewards count ledger entries by approval time.
  index('rewards_approved_at_idx').on(t.approvedAt).where(sql`${t.status} in ('approved', 'paid', 'reversed')`),
  index('rewards_order_id_idx').on(t.orderId),
  index('rewards_referral_id_idx').on(t.referralId),
  index('rewards_created_at_idx').on(t.createdAt, t.id),
  check('rewards_sign', sql`(${t.kind} = 'reward' and ${t.amount} >= 0) or (${t.kind} = 'reversal' and ${t.amount} <= 0)`)
])
