import { randomBytes } from 'node:crypto'
import type { TestApp } from '../../helper.js'

/** What the order suites select and call; shared so each file reads like the contract. */
export const ORDER = `id externalId customerId referralId referrerId campaignId amount { amount currency } refundedAmount { amount currency }
  netAmount { amount currency } status paidAt note attributes version createdAt updatedAt`
export const RECORD = `mutation($i: RecordOrderInput!) { recordOrder(input: $i) { order { ${ORDER} } created userErrors { field message code } } }`
export const UPSERT = `mutation($x: String!, $i: UpsertOrderInput!, $v: Int) { upsertOrder(externalId: $x, input: $i, expectedVersion: $v) { order { ${ORDER} } created userErrors { field message code } } }`
export const REFUND = `mutation($i: RefundOrderInput!) { refundOrder(input: $i) {
  order { ${ORDER} } refund { id externalId amount { amount currency } reason refundedAt } created userErrors { field message code } } }`

export type Order = {
  id: string; externalId: string | null; customerId: string; referralId: string | null; referrerId: string | null; campaignId: string | null
  amount: { amount: number; currency: string }; refundedAmount: { amount: number; currency: string }; netAmount: { amount: number; currency: string }
  status: string; paidAt: string; note: string | null; attributes: Record<string, unknown>; version: number
}
export type UserError = { field: string | null; message: string; code: string }

/** A fresh externalId per call, so suites never collide. */
export const newId = (prefix = 'ERP') => `${prefix}-${randomBytes(6).toString('hex')}`

/** A customer nobody referred (its orders never reach the incentives). */
export async function createCustomer(ctx: TestApp, input: Record<string, unknown> = {}, token = ctx.adminToken): Promise<{ id: string; externalId: string | null }> {
  const res = await ctx.rest(token, 'POST', '/api/v1/customers', { name: `Buyer ${randomBytes(3).toString('hex')}`, ...input })
  if (res.statusCode !== 201) throw new Error(`createCustomer failed: ${res.body}`)
  return res.json()
}

export async function record(ctx: TestApp, token: string, input: Record<string, unknown>) {
  const r = await ctx.gql(token, RECORD, { i: input })
  if (!r.data?.recordOrder) throw new Error(`recordOrder failed: ${JSON.stringify(r)}`)
  return r.data.recordOrder as { order: Order | null; created: boolean | null; userErrors: UserError[] }
}

export async function refund(ctx: TestApp, token: string, input: Record<string, unknown>) {
  const r = await ctx.gql(token, REFUND, { i: input })
  if (!r.data?.refundOrder) throw new Error(`refundOrder failed: ${JSON.stringify(r)}`)
  return r.data.refundOrder as { order: Order | null; refund: { id: string; externalId: string | null; amount: { amount: number } } | null; created: boolean | null; userErrors: UserError[] }
}

/** Outbox events about one order, oldest first. */
export async function eventsOf(ctx: TestApp, orderId: string): Promise<{ type: string; data: Record<string, unknown> }[]> {
  return ctx.sql('select type, data from outbox_events where entity_id = $1 order by id', [orderId])
}

export async function auditOf(ctx: TestApp, orderId: string): Promise<{ action: string; changes: Record<string, unknown> }[]> {
  return ctx.sql('select action, changes from audit_entries where entity_id = $1 order by id', [orderId])
}
