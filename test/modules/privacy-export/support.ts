import { randomBytes } from 'node:crypto'
import type { TestApp } from '../../helper.js'

/** What the export suites call; shared so each suite reads like the contract (docs/privacy.md, "Access and portability"). */
export const EXPORT = `mutation($s: PersonalDataSubjectInput!) { personalDataExport(subject: $s) {
  export { exportId generatedAt subject { phone email customerId referrerId } counts records } userErrors { field code message } } }`

export type ExportDoc = { exportId: string; generatedAt: string; subject: Record<string, string | null>; counts: Record<string, number>; records: Record<string, Record<string, unknown>[]> }

let n = 0
/** A fresh mainland mobile per call, unique to this process. */
export function freshPhone(): string {
  n += 1
  return `135${String(process.pid % 10_000).padStart(4, '0')}${String(n).padStart(4, '0')}`
}
export const freshEmail = () => `p-${randomBytes(4).toString('hex')}@example.com`

export async function post(ctx: TestApp, url: string, body: unknown, token = ctx.adminToken): Promise<{ id: string; [k: string]: unknown }> {
  const res = await ctx.rest(token, 'POST', url, body)
  if (res.statusCode !== 201 && res.statusCode !== 200) throw new Error(`POST ${url}: ${res.statusCode} ${res.body}`)
  return res.json()
}

/** The REST export as JSON. */
export async function restExport(ctx: TestApp, subject: Record<string, unknown>, token = ctx.adminToken) {
  return ctx.rest(token, 'POST', '/api/v1/privacy/exports', subject)
}

/** The ids per kind of a document, for comparing two answers. */
export const idsOf = (doc: ExportDoc) => Object.fromEntries(Object.entries(doc.records).map(([k, list]) => [k, list.map((r) => r.id)]))

export type Person = {
  phone: string; email: string; customerId: string; referrerId: string; deletedId: string; mergedId: string
  thirdPartyPhone: string; thirdPartyName: string; otherPersonId: string
}

/**
 * One person with a record of nearly every kind: a customer (and, with the same phone, a
 * soft-deleted earlier customer; merged into it, a duplicate with another phone), a referrer
 * with the same phone, linked to the customer, who referred a third party, a referral of the person by someone else,
 * a lead, an activity, a task, an order, a consent, a ticket with a comment, points for the
 * customer and for the referrer. And another
 * person, whose records must not appear.
 */
export async function buildPerson(ctx: TestApp): Promise<Person> {
  const phone = freshPhone()
  const email = freshEmail()
  const tag = randomBytes(3).toString('hex')
  const deleted = await post(ctx, '/api/v1/customers', { name: `旧客户 ${tag}`, phone })
  if ((await ctx.rest(ctx.adminToken, 'DELETE', `/api/v1/customers/${deleted.id}`)).statusCode !== 204) throw new Error('delete')
  const customer = await post(ctx, '/api/v1/customers', { name: `王小明 ${tag}`, phone, email, address: '上海市徐汇区 1 号' })
  const duplicate = await post(ctx, '/api/v1/customers', { name: `王小明 ${tag}`, phone: freshPhone() })
  const merged = await ctx.gql(ctx.adminToken, 'mutation($s: ID!, $m: [ID!]!) { mergeCustomers(survivorId: $s, mergedIds: $m) { mergedIds userErrors { code } } }', { s: customer.id, m: [duplicate.id] })
  if (merged.data?.mergeCustomers?.userErrors?.length !== 0) throw new Error(JSON.stringify(merged))
  const referrer = await post(ctx, '/api/v1/referrers', { kind: 'customer', name: `王小明 ${tag}`, phone, customerId: customer.id })
  const thirdPartyPhone = freshPhone()
  const thirdPartyName = `李四 ${tag}`
  await post(ctx, '/api/v1/referrals', { referrerId: referrer.id, name: thirdPartyName, phone: thirdPartyPhone })
  const someoneElse = await post(ctx, '/api/v1/referrers', { kind: 'partner', name: `渠道 ${tag}` })
  await post(ctx, '/api/v1/referrals', { referrerId: someoneElse.id, name: `王小明 ${tag}`, phone })
  await post(ctx, '/api/v1/leads', { name: `王小明 ${tag}`, source: 'web', email })
  await post(ctx, '/api/v1/activities', { kind: 'call', customerId: customer.id, body: '客户来电咨询' })
  await post(ctx, '/api/v1/tasks', { title: '回访', customerId: customer.id })
  await post(ctx, '/api/v1/orders', { customerId: customer.id, amount: { amount: 12_800 } })
  await post(ctx, '/api/v1/consents', { customerId: customer.id, purpose: 'marketing', channel: 'sms', source: 'form', textVersion: 'mkt-1' })
  const ticket = await post(ctx, '/api/v1/tickets', { customerId: customer.id, channel: 'phone', category: 'complaint', subject: '送货太慢' })
  const ticketId = ((ticket as { ticket?: { id: string } }).ticket?.id ?? ticket.id) as string
  await post(ctx, `/api/v1/tickets/${ticketId}/comments`, { visibility: 'public', body: '已联系物流' })
  const ADJUST = 'mutation($i: AdjustPointsInput!) { adjustPoints(input: $i) { userErrors { code message } } }'
  for (const i of [{ customerId: customer.id, amount: 100, reason: '补偿' }, { referrerId: referrer.id, amount: 50, reason: '推荐奖励' }]) {
    const r = await ctx.gql(ctx.adminToken, ADJUST, { i })
    if (r.data?.adjustPoints?.userErrors?.length !== 0) throw new Error(JSON.stringify(r))
  }
  const other = await post(ctx, '/api/v1/customers', { name: `无关客户 ${tag}`, phone: freshPhone(), email: freshEmail() })
  await post(ctx, '/api/v1/orders', { customerId: other.id, amount: { amount: 500 } })
  await ctx.gql(ctx.adminToken, ADJUST, { i: { customerId: other.id, amount: 7, reason: '无关' } })
  return {
    phone, email, customerId: customer.id, referrerId: referrer.id, deletedId: deleted.id, mergedId: duplicate.id,
    thirdPartyPhone, thirdPartyName, otherPersonId: other.id
  }
}
