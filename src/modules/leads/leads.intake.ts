import type { Action } from '../../db/action.js'
import type { SealedContact } from '../common/contact.js'
import { routeLead } from '../routing/routing.router.js'
import { recordAssignment, slaColumns } from './leads.assignment.js'
import { insertUnique } from './leads.integrity.js'
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
} & { [K in keyof SealedContact]-?: string | null }

export const REFERRAL_SOURCE = 'referral'

/**
 * Creates the lead of a referral inside the referral's transaction: routed (rules,
 * referrer's owner, round-robin), with its follow-up clock started, its history
 * (`created`, then `assigned` with the routing reason), audit entries and events.
 */
export async function createReferralLead(action: Action, input: ReferralLeadInput, now: Date): Promise<LeadRow> {
  const { tx, audit, emit } = action
  const facts = { source: REFERRAL_SOURCE, industry: input.industry, region: input.region, campaignId: input.campaignId }
  const decision = await routeLead(tx, { ...facts, referrerId: input.referrerId, fallbackTeamId: input.teamId })
  const ownerId = decision.ownerId
  const sla = await slaColumns(tx, { source: REFERRAL_SOURCE, firstContactedAt: null, nextFollowUpAt: null }, ownerId, now)
  const row = await insertUnique(tx, {
    source: REFERRAL_SOURCE, referralId: input.referralId, referrerId: input.referrerId, campaignId: input.campaignId,
    name: input.name, company: input.company, industry: input.industry, region: input.region,
    phoneEnc: input.phoneEnc, phoneIdx: input.phoneIdx, phoneMasked: input.phoneMasked,
    emailEnc: input.emailEnc, emailIdx: input.emailIdx, emailMasked: input.emailMasked,
    attributes: input.note ? { referralNote: input.note } : {},
    ownerId, assignedAt: ownerId ? now : null, ...sla, createdAt: now, updatedAt: now
  })
  await repo.addHistory(tx, { leadId: row.id, kind: 'created', toStatus: row.status, toOwnerId: ownerId, actorId: input.submittedByUserId, at: now })
  audit({ action: 'lead.created', entityType: 'lead', entityId: row.id, changes: leadAuditView(row) })
  emit({ type: 'lead.created', entityType: 'lead', entityId: row.id, data: { lead: leadAuditView(row) } })
  if (ownerId) {
    // Routing, not a person, chose the owner: the history entry has no actor.
    await recordAssignment(action, row, null, ownerId, { reason: decision.reason, actorId: null, at: now, decision })
  } else {
    await repo.addHistory(tx, { leadId: row.id, kind: 'assigned', toOwnerId: null, reason: decision.reason, at: now })
  }
  return row
}
