import { randomBytes } from 'node:crypto'
import type { TestApp } from '../../helper.js'

/** What the coupon suites select and call; shared so each file reads like the contract. */
export const TEMPLATE = `id externalId name description kind currency amountOff percentBp maxDiscount giftItemCode minOrderAmount validFrom validUntil
  validDays perCustomerLimit totalQuantity issuedCount stackable restoreOnRefund campaignId active version`
export const COUPON = `id code displayCode templateId batchId customerId referrerId status issuedAt validFrom validUntil redeemedAt voidedAt voidReason rewardId version
  offer { name kind currency amountOff percentBp maxDiscount giftItemCode minOrderAmount perCustomerLimit stackable }`
export const REDEMPTION = 'id couponId templateId customerId orderId orderExternalId orderAmount { amount currency } discount { amount currency } giftItemCode redeemedAt restoredAt restoreReason'
export const CREATE_TEMPLATE = `mutation($i: CreateCouponTemplateInput!) { createCouponTemplate(input: $i) { template { ${TEMPLATE} } userErrors { field message code } } }`
export const UPDATE_TEMPLATE = `mutation($id: ID!, $i: UpdateCouponTemplateInput!) { updateCouponTemplate(id: $id, input: $i) { template { ${TEMPLATE} } userErrors { field message code } } }`
export const ISSUE = `mutation($i: IssueCouponInput!) { issueCoupon(input: $i) { coupon { ${COUPON} } userErrors { field message code } } }`
export const ISSUE_BATCH = 'mutation($i: IssueCouponsInput!) { issueCoupons(input: $i) { batch { id templateId quantity issued status error completedAt } userErrors { field message code } } }'
export const VALIDATE = `query($code: String!, $c: ID, $ce: String, $amount: MoneyInput!) { validateCoupon(code: $code, customerId: $c, customerExternalId: $ce, orderAmount: $amount) {
  valid reason message discount { amount currency } giftItemCode stackable coupon { id status } } }`
export const REDEEM = `mutation($i: RedeemCouponInput!) { redeemCoupon(input: $i) { redemption { ${REDEMPTION} } coupon { id status redeemedAt version } userErrors { field message code } } }`
export const VOID = `mutation($id: ID!, $r: String!) { voidCoupon(id: $id, reason: $r) { coupon { ${COUPON} } userErrors { field message code } } }`
export const RECORD = 'mutation($i: RecordOrderInput!) { recordOrder(input: $i) { order { id externalId } userErrors { field message code } } }'
export const REFUND = 'mutation($i: RefundOrderInput!) { refundOrder(input: $i) { order { id status refundedAmount { amount } } userErrors { field message code } } }'

export type Template = { id: string; issuedCount: number; version: number; [k: string]: unknown }
export type Coupon = { id: string; code: string; displayCode: string; status: string; customerId: string | null; validFrom: string | null; validUntil: string | null; version: number; [k: string]: unknown }

export const newId = (prefix = 'ERP') => `${prefix}-${randomBytes(6).toString('hex')}`

export async function createCustomer(ctx: TestApp, input: Record<string, unknown> = {}, token = ctx.adminToken): Promise<{ id: string; externalId: string | null; ownerId: string | null }> {
  const res = await ctx.rest(token, 'POST', '/api/v1/customers', { name: `顾客 ${randomBytes(3).toString('hex')}`, ...input })
  if (res.statusCode !== 201) throw new Error(`createCustomer failed: ${res.body}`)
  return res.json()
}

export async function createTemplate(ctx: TestApp, input: Record<string, unknown> = {}, token = ctx.adminToken): Promise<Template> {
  const r = await ctx.gql(token, CREATE_TEMPLATE, { i: { name: '满100减20', kind: 'amount_off', amountOff: 2000, minOrderAmount: 10_000, ...input } })
  if (!r.data?.createCouponTemplate?.template) throw new Error(`createCouponTemplate failed: ${JSON.stringify(r)}`)
  return r.data.createCouponTemplate.template
}

export async function issue(ctx: TestApp, templateId: string, holder: Record<string, string>, token = ctx.adminToken): Promise<Coupon> {
  const r = await ctx.gql(token, ISSUE, { i: { templateId, ...holder } })
  if (!r.data?.issueCoupon?.coupon) throw new Error(`issueCoupon failed: ${JSON.stringify(r)}`)
  return r.data.issueCoupon.coupon
}

export async function recordOrder(ctx: TestApp, customerId: string, amount: number, extra: Record<string, unknown> = {}): Promise<{ id: string; externalId: string }> {
  const r = await ctx.gql(ctx.adminToken, RECORD, { i: { customerId, amount: { amount, currency: 'CNY' }, externalId: newId(), ...extra } })
  if (!r.data?.recordOrder?.order) throw new Error(`recordOrder failed: ${JSON.stringify(r)}`)
  return r.data.recordOrder.order
}

/** A code of the alphabet with a valid check symbol that no coupon has (a fresh random draw). */
export { newCouponCode as unusedCode } from '../../../src/modules/coupons/coupons.issue.js'

/** The code with one symbol changed: a typo the check symbol catches. */
export function typo(code: string, at = 5): string {
  const alphabet = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ'
  const next = alphabet[(alphabet.indexOf(code[at]) + 1) % alphabet.length]
  return code.slice(0, at) + next + code.slice(at + 1)
}

export async function eventsOf(ctx: TestApp, type: string, entityId?: string): Promise<{ data: Record<string, any> }[]> {
  return ctx.sql(`select data from outbox_events where type = $1 ${entityId ? 'and entity_id = $2' : ''} order by occurred_at, id`, entityId ? [type, entityId] : [type])
}
