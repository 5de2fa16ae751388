import { uuidv7 } from 'uuidv7'
import type { Action } from '../../db/action.js'
import type { SealedContact } from '../common/contact.js'
import type { RoutingFacts } from '../routing/routing.facts.js'
import type { Executor } from '../../db/client.js'
import type { FollowUpPolicy } from '../../rules/follow-up.js'
import type { AssignmentDecision } from '../../rules/lead-assignment.js'
import { routeNewLead } from '../routing/routing.router.js'
import { announceAssignment, assignmentHistory, slaColumnsOf } from './leads.assignment.js'
import { leadsRepository as repo, type LeadRow } from './leads.repository.js'
import { leadAuditView } from './leads.views.js'

/**
 * What a referral hands over when it becomes `submitted`: the referred person (contact
 * already sealed by the referral), where they came from, and who submitted them.
 */
export type ReferralLeadInput = {
  referralId: string
  referrerId: string
  campaignId: string | null
  name: string
  company: string | null
  industry: string | null
  region: string | null
  note: string | null
  /** The staff user who submitted it (null: public form, referrer token, integration key). */
  submittedByUserId: string | null
  /** That user's team: round-robin falls back to it. */
  teamId: string | null
  /** What routing reads for this referrer and the referral source, if the caller already read it in this transaction. */
  routing?: RoutingFacts
  /** When the referral records its lead (its `updated_at`; its version goes up by one). */
  linkedAt: Date
} & { [K in keyof SealedContact]-?: string | null }

export const REFERRAL_SOURCE = 'referral'

/**
 * Creates the lead of a referral inside the referral's transaction: routed (rules,
 * referrer's owner, round-robin), with its follow-up clock started, its history
 * (`created`, then `assigned` with the routing reason), audit entries and events; the
 * referral points at it from then on (`lead_id`). The referral's own audit and event are
 * the referrals module's.
 */
export async function createReferralLead(action: Action, input: ReferralLeadInput, now: Date): Promise<LeadRow> {
  const { tx, audit, emit } = action
  const facts = { source: REFERRAL_SOURCE, industry: input.industry, region: input.region, campaignId: input.campaignId }
  const { decision, policy } = await routeNewLead(tx, { ...facts, referrerId: input.referrerId, fallbackTeamId: input.teamId }, input.routing)
  const ownerId = decision.ownerId
  const sla = ownerId ? slaColumnsOf(policy, { firstContactedAt: null, nextFollowUpAt: null }, now) : {}
  // Routing, not a person, chose the owner: the assignment has no actor.
  const assignment = { reason: decision.reason, actorId: null, at: now, decision }
  const values = {
    id: uuidv7(), source: REFERRAL_SOURCE, referralId: input.referralId, referrerId: input.referrerId, campaignId: input.campaignId,
    name: input.name, company: input.company, industry: input.industry, region: input.region,
    phoneEnc: input.phoneEnc, phoneIdx: input.phoneIdx, phoneMasked: input.phoneMasked,
    emailEnc: input.emailEnc, emailIdx: input.emailIdx, emailMasked: input.emailMasked,
    attributes: input.note ? { referralNote: input.note } : {}, status: 'new' as const,
    ownerId, assignedAt: ownerId ? now : null, ...sla, createdAt: now, updatedAt: now
  }
  // One statement: the lead, its `created` entry, its `assigned` entry (with the routing
  // reason) and the referral's pointer to it.
  const row = await repo.insertReferralLead(tx, values, [
    { leadId: values.id, kind: 'created', toStatus: values.status, toOwnerId: ownerId, actorId: input.submittedByUserId, at: now },
    assignmentHistory(values.id, null, ownerId, assignment)
  ], input.linkedAt)
  audit({ action: 'lead.created', entityType: 'lead', entityId: row.id, changes: leadAuditView(row) })
  emit({ type: 'lead.created', entityType: 'lead', entityId: row.id, data: { lead: leadAuditView(row) } })
  if (ownerId) announceAssignment(action, row.id, null, ownerId, assignment)
  return row
}

/** The facts of a lead created through createLead / POST /leads / upsertLead that routing reads. */
type CreatedLeadFacts = { source: string; industry?: string | null; region?: string | null; campaignId?: string | null; referrerId?: string | null }

/**
 * Routes a lead created without an owner by the same policy as a referral's lead: rules,
 * then its referrer's relationship owner, then round-robin (the caller's team, else the
 * referrer owner's team, else everyone). Moves the rotation; returns the decision and the
 * follow-up policy of the lead's source.
 */
export async function routeCreatedLead(
  ex: Executor, lead: CreatedLeadFacts, callerTeamId: string | null
): Promise<{ decision: AssignmentDecision; policy: FollowUpPolicy }> {
  return routeNewLead(ex, {
    source: lead.source, industry: lead.industry ?? null, region: lead.region ?? null, campaignId: lead.campaignId ?? null,
    referrerId: lead.referrerId ?? null, fallbackTeamId: callerTeamId
  })
}

/**
 * History entry (`assigned` with the routing reason, no actor: routing chose), and, when it
 * found an owner, the audit entry and `lead.assigned` event of a routed new lead.
 */
export async function recordRouting(action: Action, lead: LeadRow, decision: AssignmentDecision, at: Date): Promise<void> {
  const note = { reason: decision.reason, actorId: null, at, decision }
  await repo.addHistory(action.tx, assignmentHistory(lead.id, null, decision.ownerId, note))
  if (decision.ownerId) announceAssignment(action, lead.id, null, decision.ownerId, note)
}
