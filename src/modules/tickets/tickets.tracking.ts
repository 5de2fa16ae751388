import { runAction, type ActionContext } from '../../db/action.js'
import type { Executor } from '../../db/client.js'
import { notFound } from '../../errors.js'
import { hashToken } from '../common/tokens.js'
import { parse } from '../common/validate.js'
import type { ServiceDeps } from '../service-deps.js'
import { loadWorkingCalendar } from './sla/calendar.repository.js'
import { addComment } from './tickets.comments.js'
import { ticketsRepository as repo, type TicketRow } from './tickets.repository.js'
import { PublicReply } from './tickets.schemas.js'
import { moveTicket } from './tickets.transitions.js'

const publicContext = (requestId: string | null): ActionContext => ({ actorType: 'public', actorId: null, actorRole: null, apiKeyId: null, requestId })

/**
 * The customer's tracking page (docs/service.md, "Tracking page"): by the token handed out when
 * the ticket was opened, the status, the public replies and the expected resolution time;
 * nothing else about the customer, and never who on the staff wrote what.
 */
export class TicketTrackingService {
  constructor(private readonly deps: ServiceDeps) {}

  async view(token: string) {
    const ticket = await repo.byTokenHash(this.deps.db, hashToken(token))
    if (!ticket) throw notFound('Ticket')
    return this.publicView(this.deps.db, ticket)
  }

  /**
   * The customer's reply: a public comment. It takes a ticket waiting for the customer back to
   * in_progress (the clocks run again), and reopens a resolved one inside the reopen window.
   */
  async reply(token: string, input: unknown, requestId: string | null) {
    const { body } = parse(PublicReply, input)
    const ctx = publicContext(requestId)
    return runAction(this.deps.db, ctx, async (action) => {
      let ticket = await repo.lockByTokenHash(action.tx, hashToken(token))
      if (!ticket) throw notFound('Ticket')
      const cal = () => loadWorkingCalendar(action.tx, this.deps.config.REPORTING_TIMEZONE)
      const now = new Date()
      const moves = ticket.status === 'waiting_customer' || ticket.status === 'resolved'
      if (moves) {
        ticket = await moveTicket(action, await cal(), ticket, {
          to: 'in_progress', note: 'customer replied', by: ctx, now, reopenDays: this.deps.config.TICKET_REOPEN_DAYS
        })
      }
      const result = await addComment(action, cal, ticket, { visibility: 'public', body, externalId: null, authorKind: 'customer', authorId: null, now, touched: moves })
      return this.publicView(action.tx, result.ticket)
    })
  }

  private async publicView(ex: Executor, ticket: TicketRow) {
    const replies = await repo.publicReplies(ex, ticket.id)
    return {
      subject: ticket.subject, category: ticket.category, status: ticket.status,
      createdAt: ticket.createdAt, updatedAt: ticket.updatedAt,
      // While the ticket is worked: when the resolution target falls (null while it waits for the customer).
      expectedResolutionAt: ticket.status === 'open' || ticket.status === 'in_progress' ? ticket.resolutionDueAt : null,
      resolvedAt: ticket.resolvedAt,
      replies: replies.map((r) => ({ from: r.authorKind === 'customer' ? 'customer' as const : 'staff' as const, body: r.body, at: r.createdAt }))
    }
  }
}
