import type { Action } from '../../db/action.js'
import type { Executor } from '../../db/client.js'
import { slaOnAssignment } from '../../rules/follow-up.js'
import type { AssignmentDecision } from '../../rules/lead-assignment.js'
import { followUpPolicyFor } from '../routing/routing.router.js'
import { leadsRepository as repo, type LeadInsert, type LeadRow } from './leads.repository.js'

/** How an assignment came about, beyond who did it: the routing decision, when routed. */
export type AssignmentNote = { reason: string | null; actorId: string | null; at?: Date; decision?: AssignmentDecision }

/**
 * The follow-up clock of a lead given to an owner at `at`: first contact due per the
 * policy of its source (a fresh deadline, unless it was already contacted), and a
 * follow-up date if it has none. Nothing for a lead returned to the pool.
 */
export async function slaColumns(
  ex: Executor, lead: Pick<LeadRow, 'source' | 'firstContactedAt' | 'nextFollowUpAt'>, ownerId: string | null, at: Date
): Promise<Partial<LeadInsert>> {
  if (!ownerId) return {}
  const sla = slaOnAssignment(await followUpPolicyFor(ex, lead.source), at)
  return {
    ...(lead.firstContactedAt ? {} : { firstContactDueAt: sla.firstContactDueAt, firstContactBreachedAt: null }),
    ...(lead.nextFollowUpAt ? {} : { nextFollowUpAt: sla.nextFollowUpAt })
  }
}

/** History entry, audit entry and `lead.assigned` event of a change of owner. */
export async function recordAssignment({ tx, audit, emit }: Action, lead: LeadRow, from: string | null, to: string | null, note: AssignmentNote): Promise<void> {
  const { reason, actorId, decision } = note
  await repo.addHistory(tx, { leadId: lead.id, kind: 'assigned', fromOwnerId: from, toOwnerId: to, reason, actorId, ...(note.at ? { at: note.at } : {}) })
  const routing = decision ? { via: decision.via, ruleId: decision.ruleId ?? null, teamId: decision.teamId ?? null } : {}
  audit({
    action: 'lead.assigned', entityType: 'lead', entityId: lead.id,
    changes: { ownerId: { from, to }, reason, ...(decision ? { ...routing, explanation: decision.explanation } : {}) }
  })
  emit({ type: 'lead.assigned', entityType: 'lead', entityId: lead.id, data: { id: lead.id, fromOwnerId: from, toOwnerId: to, reason, ...routing } })
}
