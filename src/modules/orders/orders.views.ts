import type { orderRefunds, orders } from '../../db/schema/orders.js'

export type OrderRow = typeof orders.$inferSelect
export type OrderInsert = typeof orders.$inferInsert
export type RefundRow = typeof orderRefunds.$inferSelect
export type RefundInsert = typeof orderRefunds.$inferInsert

/** An order as clients, audit entries and events see it: money as `{ amount, currency }`, net of refunds. */
export function orderView(row: OrderRow) {
  const { deletedAt: _d, amount, refundedAmount, currency, ...rest } = row
  return {
    ...rest,
    amount: { amount, currency },
    refundedAmount: { amount: refundedAmount, currency },
    netAmount: { amount: amount - refundedAmount, currency }
  }
}
export type Order = ReturnType<typeof orderView>

export function refundView(row: RefundRow) {
  const { amount, currency, ...rest } = row
  return { ...rest, amount: { amount, currency } }
}
export type Refund = ReturnType<typeof refundView>
