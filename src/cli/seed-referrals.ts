import type { PiiCipher } from '../lib/pii.js'
import { defaultProbability, openStages, type OpportunityStage } from '../rules/opportunity-stages.js'
import { copyLine, type CopyValue } from './seed-copy.js'
import { company, DAY_MS, mobile, person, place, sealedPhone } from './seed-data.js'
import type { IdMaker } from './seed-ids.js'
import { Weighted, type Rng } from './seed-random.js'

/**
 * One seeded referral and what followed it, as the services would have left it: the lead
 * (created at consent, assigned, first contacted, qualified), the opportunity opened when
 * the lead converted (with its stage history: won, lost or still open), the activities of
 * the rep, and the referrer's reward for a won referral. Timestamps are ordered
 * (submitted ≤ consented ≤ assigned ≤ first contact ≤ qualified ≤ converted) and never
 * after `now`. `lines` collects COPY lines per table.
 */

export const REFERRAL_COLUMNS = [
  'id', 'external_id', 'created_at', 'updated_at', 'referrer_id', 'campaign_id', 'channel', 'name', 'phone_enc', 'phone_idx', 'phone_masked',
  'company', 'region', 'status', 'rejection_reason', 'consent', 'lead_id', 'customer_id', 'opportunity_id',
  'submitted_at', 'consented_at', 'qualified_at', 'converted_at', 'rejected_at'
] as const
export const LEAD_COLUMNS = [
  'id', 'external_id', 'created_at', 'updated_at', 'source', 'referral_id', 'referrer_id', 'campaign_id', 'customer_id', 'name',
  'phone_enc', 'phone_idx', 'phone_masked', 'company', 'region', 'status', 'owner_id', 'assigned_at', 'first_contacted_at', 'last_activity_at',
  'converted_at', 'converted_opportunity_id', 'first_contact_due_at', 'first_contact_breached_at'
] as const
export const OPPORTUNITY_COLUMNS = [
  'id', 'external_id', 'created_at', 'updated_at', 'customer_id', 'name', 'amount', 'currency', 'stage', 'probability', 'expected_close_date',
  'owner_id', 'lead_id', 'campaign_id', 'referrer_id', 'lost_reason', 'stage_changed_at', 'closed_at'
] as const
export const STAGE_COLUMNS = ['id', 'opportunity_id', 'from_stage', 'to_stage', 'probability', 'reason', 'changed_by_id', 'changed_at'] as const
export const ACTIVITY_COLUMNS = [
  'id', 'external_id', 'created_at', 'updated_at', 'kind', 'direction', 'subject', 'occurred_at', 'duration_seconds', 'author_id', 'lead_id', 'opportunity_id'
] as const
export const REWARD_COLUMNS = [
  'id', 'created_at', 'updated_at', 'kind', 'rule_id', 'event_key', 'beneficiary_type', 'beneficiary_id', 'referrer_id', 'customer_id',
  'referral_id', 'campaign_id', 'reward_type', 'amount', 'currency', 'status', 'approved_at', 'paid_at', 'reverses_id', 'cancel_reason'
] as const

export type FunnelLines = { referrals: string[]; leads: string[]; opportunities: string[]; stages: string[]; activities: string[]; rewards: string[] }
export const newLines = (): FunnelLines => ({ referrals: [], leads: [], opportunities: [], stages: [], activities: [], rewards: [] })

const channels = new Weighted([['link', 35], ['qr', 25], ['form', 20], ['api', 15], ['import', 5]] as const)
const rejections = new Weighted([['duplicate', 30], ['already_customer', 20], ['consent_declined', 15], ['expired', 25], ['invalid', 10]] as const)
const lostReasons = new Weighted([['价格太高', 35], ['选择了竞品', 25], ['预算取消', 15], ['需求不匹配', 15], ['联系不上', 10]] as const)
const contactKinds = new Weighted([['call', 45], ['wechat', 35], ['sms', 8], ['email', 7], ['visit', 5]] as const)
const HOUR = 3_600_000

/** The referral's people and places: who submitted it, the campaign, and (converted) the customer. */
export type ReferralInput = {
  index: number
  referralId: string
  referrerId: string
  submittedAt: number
  campaign: { id: string; ruleId: string; reward: number } | null
  defaultRule: { id: string; reward: number }
  owner: string | null
  /** Set for a referral whose lead became this customer at `createdAt`. */
  customer: { id: string; createdAt: number } | null
}

