import { randomBytes } from 'node:crypto'
import type { TestApp } from '../../helper.js'

/** What the level suites select and call; shared so each file reads like the contract. */
export const BASE_ID = '01900000-0000-7000-8000-00000000c001'
export const LEVEL = 'id externalId key nameZh nameEn rank base minSpend minPoints spendCurrency match windowMonths reviewMonths pointsMultiplierBp discountBp couponTemplateIds active version'
export const CREATE = `mutation($i: CreateMemberLevelInput!) { createMemberLevel(input: $i) { level { ${LEVEL} } userErrors { field message code } } }`
export const UPDATE = `mutation($id: ID!, $i: UpdateMemberLevelInput!) { updateMemberLevel(id: $id, input: $i) { level { ${LEVEL} } userErrors { field message code } } }`
export const DEACTIVATE = `mutation($id: ID!, $v: Int) { deactivateMemberLevel(id: $id, expectedVersion: $v) { level { ${LEVEL} } userErrors { field message code } } }`
export const LEVELS = `query($a: Boolean) { memberLevels(active: $a) { ${LEVEL} } }`
export const CUSTOMER_LEVEL = `query($id: ID!) { customer(id: $id) { id level { level { key nameZh nameEn rank discountBp pointsMultiplierBp } reachedAt reviewAt
  history(first: 20) { totalCount edges { node { reason from { key } to { key } reviewAt occasion note explanation facts { windowMonths from spend { amount currency } points } } } } } } }`
export const SET_LEVEL = 'mutation($i: SetCustomerLevelInput!) { setCustomerLevel(input: $i) { change { changeId reason from { key } to { key } reachedAt reviewAt couponTemplateIds } userErrors { field message code } } }'
export const RECORD = 'mutation($i: RecordOrderInput!) { recordOrder(input: $i) { order { id externalId } userErrors { field code message } } }'
export const REFUND = 'mutation($i: RefundOrderInput!) { refundOrder(input: $i) { order { id status } userErrors { field code message } } }'

export type Level = { id: string; key: string; rank: number; version: number; active: boolean; minSpend: number | null; couponTemplateIds: string[] }
export type CustomerLevel = {
  level: { key: string; rank: number; discountBp: number; pointsMultiplierBp: number }
  reachedAt: string | null; reviewAt: string | null
  history: { totalCount: number; edges: { node: { reason: string; from: { key: string } | null; to: { key: string }; reviewAt: string | null; note: string | null; facts: { windowMonths: number; spend: { amount: number }; points: number }[] } }[] }
}

export const newId = (prefix = 'ERP') => `${prefix}-${randomBytes(6).toString('hex')}`
export const DAY = 86_400_000

export async function createLevel(ctx: TestApp, input: Record<string, unknown>, token = ctx.adminToken): Promise<Level> {
  const r = await ctx.gql(token, CREATE, { i: { nameZh: `等级 ${input.key}`, nameEn: `Level ${input.key}`, ...input } })
  if (!r.data?.createMemberLevel?.level) throw new Error(`createMemberLevel failed: ${JSON.stringify(r)}`)
  return r.data.createMemberLevel.level
}

export async function createCustomer(ctx: TestApp, input: Record<string, unknown> = {}, token = ctx.adminToken): Promise<{ id: string; ownerId: string | null }> {
  const res = await ctx.rest(token, 'POST', '/api/v1/customers', { name: `会员 ${randomBytes(3).toString('hex')}`, ...input })
  if (res.statusCode !== 201) throw new Error(`createCustomer failed: ${res.body}`)
  return res.json()
}

export async function recordOrder(ctx: TestApp, customerId: string, amount: number, token = ctx.adminToken, extra: Record<string, unknown> = {}): Promise<{ id: string; externalId: string }> {
  const r = await ctx.gql(token, RECORD, { i: { customerId, amount: { amount, currency: 'CNY' }, externalId: newId(), ...extra } })
  if (!r.data?.recordOrder?.order) throw new Error(`recordOrder failed: ${JSON.stringify(r)}`)
  return r.data.recordOrder.order
}

export async function levelOf(ctx: TestApp, customerId: string, token = ctx.adminToken): Promise<CustomerLevel> {
  const r = await ctx.gql(token, CUSTOMER_LEVEL, { id: customerId })
  if (!r.data?.customer) throw new Error(`customer failed: ${JSON.stringify(r)}`)
  return r.data.customer.level
}

/** The customer.level_changed events of a customer, oldest first. */
export async function levelEvents(ctx: TestApp, customerId: string): Promise<Record<string, any>[]> {
  const rows = await ctx.sql<{ data: Record<string, any> | string }>(`select data from outbox_events where type = 'customer.level_changed' and entity_id = $1 order by occurred_at, id`, [customerId])
  return rows.map((r) => (typeof r.data === 'string' ? JSON.parse(r.data) : r.data))
}
