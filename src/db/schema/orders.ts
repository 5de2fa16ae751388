import { bigint, char, check, index, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { sql } from 'drizzle-orm'
import { entityColumns, id, tstz } from './columns.js'
import { orderStatusEnum } from './enums.js'
import { campaigns } from './campaigns.js'
import { customers } from './customers.js'
import { referrals } from './referrals.js'
import { referrers } from './referrers.js'

/**
 * 订单/回款: a paid order from the ERP. `refundedAmount` is the sum of its refunds; the
 * order is `refunded` once that reaches `amount`. A referred customer's orders carry the
 * referral and referrer they are attributed to, fixed when the order is recorded.
 */
export const orders = pgTable('orders', {
  ...entityColumns(),
  customerId: uuid().notNull().references(() => customers.id),
  referralId: uuid().references(() => referrals.id),
  referrerId: uuid().references(() => referrers.id),
  campaignId: uuid().references(() => campaigns.id),
  amount: bigint({ mode: 'number' }).notNull(),
  currency: char({ length: 3 }).notNull().default('CNY'),
  refundedAmount: bigint({ mode: 'number' }).notNull().default(0),
  status: orderStatusEnum().notNull().default('paid'),
  paidAt: tstz().notNull(),
  note: text(),
  attributes: jsonb().$type<Record<string, unknown>>().notNull().default({})
}, (t) => [
  uniqueIndex('orders_external_id_uq').on(t.externalId),
  index('orders_customer_id_idx').on(t.customerId, t.paidAt, t.id),
  index('orders_referrer_id_idx').on(t.referrerId, t.paidAt),
  index('orders_referral_id_idx').on(t.referralId),
  index('orders_campaign_id_idx').on(t.campaignId, t.paidAt),
  index('orders_status_idx').on(t.status, t.createdAt, t.id),
  index('orders_paid_at_idx').on(t.paidAt, t.id),
  index('orders_created_at_idx').on(t.createdAt, t.id),
  index('orders_updated_at_idx').on(t.updatedAt, t.id),
  check('orders_amount_positive', sql`${t.amount} > 0`),
  check('orders_refunded_within_amount', sql`${t.refundedAmount} >= 0 and ${t.refundedAmount} <= ${t.amount}`)
])

/** One refund of an order (full or partial); `externalId` is the ERP's refund id, unique per order, so a retried refund applies once. */
export const orderRefunds = pgTable('order_refunds', {
  id: id(),
  orderId: uuid().notNull().references(() => orders.id),
  externalId: text(),
  amount: bigint({ mode: 'number' }).notNull(),
  currency: char({ length: 3 }).notNull(),
  reason: text(),
  refundedAt: tstz().notNull(),
  createdAt: tstz().notNull().defaultNow()
}, (t) => [
  index('order_refunds_order_id_idx').on(t.orderId, t.refundedAt),
  index('order_refunds_refunded_at_idx').on(t.refundedAt),
  uniqueIndex('order_refunds_external_id_uq').on(t.orderId, t.externalId),
  check('order_refunds_amount_positive', sql`${t.amount} > 0`)
])
