import { sql, type SQL } from 'drizzle-orm'
import { runAction } from '../../db/action.js'
import { Keyset, type PageRequest } from '../../db/paging.js'
import { customers } from '../../db/schema/customers.js'
import { orders } from '../../db/schema/orders.js'
import { CrmError, invalid, notFound } from '../../errors.js'
import { actionContext, type Actor } from '../auth/actor.js'
import { authorize } from '../auth/permissions.js'
import { reachFilter } from '../auth/reach.js'
import { isUuid, parse } from '../common/validate.js'
import type { ServiceDeps } from '../service-deps.js'
import { scoringConfigOf } from '../scoring/scoring.service.js'
import { countsPerCustomer, pagesPerCustomer } from './orders.lists.js'
import { correctOrder, insertOrReplay, replayConflict, resolveCustomer, type CustomerRef, type OrderData } from './orders.recording.js'
import { refundLocked, type RefundData } from './orders.refunds.js'
import { orderConditions, ordersRepository as repo } from './orders.repository.js'
import { OrderFilter, OrderRecord, OrderRefundInput, OrderUpsert, type OrderOrderField } from './orders.schemas.js'
import { orderView, refundView, type Order, type OrderRow, type Refund } from './orders.views.js'

export type { Order, Refund }
export type OrderOrder = { field: OrderOrderField; direction: 'ASC' | 'DESC' }
/** One customer's Customer.orders arguments. */
export type CustomerOrdersPage = { customerId: string; first?: number | null; after?: string | null; filter?: unknown; orderBy?: OrderOrder | null }

const orderColumns = { paidAt: orders.paidAt, createdAt: orders.createdAt, amount: orders.amount }
const defaultOrder: OrderOrder = { field: 'paidAt', direction: 'DESC' }

/** 订单/回款: orders from the ERP, idempotent on their externalId, and their refunds (docs/orders.md). */
export class OrdersService {
  /** The RFM window's length: payments near its edge share the recompute's lock (src/modules/scoring). */
  private readonly windowDays: number | null
  constructor(private readonly deps: ServiceDeps) {
    this.windowDays = scoringConfigOf(deps.config).rfmWindow.days
  }

  /** Orders are seen as far as their customers are: a sales rep sees its team's customers' orders. */
  scope(actor: Actor, op: 'read' | 'write' = 'read'): SQL | undefined {
    const reach = authorize(actor, 'orders', op)
    if (reach === 'all') return undefined
    return sql`exists (select 1 from ${customers} where ${customers.id} = ${orders.customerId} and ${reachFilter(actor, reach, { owner: customers.ownerId })})`
  }

  /** One order the actor may see, or NOT_FOUND (never a hint that it exists). */
  async get(actor: Actor, id: string): Promise<Order> {
    const row = isUuid(id) ? await repo.byId(this.deps.db, id, this.scope(actor)) : undefined
    if (!row) throw notFound('Order', id)
    return orderView(row)
  }

  /** The order with the caller's externalId, or NOT_FOUND. */
  async getByExternalId(actor: Actor, externalId: string): Promise<Order> {
    const row = await repo.byExternalId(this.deps.db, externalId, this.scope(actor))
    if (!row) throw notFound('Order')
    return orderView(row)
  }

  /** Batched read for loaders: orders by id, in the order asked, null where unseen. */
  async findMany(actor: Actor, ids: readonly string[]): Promise<(Order | null)[]> {
    const rows = await repo.byIds(this.deps.db, ids.filter(isUuid), this.scope(actor))
    const byId = new Map(rows.map((r) => [r.id, orderView(r)]))
    return ids.map((id) => byId.get(id) ?? null)
  }

  /** A keyset page of the orders the actor may see; `count` runs only if called. */
  async list(actor: Actor, filter: unknown, order: OrderOrder, page: PageRequest) {
    const where = this.conditions(actor, filter)
    const keyset = new Keyset(order.field, orderColumns[order.field], orders.id, order.direction, page)
    const result = keyset.page(await repo.page(this.deps.db, where, keyset))
    return { ...result, rows: result.rows.map((r) => orderView(r as OrderRow)), count: () => repo.count(this.deps.db, where) }
  }

