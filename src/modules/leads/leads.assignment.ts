import type { Action } from '../../db/action.js'
import type { Executor } from '../../db/client.js'
import { slaOnAssignment, type FollowUpPolicy } from '../../rules/follow-up.js'
import type { AssignmentDecision } from '../../rules/lead-assignment.js'
import { followUpPolicyFor } from '../routing/routing.router.js'
import { leadsRepository as repo, type LeadHistoryInsert, type LeadInsert, type LeadRow } from './leads.repository.js'

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
  return slaColumnsOf(await followUpPolicyFor(ex, lead.source), lead, at)
}

/** slaColumns of a lead given to an owner, the policy of its source already read. */
export function slaColumnsOf(policy: FollowUpPolicy, lead: Pick<LeadRow, 'firstContactedAt' | 'nextFollowUpAt'>, at: Date): Partial<LeadInsert> {
  const sla = slaOnAssignment(policy, at)
  return {
    ...(lead.firstContactedAt ? {} : { firstContactDueAt: sla.firstContactDueAt, firstContactBreachedAt: null }),
    ...(lead.nextFollowUpAt ? {} : { nextFollowUpAt: sla.nextFollowUpAt })
  }
}

/** History entry, audit entry and `lead.assigned` event of a change of owner. */
export async function recordAssignment(action: Action, lead: LeadRow, from: string | null, to: string | null, note: AssignmentNote): Promise<void> {
  await repo.addHistory(action.tx, assignmentHistory(lead.id, from, to, note))
  announceAssignment(action, lead.id, from, to, note)
}

/** The history entry of a change of owner. */
export function assignmentHistory(leadId: string, from: string | null, to: string | null, { reason, actorId, at }: AssignmentNote): LeadHistoryInsert {
  return { leadId, kind: 'assigned', fromOwnerId: from, toOwnerId: to, reason, actorId, ...(at ? { at } : {}) }
}

/** Audit entry and `lead.assigned` event of a change of owner whose history entry the caller writes. */
export function announceAssignment({ audit, emit }: Action, leadId: string, from: string | null, to: string | null, note: AssignmentNote): void {
  const { reason, decision } = note
  const routing = decision ? { via: decision.via, ruleId: decision.ruleId ?? null, teamId: decision.teamId ?? null } : {}
  audit({
    action: 'lead.assigned', entityType: 'lead', entityId: leadId,
    changes: { ownerId: { from, to }, reason, ...(decision ? { ...routing, explanation: decision.explanation } : {}) }
  })
  emit({ type: 'lead.assigned', entityType: 'lead', entityId: leadId, data: { id: leadId, fromOwnerId: from, toOwnerId: to, reason, ...routing } })
}
