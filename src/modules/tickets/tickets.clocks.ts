import type { Executor } from '../../db/client.js'
import type { WorkingCalendar } from '../../rules/business-hours.js'
import { slaState, type StatusEntry } from '../../rules/ticket-sla.js'
import { ticketsRepository as repo, type TicketInsert, type TicketRow } from './tickets.repository.js'

/**
 * The SLA columns of a ticket recomputed from its whole status history (src/rules/ticket-sla.ts):
 * called after every status change, first reply and priority change, inside that action.
 */
export async function clockColumns(
  ex: Executor, cal: WorkingCalendar, ticket: Pick<TicketRow, 'id' | 'firstResponseMinutes' | 'resolutionMinutes' | 'firstRespondedAt'>, now: Date
): Promise<Partial<TicketInsert>> {
  const history: StatusEntry[] = (await repo.historyOf(ex, [ticket.id])).map((h) => ({ at: h.at, to: h.toStatus }))
  return clocksOf(cal, ticket, history, now)
}

/** The same from a history at hand (a new ticket's is its opening entry alone). */
export function clocksOf(
  cal: WorkingCalendar, ticket: Pick<TicketRow, 'firstResponseMinutes' | 'resolutionMinutes' | 'firstRespondedAt'>, history: readonly StatusEntry[], now: Date
): Partial<TicketInsert> {
  const state = slaState(cal, { firstResponseMinutes: ticket.firstResponseMinutes, resolutionMinutes: ticket.resolutionMinutes }, history, ticket.firstRespondedAt, now)
  return {
    firstResponseDueAt: state.firstResponseDueAt,
    resolutionDueAt: state.resolutionDueAt,
    firstResponseBusinessMinutes: state.firstResponseBusinessMinutes,
    resolutionBusinessMinutes: state.resolutionBusinessMinutes
  }
}