export type Context = { runId: string; now: number; ids: IdMaker; pii: PiiCipher; lines: FunnelLines }

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())
const exp = (rng: Rng, mean: number) => -Math.log(1 - rng.next()) * mean

/** A referral that was never converted into a customer: pending, rejected, submitted (lead worked) or qualified. Returns its status. */
export function openReferral(rng: Rng, input: ReferralInput, ctx: Context): string {
  const { now } = ctx
  const S = input.submittedAt
  const contact = drawContact(rng, ctx)
  const roll = rng.next()
  if (now - S < 10 * DAY_MS && roll < 0.35) return referralLine(rng, input, ctx, contact, { status: 'pending_consent' })
  if (roll < 0.18 || (now - S < 10 * DAY_MS && roll < 0.45)) {
    const reason = rejections.draw(rng)
    const rejectedAt = Math.min(now, S + exp(rng, DAY_MS))
    return referralLine(rng, input, ctx, contact, { status: 'rejected', reason, rejectedAt, consent: reason === 'consent_declined' ? { granted: false, at: rejectedAt } : undefined })
  }
  const consentedAt = Math.min(now, S + exp(rng, 6 * HOUR))
  const lead = workLead(rng, input, ctx, contact, consentedAt, null)
  return referralLine(rng, input, ctx, contact, {
    status: lead.qualifiedAt === null ? 'submitted' : 'qualified', consentedAt, consent: { granted: true, at: consentedAt }, leadId: lead.id, qualifiedAt: lead.qualifiedAt
  })
}

/** A referral whose lead converted into `input.customer` (at the customer's creation): the opportunity won, lost or open. Returns when it was won, or null. */
export function convertedReferral(rng: Rng, input: ReferralInput, ctx: Context): number | null {
  const T = input.customer!.createdAt
  const S = input.submittedAt
  const contact = drawContact(rng, ctx)
  const consentedAt = S + (T - S) * 0.05 * rng.next()
  const lead = workLead(rng, input, ctx, contact, consentedAt, T)
  const opportunityId = ctx.ids.next()
  const wonAt = opportunity(rng, input, ctx, contact, opportunityId, lead.id, T)
  finishLead(lead, ctx, contact, T, opportunityId, input.customer!.id)
  referralLine(rng, input, ctx, contact, {
    status: wonAt === null ? 'qualified' : 'converted', consentedAt, consent: { granted: true, at: consentedAt }, leadId: lead.id,
    qualifiedAt: lead.qualifiedAt, convertedAt: wonAt, customerId: input.customer!.id, opportunityId
  })
  if (wonAt !== null) reward(rng, input, ctx, wonAt)
  return wonAt
}

type ReferralState = {
  status: string; reason?: string; rejectedAt?: number; consentedAt?: number; consent?: { granted: boolean; at: number }; leadId?: string
  qualifiedAt?: number | null; convertedAt?: number | null; customerId?: string; opportunityId?: string
}

type Contact = { name: string; phone: CopyValue[]; firm: string | null; region: string; by: string }

/** Who was referred: the lead made from the referral keeps the same name and sealed contact. */
function drawContact(rng: Rng, ctx: Context): Contact {
  const who = person(rng)
  const at = place(rng)
  const firm = rng.chance(0.4) ? company(rng, at).name : null
  return { name: who.name, phone: sealedPhone(ctx.pii, mobile(rng)), firm, region: at.province, by: who.name }
}

function referralLine(rng: Rng, input: ReferralInput, ctx: Context, c: Contact, s: ReferralState): string {
  const updated = Math.max(input.submittedAt, s.rejectedAt ?? 0, s.consentedAt ?? 0, s.qualifiedAt ?? 0, s.convertedAt ?? 0)
  const consent = s.consent ? { granted: s.consent.granted, at: iso(s.consent.at), channel: 'sms', purpose: '推荐联系与服务推介', by: c.by } : null
  ctx.lines.referrals.push(copyLine([
    input.referralId, `seed-${ctx.runId}-x${input.index + 1}`, iso(input.submittedAt), iso(updated), input.referrerId, input.campaign?.id ?? null,
    channels.draw(rng), c.name, ...c.phone, c.firm, c.region, s.status, s.reason ?? null, consent, s.leadId ?? null, s.customerId ?? null,
    s.opportunityId ?? null, iso(input.submittedAt), iso(s.consentedAt ?? null), iso(s.qualifiedAt ?? null), iso(s.convertedAt ?? null), iso(s.rejectedAt ?? null)
  ]))
  return s.status
}

