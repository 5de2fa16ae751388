import type { Action, ActionContext } from '../../db/action.js'
import { CrmError } from '../../errors.js'
import type { WorkingCalendar } from '../../rules/business-hours.js'
import { checkTicketTransition, type TicketStatus } from '../../rules/ticket-status.js'
import { onTicketResolved } from '../incentives/service-triggers.js'
import { scheduleSurveys } from '../surveys/survey-scheduling.js'
import { clockColumns } from './tickets.clocks.js'
import { ticketsRepository as repo, type TicketInsert, type TicketRow } from './tickets.repository.js'
import { auditView } from './tickets.views.js'

export type Move = { to: TicketStatus; note: string | null; by: ActionContext; now: Date; reopenDays: number }

/**
 * Moves a locked ticket to another status: checks the transition (and the reopen window),
 * records who and when, recomputes the SLA clocks from the history, audits and emits
 * `ticket.status_changed` (and, on a resolution, `ticket.resolved`, its incentives and its
 * satisfaction survey). Staff changes and the customer's reply on
 * the tracking page both come through here.
 */
export async function moveTicket(action: Action, cal: WorkingCalendar, before: TicketRow, move: Move): Promise<TicketRow> {
  const { tx, audit, emit } = action
  const from = before.status
  const verdict = checkTicketTransition(from, move.to, before.resolvedAt, move.now, move.reopenDays)
  if (!verdict.ok) {
    throw new CrmError('CRM_ERR_INVALID_TRANSITION', `Ticket: ${verdict.reason}`, [{ field: 'status', message: verdict.reason, code: 'INVALID_TRANSITION' }])
  }
  await repo.addStatusChange(tx, {
    ticketId: before.id, fromStatus: from, toStatus: move.to, actorType: move.by.actorType, actorId: move.by.actorId, note: move.note, at: move.now
  })
  const values: Partial<TicketInsert> = { status: move.to, ...(await clockColumns(tx, cal, before, move.now)) }
  if (move.to === 'resolved') values.resolvedAt = move.now
  if (move.to === 'closed') values.closedAt = move.now
  if (verdict.reopen) Object.assign(values, { resolvedAt: null, closedAt: null, reopenCount: before.reopenCount + 1 })
  const after = await repo.update(tx, before.id, values)
  const change = { from, to: move.to, ...(move.note ? { note: move.note } : {}), ...(verdict.reopen ? { reopened: true } : {}) }
  audit({ action: 'ticket.status_changed', entityType: 'ticket', entityId: before.id, changes: { status: { from, to: move.to }, ...(move.note ? { note: move.note } : {}) } })
  const data = { id: after.id, customerId: after.customerId, version: after.version, ...change, ticket: auditView(after) }
  emit({ type: 'ticket.status_changed', entityType: 'ticket', entityId: after.id, data })
  if (move.to === 'resolved') {
    emit({ type: 'ticket.resolved', entityType: 'ticket', entityId: after.id, data })
    // Rewards for a resolution (incentive trigger ticket_resolved) and the satisfaction survey it sets off
    // commit with it; only the first resolution pays, and a ticket resolved again is not surveyed twice.
    await onTicketResolved(action, { ticketId: after.id, customerId: after.customerId, at: move.now })
    await scheduleSurveys(action, { kind: 'ticket_resolved', sourceId: after.id, customerId: after.customerId, agentId: after.assigneeId, at: move.now }, move.now)
  }
  return after
}
