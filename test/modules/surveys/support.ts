import { randomBytes } from 'node:crypto'
import type { TestApp } from '../../helper.js'

/** What the survey suites select and call; shared so each file reads like the contract. */
export const SURVEY = 'id externalId name kind questionZh questionEn trigger delayMinutes channel cooldownDays expiresAfterHours active scale { min max } version createdAt updatedAt'
export const CREATE = `mutation($i: CreateSurveyInput!) { createSurvey(input: $i) { survey { ${SURVEY} } userErrors { field message code } } }`
export const UPDATE = `mutation($id: ID!, $i: UpdateSurveyInput!) { updateSurvey(id: $id, input: $i) { survey { ${SURVEY} } userErrors { field message code } } }`
export const RESPONSE = 'id invitationId surveyId kind score category comment trigger customerId ticketId orderId referralId agentId answeredAt'
export const RESPONSES = `query($f: SurveyResponseFilter, $first: Int, $after: String) { surveyResponses(first: $first, after: $after, filter: $f) {
  edges { node { ${RESPONSE} survey { id } customer { id } agent { id } } } pageInfo { hasNextPage endCursor } totalCount } }`
export const INVITE = `mutation($c: ID!) { inviteReferrer(customerId: $c) { referrer { id kind code customer { id } owner { id } name } created userErrors { field message code } } }`
export const RECORD = 'mutation($i: RecordOrderInput!) { recordOrder(input: $i) { order { id paidAt customerId } created userErrors { field message code } } }'

export type Survey = { id: string; kind: string; trigger: string; delayMinutes: number; cooldownDays: number; expiresAfterHours: number; active: boolean; version: number }
export type Invitation = {
  id: string; survey_id: string; customer_id: string; status: string; trigger_key: string; order_id: string | null; referral_id: string | null
  ticket_id: string | null; agent_id: string | null; send_at: Date; sent_at: Date | null; token_hash: string | null; expires_at: Date | null
}

export const MINUTE = 60_000
export const HOUR = 60 * MINUTE
export const DAY = 24 * HOUR

export const newId = (prefix = 'ERP') => `${prefix}-${randomBytes(6).toString('hex')}`

export async function createSurvey(ctx: TestApp, input: Record<string, unknown> = {}, token = ctx.adminToken): Promise<Survey> {
  const r = await ctx.gql(token, CREATE, { i: { name: `Survey ${randomBytes(3).toString('hex')}`, kind: 'nps', questionZh: '您有多大可能向朋友推荐我们？', questionEn: 'How likely are you to recommend us?', trigger: 'order_paid', channel: 'sms', ...input } })
  if (!r.data?.createSurvey?.survey) throw new Error(`createSurvey failed: ${JSON.stringify(r)}`)
  return r.data.createSurvey.survey
}

/** Turns a survey off, so later tests' triggers do not invite through it. */
export async function deactivate(ctx: TestApp, id: string): Promise<void> {
  const r = await ctx.gql(ctx.adminToken, UPDATE, { id, i: { active: false } })
  if (r.data?.updateSurvey?.userErrors?.length !== 0) throw new Error(`deactivate failed: ${JSON.stringify(r)}`)
}

export async function createCustomer(ctx: TestApp, input: Record<string, unknown> = {}, token = ctx.adminToken): Promise<{ id: string; ownerId: string | null; name: string }> {
  const res = await ctx.rest(token, 'POST', '/api/v1/customers', { name: `客户 ${randomBytes(3).toString('hex')}`, ...input })
  if (res.statusCode !== 201) throw new Error(`createCustomer failed: ${res.body}`)
  return res.json()
}

export async function recordOrder(ctx: TestApp, customerId: string, input: Record<string, unknown> = {}, token = ctx.adminToken): Promise<{ id: string; paidAt: string }> {
  const r = await ctx.gql(token, RECORD, { i: { customerId, externalId: newId(), amount: { amount: 10_000 }, ...input } })
  if (!r.data?.recordOrder?.order) throw new Error(`recordOrder failed: ${JSON.stringify(r)}`)
  return r.data.recordOrder.order
}

export async function invitationsOf(ctx: TestApp, customerId: string): Promise<Invitation[]> {
  return ctx.sql('select * from survey_invitations where customer_id = $1 order by created_at, id', [customerId])
}

/** Outbox events of these types, oldest first. */
export async function eventsOfType(ctx: TestApp, type: string, entityId?: string): Promise<{ type: string; entity_id: string; data: Record<string, any> }[]> {
  return entityId
    ? ctx.sql('select type, entity_id, data from outbox_events where type = $1 and entity_id = $2 order by id', [type, entityId])
    : ctx.sql('select type, entity_id, data from outbox_events where type = $1 order by id', [type])
}

let ips = 0
/** A fresh client address per call, so the per-IP limit is each test's own business. */
export const clientIp = () => { ips += 1; return `10.77.${Math.floor(ips / 250)}.${ips % 250}` }

export function publicGet(ctx: TestApp, token: string, ip = clientIp()) {
  return ctx.app.inject({ method: 'GET', url: `/api/v1/public/surveys/${encodeURIComponent(token)}`, remoteAddress: ip })
}

export function publicAnswer(ctx: TestApp, token: string, payload: Record<string, unknown>, ip = clientIp()) {
  return ctx.app.inject({ method: 'POST', url: `/api/v1/public/surveys/${encodeURIComponent(token)}`, payload, remoteAddress: ip })
}

/**
 * A customer invited to `survey` by an order, with the invitation sent: the token from its
 * survey.sent event. `now` is when dispatch ran.
 */
export async function sentInvitation(ctx: TestApp, surveyId: string, customerId: string): Promise<{ token: string; invitationId: string; orderId: string; now: Date }> {
  const order = await recordOrder(ctx, customerId)
  const [invitation] = (await invitationsOf(ctx, customerId)).filter((i) => i.survey_id === surveyId && i.order_id === order.id)
  if (!invitation) throw new Error('no invitation scheduled')
  const now = new Date(Math.max(Date.now(), new Date(invitation.send_at).getTime()) + 1000)
  await ctx.app.services.surveys.dispatch(now)
  const [sent] = await eventsOfType(ctx, 'survey.sent', invitation.id)
  if (!sent) throw new Error('not sent')
  return { token: sent.data.token, invitationId: invitation.id, orderId: order.id, now }
}