type LeadDraft = {
  id: string; index: number; input: ReferralInput; status: string; createdAt: number; assignedAt: number; firstContactedAt: number | null
  dueAt: number; qualifiedAt: number | null; lastActivityAt: number | null
}

/** The lead's work from consent: assignment, first contact (SLA 24 h), follow-ups, qualification (by `convertAt` when given). */
function workLead(rng: Rng, input: ReferralInput, ctx: Context, contact: Contact, consentedAt: number, convertAt: number | null): LeadDraft {
  const { now } = ctx
  const assignedAt = Math.min(now, consentedAt + rng.int(1, 30) * 60_000)
  const dueAt = assignedAt + 24 * HOUR
  const end = convertAt ?? now
  let first: number | null = assignedAt + (convertAt === null ? exp(rng, 10 * HOUR) : Math.min(exp(rng, 10 * HOUR), (convertAt - assignedAt) * 0.3))
  if (first > end) first = null
  let qualifiedAt: number | null = null
  let status = 'new'
  if (first !== null) {
    const roll = rng.next()
    if (convertAt !== null) qualifiedAt = first + (convertAt - first) * rng.next()
    else if (roll < 0.5) { const q = first + exp(rng, 4 * DAY_MS); if (q <= now) qualifiedAt = q }
    status = qualifiedAt !== null ? 'qualified' : roll < 0.75 ? 'contacted' : roll < 0.92 ? 'disqualified' : 'dormant'
  }
  const lead: LeadDraft = { id: ctx.ids.next(), index: input.index, input, status, createdAt: consentedAt, assignedAt, firstContactedAt: first, dueAt, qualifiedAt, lastActivityAt: null }
  if (first !== null && input.owner) {
    const until = Math.min(end, (qualifiedAt ?? first) + 20 * DAY_MS)
    const more = rng.int(0, 3)
    const times = [first]
    for (let k = 0; k < more; k++) times.push(first + (until - first) * rng.next())
    times.sort((a, b) => a - b)
    times.forEach((t, k) => activity(rng, ctx, input.owner!, `${input.index + 1}-${k + 1}`, t, lead.id, null))
    lead.lastActivityAt = times[times.length - 1]
  }
  if (convertAt === null) finishLead(lead, ctx, contact, null, null, null)
  return lead
}

function finishLead(lead: LeadDraft, ctx: Context, contact: Contact, convertedAt: number | null, opportunityId: string | null, customerId: string | null): void {
  const { input } = lead
  const status = convertedAt === null ? lead.status : 'converted'
  const breached = (lead.firstContactedAt ?? ctx.now) > lead.dueAt && lead.dueAt <= ctx.now ? lead.dueAt : null
  const updated = Math.max(lead.createdAt, lead.lastActivityAt ?? 0, lead.qualifiedAt ?? 0, convertedAt ?? 0)
  ctx.lines.leads.push(copyLine([
    lead.id, `seed-${ctx.runId}-l${input.index + 1}`, iso(lead.createdAt), iso(updated), 'referral', input.referralId, input.referrerId,
    input.campaign?.id ?? null, customerId, contact.name, ...contact.phone, contact.firm, contact.region, status,
    input.owner, input.owner ? iso(lead.assignedAt) : null, iso(lead.firstContactedAt), iso(lead.lastActivityAt), iso(convertedAt), opportunityId,
    input.owner ? iso(lead.dueAt) : null, input.owner ? iso(breached) : null
  ]))
}

