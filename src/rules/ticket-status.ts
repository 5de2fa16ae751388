/**
 * Ticket lifecycle (docs/service.md, "Lifecycle"): open → in_progress ⇄ waiting_customer →
 * resolved → closed. A ticket may be resolved straight from each working status; a resolved or
 * closed ticket may be reopened (back to in_progress) within the reopen window after its
 * resolution. Pure: the clock and the window are arguments.
 */
export const ticketStatuses = ['open', 'in_progress', 'waiting_customer', 'resolved', 'closed'] as const
export type TicketStatus = (typeof ticketStatuses)[number]

/** Statuses in which the SLA clocks run (waiting_customer pauses them; resolved and closed stop them). */
export const runningStatuses: ReadonlySet<TicketStatus> = new Set(['open', 'in_progress'])
/** Statuses in which the ticket is still being worked. */
export const activeStatuses: ReadonlySet<TicketStatus> = new Set(['open', 'in_progress', 'waiting_customer'])

const moves: Readonly<Record<TicketStatus, readonly TicketStatus[]>> = {
  open: ['in_progress', 'waiting_customer', 'resolved'],
  in_progress: ['waiting_customer', 'resolved'],
  waiting_customer: ['in_progress', 'resolved'],
  resolved: ['closed', 'in_progress'],
  closed: ['in_progress']
}

export type TransitionVerdict = { ok: true; reopen: boolean } | { ok: false; reason: string }

/** Whether `from → to` is allowed at `now`; reopening needs the resolution within `reopenDays`. */
export function checkTicketTransition(
  from: TicketStatus, to: TicketStatus, resolvedAt: Date | null, now: Date, reopenDays: number
): TransitionVerdict {
  if (from === to) return { ok: false, reason: `the ticket is already ${from}` }
  if (!moves[from].includes(to)) return { ok: false, reason: `a ${from} ticket cannot move to ${to} (allowed: ${moves[from].join(', ')})` }
  const reopen = from === 'resolved' || from === 'closed'
  if (reopen && to === 'in_progress') {
    const limit = resolvedAt === null ? null : resolvedAt.getTime() + reopenDays * 86_400_000
    if (limit === null || now.getTime() > limit) return { ok: false, reason: `the ticket can be reopened only within ${reopenDays} days of its resolution` }
    return { ok: true, reopen: true }
  }
  return { ok: true, reopen: false }
}
