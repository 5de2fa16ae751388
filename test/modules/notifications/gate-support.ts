import { randomBytes } from 'node:crypto'
import type { TestApp } from '../../helper.js'
import type { CustomerMessageRequest, GateOutcome } from '../../../src/modules/notifications/message-gate.service.js'

/** What the gate, template and held suites share. */
export const rand = () => randomBytes(5).toString('hex')

/** A customer made through the API (with a phone and an email unless told otherwise). */
export async function customer(ctx: TestApp, input: Record<string, unknown> = {}): Promise<string> {
  const res = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/customers', {
    name: `顾客${rand()}`, phone: `139${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`, email: `c${rand()}@example.com`, allowDuplicate: true, ...input
  })
  if (res.statusCode !== 201) throw new Error(`customer: ${res.body}`)
  return res.json().id
}

/** A default active channel of the kind (channels CRUD is the notifications area's; rows are enough here). */
export async function channel(ctx: TestApp, kind: 'sms' | 'email', isDefault = true): Promise<string> {
  const [row] = await ctx.sql<{ id: string }>(
    `insert into notification_channels (id, name, kind, config, is_default) values (gen_random_uuid(), $1, $2, '{}'::jsonb, $3) returning id`, [`${kind}-${rand()}`, kind, isDefault])
  return row.id
}

export const TEMPLATE_FIELDS = 'id externalId key name channelKind language purpose format subject body html providerTemplateCode variables active version createdAt updatedAt'
export const CREATE = `mutation($i: CreateMessageTemplateInput!) { createMessageTemplate(input: $i) { template { ${TEMPLATE_FIELDS} } userErrors { field message code } } }`

/** A template through the API. */
export async function template(ctx: TestApp, input: Record<string, unknown> = {}): Promise<string> {
  const r = await ctx.gql(ctx.adminToken, CREATE, { i: {
    key: `care-${rand()}`, name: '关怀短信', channelKind: 'sms', purpose: 'marketing', providerTemplateCode: 'SMS_1001',
    body: '{{customer.name}}您好，{{owner.name}}为您准备了礼物。退订 {{unsubscribeUrl}}', ...input
  } })
  if (!r.data?.createMessageTemplate?.template) throw new Error(`template: ${JSON.stringify(r)}`)
  return r.data.createMessageTemplate.template.id
}

/** Marketing consent through the API. */
export async function grant(ctx: TestApp, customerId: string, channel = 'any', purpose = 'marketing', occurredAt?: string): Promise<void> {
  const res = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/consents', {
    customerId, purpose, channel, granted: true, source: 'form', textVersion: 'privacy-v1', ...(occurredAt ? { occurredAt } : {})
  })
  if (res.statusCode !== 201) throw new Error(`grant: ${res.body}`)
}

/** The gate in a transaction of its own, as a journey step calls it. */
export function enqueue(ctx: TestApp, requests: CustomerMessageRequest[], now: Date): Promise<GateOutcome[]> {
  return ctx.app.database.db.transaction((tx) => ctx.app.services.messageGate.enqueueCustomerMessages(tx, requests, now))
}

/** 10:00 in Shanghai (02:00 UTC) on a given day of 2030: outside quiet hours. */
export const dayTime = (day = 1, hour = 10) => new Date(Date.UTC(2030, 0, day, hour - 8, 0, 0))

export type MessageRow = { id: string; status: string; reason: string | null; content: Record<string, any> | null; send_after: Date | null; next_attempt_at: Date | null; channel_id: string | null; journey_id: string | null; step_key: string | null }
export const messageRow = async (ctx: TestApp, id: string): Promise<MessageRow> =>
  (await ctx.sql<MessageRow>('select id, status, reason, content, send_after, next_attempt_at, channel_id, journey_id, step_key from messages where id = $1', [id]))[0]