function activity(rng: Rng, ctx: Context, author: string, key: string, at: number, leadId: string | null, opportunityId: string | null): void {
  const kind = contactKinds.draw(rng)
  const t = iso(at)
  ctx.lines.activities.push(copyLine([ctx.ids.next(), `seed-${ctx.runId}-a${key}`, t, t, kind, 'outbound', opportunityId ? '商机跟进' : '推荐线索跟进', t,
    kind === 'call' ? rng.int(30, 1_200) : null, author, leadId, opportunityId]))
}

/** The opportunity opened at `T`: its stage walk and history rows. Returns when it was won, or null. */
function opportunity(rng: Rng, input: ReferralInput, ctx: Context, contact: Contact, id: string, leadId: string, T: number): number | null {
  const { now } = ctx
  const closeAt = T + HOUR + exp(rng, 12 * DAY_MS)
  const roll = rng.next()
  const final: OpportunityStage = closeAt > now || roll >= 0.9 ? openStages[rng.int(0, 3)] : roll < 0.65 ? 'won' : 'lost'
  const closed = final === 'won' || final === 'lost'
  const lastAt = closed ? closeAt : Math.min(now, T + (now - T) * rng.next())
  // The stages walked: in order up to the final one (a lost deal drops out from where it stood).
  const reached = closed ? rng.int(1, 4) : openStages.indexOf(final as typeof openStages[number]) + 1
  const walk: OpportunityStage[] = [...openStages.slice(0, reached)]
  if (closed) walk.push(final)
  const owner = input.owner
  const lostReason = final === 'lost' ? lostReasons.draw(rng) : null
  let from: OpportunityStage | null = null
  walk.forEach((stage, k) => {
    const at = k === 0 ? T : T + (lastAt - T) * (k / (walk.length - 1))
    ctx.lines.stages.push(copyLine([ctx.ids.next(), id, from, stage, defaultProbability(stage), stage === 'lost' ? lostReason : null, owner, iso(at)]))
    from = stage
  })
  const amount = rng.int(10, 2_000) * 10_000
  const stageAt = walk.length > 1 ? lastAt : T
  ctx.lines.opportunities.push(copyLine([
    id, `seed-${ctx.runId}-y${input.index + 1}`, iso(T), iso(stageAt), input.customer!.id, `${contact.firm ?? contact.name} 推荐商机`, amount, 'CNY',
    final, defaultProbability(final), iso(lastAt + 14 * DAY_MS)!.slice(0, 10), owner, leadId, input.campaign?.id ?? null, input.referrerId, lostReason,
    iso(stageAt), closed ? iso(closeAt) : null
  ]))
  if (owner) activity(rng, ctx, owner, `${input.index + 1}-o`, T + (lastAt - T) * rng.next(), null, id)
  return final === 'won' ? closeAt : null
}

/** The referrer's reward for a won referral: approved while on hold, then paid; a few reversed (a clawback entry). */
function reward(rng: Rng, input: ReferralInput, ctx: Context, wonAt: number): void {
  const rule = input.campaign ? { id: input.campaign.ruleId, reward: input.campaign.reward } : input.defaultRule
  const id = ctx.ids.next()
  const approvedAt = Math.min(ctx.now, wonAt + rng.int(1, 72) * HOUR)
  const paidAt = wonAt + rng.int(14, 30) * DAY_MS
  const paid = paidAt <= ctx.now
  const reversedAt = paid && rng.chance(0.08) ? Math.min(ctx.now, paidAt + exp(rng, 10 * DAY_MS)) : null
  const status = reversedAt !== null ? 'reversed' : paid ? 'paid' : 'approved'
  const common = [rule.id, `referral_converted:${input.referralId}`, 'referrer', input.referrerId, input.referrerId, input.customer!.id, input.referralId, input.campaign?.id ?? null, 'cash']
  ctx.lines.rewards.push(copyLine([id, iso(wonAt), iso(reversedAt ?? (paid ? paidAt : approvedAt)), 'reward', ...common, rule.reward, 'CNY', status,
    iso(approvedAt), paid ? iso(paidAt) : null, null, null]))
  if (reversedAt !== null) {
    common[1] = `reversal:${id}`
    ctx.lines.rewards.push(copyLine([ctx.ids.next(), iso(reversedAt), iso(reversedAt), 'reversal', ...common, -rule.reward, 'CNY', 'approved',
      iso(reversedAt), null, id, '推荐客户退单']))
  }
}