  /** Customer.orders for every customer of a page: one query per distinct set of arguments, counts only when asked. */
  async perCustomer(actor: Actor, requests: readonly CustomerOrdersPage[]) {
    const groups = new Map<string, CustomerOrdersPage[]>()
    for (const r of requests) {
      const key = JSON.stringify([r.first, r.after, r.filter, r.orderBy])
      groups.set(key, [...(groups.get(key) ?? []), r])
    }
    const answers = new Map<CustomerOrdersPage, ReturnType<typeof connectionOf>>()
    for (const group of groups.values()) {
      const { filter, orderBy, first, after } = group[0]
      const where = this.conditions(actor, filter)
      const order = orderBy ?? defaultOrder
      const keyset = new Keyset(order.field, orderColumns[order.field], orders.id, order.direction, { first, after })
      const ids = [...new Set(group.map((r) => r.customerId).filter(isUuid))]
      const pages = await pagesPerCustomer(this.deps.db, ids, where, keyset)
      let counts: Promise<Map<string, number>> | undefined
      const countOf = async (id: string) => (await (counts ??= countsPerCustomer(this.deps.db, ids, where))).get(id) ?? 0
      for (const r of group) answers.set(r, connectionOf(pages.get(r.customerId), () => countOf(r.customerId)))
    }
    return requests.map((r) => answers.get(r)!)
  }

  /** Order.refunds for several orders at once, oldest first. */
  async refundsOf(actor: Actor, orderIds: readonly string[]): Promise<Refund[][]> {
    const byOrder = new Map<string, Refund[]>()
    for (const row of await repo.refundsOf(this.deps.db, orderIds.filter(isUuid), this.scope(actor))) {
      const list = byOrder.get(row.orderId)
      if (list) list.push(refundView(row))
      else byOrder.set(row.orderId, [refundView(row)])
    }
    return orderIds.map((id) => byOrder.get(id) ?? [])
  }

  /**
   * recordOrder / POST /orders. The same externalId again with the same content answers
   * the stored order (`created: false`, nothing written); with other content, CONFLICT.
   */
  async record(actor: Actor, input: unknown, now = new Date()): Promise<{ order: Order; created: boolean }> {
    authorize(actor, 'orders', 'write')
    const data = parse(OrderRecord, input)
    const ref = customerRef(data)
    return runAction(this.deps.db, actionContext(actor), async (action) => {
      const customer = await resolveCustomer(action.tx, ref, this.customerCheck(actor))
      const { row, created, differences } = await insertOrReplay(action, customer, orderData(data, data.externalId ?? null), now, this.windowDays)
      if (differences.length > 0) throw replayConflict(differences)
      return { order: orderView(row), created }
    })
  }

  /**
   * upsertOrder / PUT /orders/by-external-id/{externalId}: records the order, or corrects
   * the one with this externalId (see correctOrder). Concurrent calls converge on one order.
   */
  async upsertByExternalId(actor: Actor, externalId: string, input: unknown, expectedVersion?: number, now = new Date()): Promise<{ order: Order; created: boolean }> {
    authorize(actor, 'orders', 'write')
    const data = parse(OrderRecord, { ...(parse(OrderUpsert, input)), externalId })
    const ref = customerRef(data)
    return runAction(this.deps.db, actionContext(actor), async (action) => {
      const customer = await resolveCustomer(action.tx, ref, this.customerCheck(actor))
      const values = orderData(data, externalId)
      let existing = await repo.lock(action.tx, { externalId }, this.scope(actor, 'write'))
      if (!existing) {
        if (expectedVersion !== undefined) {
          throw new CrmError('CRM_ERR_STALE_VERSION', 'If-Match: no order has this externalId yet',
            [{ field: 'expectedVersion', message: 'no order has this externalId yet', code: 'STALE_VERSION' }])
        }
        const recorded = await insertOrReplay(action, customer, values, now, this.windowDays)
        if (recorded.created) return { order: orderView(recorded.row), created: true }
        // A concurrent call recorded it first: correct that one.
        existing = await repo.lock(action.tx, { id: recorded.row.id })
        if (!existing) throw notFound('Order')
      }
      return { order: orderView(await correctOrder(action, existing, customer, values, expectedVersion, now)), created: false }
    })
  }

