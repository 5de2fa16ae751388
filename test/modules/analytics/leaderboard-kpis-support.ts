import { randomBytes } from 'node:crypto'
import { parse } from 'csv-parse/sync'
import type { TestApp } from '../../helper.js'

let phones = 0
/** A fresh mainland mobile per call (per process), so suites never collide on a person. */
export function newPhone(): string {
  phones += 1
  return `135${String(process.pid % 10_000).padStart(4, '0')}${String(phones).padStart(4, '0')}`
}

export const hex = () => randomBytes(3).toString('hex')

export async function createReferrer(ctx: TestApp, input: Record<string, unknown> = {}): Promise<{ id: string; code: string; name: string }> {
  const r = await ctx.gql(ctx.adminToken, 'mutation($i: CreateReferrerInput!) { createReferrer(input: $i) { referrer { id code name } userErrors { field message code } } }',
    { i: { kind: 'partner', name: `推荐人${hex()}`, ...input } })
  if (!r.data?.createReferrer?.referrer) throw new Error(`createReferrer failed: ${JSON.stringify(r)}`)
  return r.data.createReferrer.referrer
}

/** A submitted referral with its lead (no consent step). */
export async function submitReferral(ctx: TestApp, referrerId: string, extra: Record<string, unknown> = {}): Promise<{ id: string; leadId: string }> {
  const res = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/referrals', { referrerId, name: `被推荐${hex()}`, phone: newPhone(), ...extra })
  const body = res.json()
  if (res.statusCode !== 201 || body.status !== 'submitted') throw new Error(`submit failed: ${res.body}`)
  return { id: body.id, leadId: body.leadId }
}

/** Qualifies the referral's lead and converts it without an opportunity; returns the new customer. */
export async function convertLead(ctx: TestApp, leadId: string): Promise<string> {
  const q = await ctx.gql(ctx.adminToken, 'mutation($id: ID!) { updateLeadStatus(id: $id, status: qualified) { userErrors { code message } } }', { id: leadId })
  if (q.data?.updateLeadStatus?.userErrors?.length) throw new Error(`qualify lead failed: ${JSON.stringify(q)}`)
  const r = await ctx.gql(ctx.adminToken, 'mutation($id: ID!) { convertLead(id: $id, input: { createOpportunity: false }) { customer { id } userErrors { code message } } }', { id: leadId })
  if (!r.data?.convertLead?.customer) throw new Error(`convertLead failed: ${JSON.stringify(r)}`)
  return r.data.convertLead.customer.id
}

export async function recordOrder(ctx: TestApp, input: Record<string, unknown>): Promise<{ id: string; referrerId: string | null }> {
  const r = await ctx.gql(ctx.adminToken, 'mutation($i: RecordOrderInput!) { recordOrder(input: $i) { order { id referrerId } userErrors { field message code } } }', { i: input })
  if (!r.data?.recordOrder?.order) throw new Error(`recordOrder failed: ${JSON.stringify(r)}`)
  return r.data.recordOrder.order
}

export async function refundOrder(ctx: TestApp, input: Record<string, unknown>): Promise<void> {
  const r = await ctx.gql(ctx.adminToken, 'mutation($i: RefundOrderInput!) { refundOrder(input: $i) { refund { id } userErrors { field message code } } }', { i: input })
  if (!r.data?.refundOrder?.refund) throw new Error(`refundOrder failed: ${JSON.stringify(r)}`)
}

export async function createCustomer(ctx: TestApp, input: Record<string, unknown> = {}, token = ctx.adminToken): Promise<string> {
  const res = await ctx.rest(token, 'POST', '/api/v1/customers', { name: `客户${hex()}`, ...input })
  if (res.statusCode !== 201) throw new Error(`createCustomer failed: ${res.body}`)
  return res.json().id
}

export async function referrerToken(ctx: TestApp, referrerId: string): Promise<string> {
  const res = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/auth/referrer-token', { referrerId })
  if (res.statusCode !== 200) throw new Error(`referrer token: ${res.body}`)
  return res.json().accessToken
}

/** A CSV answer parsed back: BOM and CRLF checked, every cell as text. */
export function parseCsv(body: string): Record<string, string>[] {
  if (!body.startsWith('\uFEFF')) throw new Error('CSV without a byte order mark')
  return parse(body.slice(1), { columns: true, record_delimiter: '\r\n' }) as Record<string, string>[]
}

/** An instant `days` days and `ms` milliseconds after local midnight (Asia/Shanghai, +08:00) of `date`. */
export function shanghai(date: string, ms = 0): Date {
  return new Date(new Date(`${date}T00:00:00+08:00`).getTime() + ms)
}
