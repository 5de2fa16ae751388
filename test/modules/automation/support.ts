import { randomBytes } from 'node:crypto'
import type { TestApp } from '../../helper.js'

export const JOURNEY = 'id externalId name description status currentVersion trigger conditions reentry steps activatedAt version'
export const CREATE = `mutation($i: CreateJourneyInput!) { createJourney(input: $i) { journey { ${JOURNEY} } userErrors { field message code } } }`
export const UPDATE = `mutation($id: ID!, $i: UpdateJourneyInput!) { updateJourney(id: $id, input: $i) { journey { ${JOURNEY} } userErrors { field message code } } }`
export const ACTIVATE = `mutation($id: ID!) { activateJourney(id: $id) { journey { id status version activatedAt } userErrors { field message code } } }`
export const PAUSE = `mutation($id: ID!) { pauseJourney(id: $id) { journey { id status version } userErrors { field message code } } }`
export const ARCHIVE = `mutation($id: ID!) { archiveJourney(id: $id) { journey { id status version } userErrors { field message code } } }`
export const COUNTS = 'query($id: ID!) { journey(id: $id) { stepCounts { version stepKey stepType entered completed skipped held capped blocked failed } } }'
export const ENROLLMENTS = `query($f: JourneyEnrollmentFilter) { journeyEnrollments(first: 200, filter: $f) { totalCount edges { node {
  id journeyId version customerId entrySeq status stepKey dueAt triggerKind triggerEventId exitReason customer { id name } journey { id name }
  steps { seq stepKey stepType outcome reason detail } } } } }`

export const tagJourney = (extra: Record<string, unknown> = {}) => ({
  name: `Tag on order ${randomBytes(3).toString('hex')}`,
  trigger: { type: 'event', eventType: 'order.recorded' },
  steps: [{ key: 'tag', type: 'tag', add: ['buyer'] }],
  ...extra
})

export async function createJourney(ctx: TestApp, input: Record<string, unknown>, token = ctx.adminToken): Promise<{ id: string; version: number; currentVersion: number; status: string }> {
  const r = await ctx.gql(token, CREATE, { i: input })
  if (!r.data?.createJourney?.journey) throw new Error(`createJourney failed: ${JSON.stringify(r)}`)
  return r.data.createJourney.journey
}

export async function activate(ctx: TestApp, id: string): Promise<void> {
  const r = await ctx.gql(ctx.adminToken, ACTIVATE, { id })
  if (r.data?.activateJourney?.journey?.status !== 'active') throw new Error(`activateJourney failed: ${JSON.stringify(r)}`)
}

export async function createCustomer(ctx: TestApp, input: Record<string, unknown> = {}, token = ctx.adminToken): Promise<{ id: string; ownerId: string | null; tags: string[] }> {
  const res = await ctx.rest(token, 'POST', '/api/v1/customers', { name: `顾客 ${randomBytes(3).toString('hex')}`, ...input })
  if (res.statusCode !== 201) throw new Error(`createCustomer failed: ${res.body}`)
  return res.json()
}

export async function recordOrder(ctx: TestApp, customerId: string, amount = 10_000, paidAt?: Date): Promise<void> {
  const r = await ctx.gql(ctx.adminToken, 'mutation($i: RecordOrderInput!) { recordOrder(input: $i) { order { id } userErrors { message } } }',
    { i: { customerId, amount: { amount, currency: 'CNY' }, externalId: `ERP-${randomBytes(6).toString('hex')}`, ...(paidAt ? { paidAt: paidAt.toISOString() } : {}) } })
  if (!r.data?.recordOrder?.order) throw new Error(`recordOrder failed: ${JSON.stringify(r)}`)
}

export const engine = (ctx: TestApp) => ctx.app.services.journeyEngine