  /** refundOrder / POST /orders/{id}/refunds: full or partial, idempotent on the refund's externalId. */
  async refund(actor: Actor, input: unknown, now = new Date()): Promise<{ order: Order; refund: Refund; created: boolean }> {
    authorize(actor, 'orders', 'write')
    const data = parse(OrderRefundInput, input)
    if ((data.orderId === undefined) === (data.orderExternalId === undefined)) {
      throw invalid('orderId', 'give exactly one of orderId and orderExternalId', data.orderId === undefined ? 'REQUIRED' : 'AMBIGUOUS')
    }
    const key: { id: string } | { externalId: string } = data.orderId !== undefined ? { id: data.orderId } : { externalId: data.orderExternalId! }
    const refund: RefundData = {
      amount: data.amount?.amount, currency: data.amount?.currency, externalId: data.refundExternalId ?? null,
      reason: data.reason ?? null, refundedAt: data.refundedAt ? toDate('refundedAt', data.refundedAt) : now
    }
    return runAction(this.deps.db, actionContext(actor), async (action) => {
      const order = 'id' in key && !isUuid(key.id) ? undefined : await repo.lock(action.tx, key, this.scope(actor, 'write'))
      if (!order) throw notFound('Order', 'id' in key ? key.id : undefined)
      const done = await refundLocked(action, order, refund, now)
      return { order: orderView(done.order), refund: refundView(done.refund), created: done.created }
    })
  }

  private conditions(actor: Actor, filter: unknown): SQL[] {
    const scope = this.scope(actor)
    const where = orderConditions(parse(OrderFilter, filter ?? {}))
    if (scope) where.push(scope)
    return where
  }

  /** Writers with less than unlimited reach may record only for customers within it. */
  private customerCheck(actor: Actor): ((id: string) => Promise<boolean>) | undefined {
    const reach = authorize(actor, 'orders', 'write')
    if (reach === 'all') return undefined
    const within = reachFilter(actor, reach, { owner: customers.ownerId })
    return async (id) => (await this.deps.db.select({ id: customers.id }).from(customers).where(sql`${customers.id} = ${id} and ${within}`)).length > 0
  }
}

/** The customer an order names: by id or by the caller's id, exactly one (bulk import shares it). */
export function customerRef(data: OrderRecord): CustomerRef {
  if (data.customerId !== undefined && data.customerExternalId !== undefined) {
    throw invalid('customerId', 'give customerId or customerExternalId, not both', 'AMBIGUOUS')
  }
  if (data.customerId !== undefined) return { id: data.customerId }
  if (data.customerExternalId !== undefined) return { externalId: data.customerExternalId }
  throw invalid('customerId', 'give customerId or customerExternalId', 'REQUIRED')
}

/** The validated order as the recording path takes it (bulk import shares it). */
export function orderData(data: OrderRecord, externalId: string | null): OrderData {
  return {
    externalId, amount: data.amount.amount, currency: data.amount.currency ?? 'CNY',
    paidAt: data.paidAt ? toDate('paidAt', data.paidAt) : undefined, campaignId: data.campaignId, note: data.note, attributes: data.attributes
  }
}

/** An ISO time the pattern let through but the calendar does not know (hour 25) is invalid input. */
function toDate(field: string, value: string): Date {
  const date = new Date(value)
  if (Number.isNaN(date.getTime())) throw invalid(field, 'is not a valid time', 'INVALID')
  return date
}

function connectionOf(page: { rows: OrderRow[]; hasNextPage: boolean; endCursor: string | null; cursors: string[] } | undefined, totalCount: () => Promise<number>) {
  const rows = page?.rows ?? []
  return {
    edges: rows.map((row, i) => ({ cursor: page!.cursors[i], node: orderView(row) })),
    pageInfo: { hasNextPage: page?.hasNextPage ?? false, endCursor: page?.endCursor ?? null },
    totalCount
  }
}
