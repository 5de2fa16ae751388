import { randomBytes } from 'node:crypto'
import type { TestApp } from '../../helper.js'

/** What the incentive suites select and call; shared so each file reads like the contract. */
export const RULE = `id externalId name description active campaignId trigger orderScope milestone calc rewardType amount percentBp currency
  couponCode beneficiary referredAmount referrerKinds referrerTiers minOrderAmount validFrom validUntil capAmount perReferrerCap
  perReferrerPeriod tierMultipliers priority stackable approval holdDays createdBy version createdAt updatedAt`
export const REWARD = `id kind status ruleId eventKey trigger beneficiaryType beneficiaryId referrerId customerId referralId orderId campaignId
  rewardType amount currency couponCode holdUntil approvedAt approvedBy paidAt payoutReference cancelledAt cancelReason reversesId
  explanation version createdAt updatedAt`
export const CREATE_RULE = `mutation($i: CreateIncentiveRuleInput!) { createIncentiveRule(input: $i) { incentiveRule { ${RULE} } userErrors { field message code } } }`
export const UPDATE_RULE = `mutation($id: ID!, $i: UpdateIncentiveRuleInput!) { updateIncentiveRule(id: $id, input: $i) { incentiveRule { ${RULE} } userErrors { field message code } } }`
export const APPROVE = `mutation($id: ID!, $v: Int) { approveReward(id: $id, expectedVersion: $v) { reward { ${REWARD} } userErrors { field message code } } }`
export const PAY = `mutation($id: ID!, $ref: String!, $at: DateTime, $v: Int) { markRewardPaid(id: $id, payoutReference: $ref, paidAt: $at, expectedVersion: $v) {
  reward { ${REWARD} } userErrors { field message code } } }`
export const CANCEL = `mutation($id: ID!, $r: String!) { cancelReward(id: $id, reason: $r) { reward { ${REWARD} } userErrors { field message code } } }`
export const PREVIEW = `mutation($e: IncentivePreviewInput!) { previewIncentives(event: $e) {
  decisions { ruleId beneficiary beneficiaryId rewardType amount currency couponCode holdUntil approval }
  explanations { ruleId name matched code reason rewards { amount beneficiary } } userErrors { field message code } } }`
const LEAD_QUALIFIED = 'mutation($id: ID!) { updateLeadStatus(id: $id, status: qualified) { lead { status } userErrors { code message } } }'
const CONVERT = `mutation($id: ID!) { convertLead(id: $id, input: { createOpportunity: false }) { customer { id } userErrors { code message } } }`

export type UserError = { field: string | null; message: string; code: string }
export type Rule = { id: string; version: number; active: boolean; [k: string]: unknown }
export type Reward = {
  id: string; kind: string; status: string; ruleId: string; eventKey: string; trigger: string; beneficiaryType: string; beneficiaryId: string
  referrerId: string | null; customerId: string | null; referralId: string | null; orderId: string | null; campaignId: string | null
  rewardType: string; amount: number; currency: string; holdUntil: string | null; paidAt: string | null; payoutReference: string | null
  reversesId: string | null; version: number; explanation: Record<string, unknown>; [k: string]: unknown
}

let phones = 0
/** A fresh mainland mobile per call (per process), so suites never collide on a person. */
export function newPhone(): string {
  phones += 1
  return `136${String(process.pid % 10_000).padStart(4, '0')}${String(phones).padStart(4, '0')}`
}

export async function createRule(ctx: TestApp, input: Record<string, unknown>, token = ctx.adminToken): Promise<Rule> {
  const r = await ctx.gql(token, CREATE_RULE, { i: { name: `Rule ${randomBytes(3).toString('hex')}`, calc: 'fixed', rewardType: 'cash', ...input } })
  const rule = r.data?.createIncentiveRule?.incentiveRule
  if (!rule) throw new Error(`createIncentiveRule failed: ${JSON.stringify(r)}`)
  return rule
}

/** Deactivates every rule, so each test starts from its own. */
export async function deactivateAll(ctx: TestApp): Promise<void> {
  await ctx.sql('update incentive_rules set active = false')
}

