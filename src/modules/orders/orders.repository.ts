import { and, asc, eq, getTableColumns, gte, inArray, isNull, lt, min, sql, type SQL } from 'drizzle-orm'
import { uuidv7 } from 'uuidv7'
import type { Executor } from '../../db/client.js'
import { countWhere, selectPage } from '../../db/list-queries.js'
import type { Keyset } from '../../db/paging.js'
import { orderRefunds, orders } from '../../db/schema/orders.js'
import type { OrderFilter } from './orders.schemas.js'
import type { OrderInsert, OrderRow, RefundInsert, RefundRow } from './orders.views.js'

export const live = isNull(orders.deletedAt)

/** SQL for an orders filter; time ranges are `from` inclusive, `to` exclusive. */
export function orderConditions(filter: OrderFilter): SQL[] {
  const where: SQL[] = [live]
  if (filter.customerId) where.push(eq(orders.customerId, filter.customerId))
  if (filter.referrerId) where.push(eq(orders.referrerId, filter.referrerId))
  if (filter.referralId) where.push(eq(orders.referralId, filter.referralId))
  if (filter.campaignId) where.push(eq(orders.campaignId, filter.campaignId))
  if (filter.externalId) where.push(eq(orders.externalId, filter.externalId))
  if (filter.status?.length) where.push(inArray(orders.status, filter.status))
  if (filter.paidAt?.from) where.push(gte(orders.paidAt, new Date(filter.paidAt.from)))
  if (filter.paidAt?.to) where.push(lt(orders.paidAt, new Date(filter.paidAt.to)))
  if (filter.createdAt?.from) where.push(gte(orders.createdAt, new Date(filter.createdAt.from)))
  if (filter.createdAt?.to) where.push(lt(orders.createdAt, new Date(filter.createdAt.to)))
  return where
}

export const ordersRepository = {
  async byId(ex: Executor, id: string, scope?: SQL): Promise<OrderRow | undefined> {
    const [row] = await ex.select().from(orders).where(and(eq(orders.id, id), live, scope))
    return row
  },

  async byExternalId(ex: Executor, externalId: string, scope?: SQL): Promise<OrderRow | undefined> {
    const [row] = await ex.select().from(orders).where(and(eq(orders.externalId, externalId), live, scope))
    return row
  },

  /** Locks the order for the rest of the transaction: refunds and corrections of it queue here. */
  async lock(ex: Executor, key: { id: string } | { externalId: string }, scope?: SQL): Promise<OrderRow | undefined> {
    const match = 'id' in key ? eq(orders.id, key.id) : eq(orders.externalId, key.externalId)
    const [row] = await ex.select().from(orders).where(and(match, live, scope)).for('update')
    return row
  },

  async byIds(ex: Executor, ids: readonly string[], scope?: SQL): Promise<OrderRow[]> {
    if (ids.length === 0) return []
    return ex.select().from(orders).where(and(inArray(orders.id, [...ids]), live, scope))
  },

  page: (ex: Executor, where: SQL[], keyset: Keyset) => selectPage(ex, orders, getTableColumns(orders), where, keyset),

  count: (ex: Executor, where: SQL[]) => countWhere(ex, orders, where),

  /** Bumps the version; callers lock the row (and check its version) first. */
  async update(ex: Executor, id: string, values: Partial<OrderInsert>, now: Date): Promise<OrderRow> {
    const [row] = await ex.update(orders)
      .set({ ...values, version: sql`${orders.version} + 1`, updatedAt: now })
      .where(eq(orders.id, id))
      .returning()
    return row
  },

  /** The refunds of these orders (only those whose order passes `scope`), oldest first. */
  async refundsOf(ex: Executor, orderIds: readonly string[], scope?: SQL): Promise<RefundRow[]> {
    if (orderIds.length === 0) return []
    return ex.select(getTableColumns(orderRefunds)).from(orderRefunds)
      .innerJoin(orders, eq(orders.id, orderRefunds.orderId))
      .where(and(inArray(orderRefunds.orderId, [...orderIds]), live, scope))
      .orderBy(asc(orderRefunds.orderId), asc(orderRefunds.refundedAt), asc(orderRefunds.id))
  },

  async refundByExternalId(ex: Executor, orderId: string, externalId: string): Promise<RefundRow | undefined> {
    const [row] = await ex.select().from(orderRefunds).where(and(eq(orderRefunds.orderId, orderId), eq(orderRefunds.externalId, externalId)))
    return row
  },

  /** When the order's first refund was made (null without refunds). */
  async firstRefundAt(ex: Executor, orderId: string): Promise<Date | null> {
    const [row] = await ex.select({ at: min(orderRefunds.refundedAt) }).from(orderRefunds).where(eq(orderRefunds.orderId, orderId))
    return row?.at ?? null
  },

  async insertRefund(ex: Executor, values: Omit<RefundInsert, 'id'>): Promise<RefundRow> {
    const [row] = await ex.insert(orderRefunds).values({ ...values, id: uuidv7() }).returning()
    return row
  }
}