export async function createReferrer(ctx: TestApp, input: Record<string, unknown> = {}): Promise<{ id: string; code: string }> {
  const r = await ctx.gql(ctx.adminToken, 'mutation($i: CreateReferrerInput!) { createReferrer(input: $i) { referrer { id code } userErrors { field message code } } }',
    { i: { kind: 'partner', name: `推荐人 ${randomBytes(3).toString('hex')}`, ...input } })
  if (!r.data?.createReferrer?.referrer) throw new Error(`createReferrer failed: ${JSON.stringify(r)}`)
  return r.data.createReferrer.referrer
}

export async function createCampaign(ctx: TestApp, input: Record<string, unknown> = {}): Promise<{ id: string }> {
  const res = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/campaigns', { name: `Push ${randomBytes(3).toString('hex')}`, status: 'active', ...input })
  if (res.statusCode !== 201) throw new Error(`createCampaign failed: ${res.body}`)
  return res.json()
}

/** A submitted referral with its lead (the suites run without the consent step). */
export async function submitted(ctx: TestApp, referrerId: string, extra: Record<string, unknown> = {}): Promise<{ id: string; leadId: string }> {
  const res = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/referrals', { referrerId, name: `Referred ${randomBytes(3).toString('hex')}`, phone: newPhone(), ...extra })
  const body = res.json()
  if (res.statusCode !== 201 || body.status !== 'submitted') throw new Error(`submit failed: ${res.body}`)
  return { id: body.id, leadId: body.leadId }
}

/** Managers qualify by hand (POST /referrals/{id}/qualify). */
/** As a client does: a 503 (every pooled connection busy past DATABASE_CONNECT_TIMEOUT_MS on a loaded machine) is retried with the same Idempotency-Key. */
export async function qualify(ctx: TestApp, referralId: string, token = ctx.adminToken) {
  const key = `qualify-${referralId}`
  for (let attempt = 0; ; attempt++) {
    const res = await ctx.rest(token, 'POST', `/api/v1/referrals/${referralId}/qualify`, undefined, { 'idempotency-key': key })
    if (res.statusCode !== 503 || attempt >= 20) return res
    await new Promise((r) => setTimeout(r, 100 + Math.random() * 200))
  }
}

/** Qualifies the referral's lead, then converts it without an opportunity: the referral converts at once; returns the new customer. */
export async function convert(ctx: TestApp, leadId: string): Promise<string> {
  const q = await ctx.gql(ctx.adminToken, LEAD_QUALIFIED, { id: leadId })
  if (q.data?.updateLeadStatus?.userErrors?.length) throw new Error(`qualify lead failed: ${JSON.stringify(q)}`)
  const r = await ctx.gql(ctx.adminToken, CONVERT, { id: leadId })
  if (!r.data?.convertLead?.customer) throw new Error(`convertLead failed: ${JSON.stringify(r)}`)
  return r.data.convertLead.customer.id
}

/** The ledger rows of a referral, an order or a rule, oldest first (as stored). */
export async function ledger(ctx: TestApp, where: { referralId?: string; orderId?: string; ruleId?: string }) {
  const [column, value] = where.referralId ? ['referral_id', where.referralId] : where.orderId ? ['order_id', where.orderId] : ['rule_id', where.ruleId]
  return ctx.sql<{ id: string; kind: string; status: string; amount: number; rule_id: string; beneficiary_type: string; beneficiary_id: string; event_key: string; reverses_id: string | null }>(
    `select id, kind, status, amount::int, rule_id, beneficiary_type, beneficiary_id, event_key, reverses_id from rewards where ${column} = $1 order by created_at, id`, [value])
}

/** Outbox events of reward entries, by type. */
export async function rewardEvents(ctx: TestApp, rewardId: string): Promise<{ type: string; data: Record<string, unknown> }[]> {
  return ctx.sql("select type, data from outbox_events where entity_type = 'reward' and entity_id = $1 order by id", [rewardId])
}

export async function getReward(ctx: TestApp, id: string, token = ctx.adminToken): Promise<Reward | null> {
  return (await ctx.gql(token, `query($id: ID!) { reward(id: $id) { ${REWARD} } }`, { id })).data.reward
}

export async function referrerToken(ctx: TestApp, referrerId: string): Promise<string> {
  const res = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/auth/referrer-token', { referrerId })
  if (res.statusCode !== 200) throw new Error(`referrer token: ${res.body}`)
  return res.json().accessToken
}
