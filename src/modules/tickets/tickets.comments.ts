import type { Action } from '../../db/action.js'
import { activities } from '../../db/schema/activities.js'
import { CrmError } from '../../errors.js'
import type { WorkingCalendar } from '../../rules/business-hours.js'
import { asTaken } from '../common/unique.js'
import { clockColumns } from './tickets.clocks.js'
import { ticketsRepository as repo, type CommentRow, type TicketRow } from './tickets.repository.js'
import { commentView } from './tickets.views.js'

export type NewComment = {
  visibility: 'internal' | 'public'
  body: string
  externalId: string | null
  authorKind: 'staff' | 'customer'
  authorId: string | null
  now: Date
  /** The action already updated the ticket row (a move before the comment): no second touch. */
  touched?: boolean
}

/**
 * Adds a comment to a locked ticket. Both kinds are activities in the customer's timeline (an
 * internal note as an internal note, a public reply as an outbound or inbound message). The
 * first public reply by staff stops the first-response clock. Public ones emit
 * `ticket.comment_added`; internal notes are audited only (webhook consumers are outside).
 */
export async function addComment(action: Action, calendar: () => Promise<WorkingCalendar>, ticket: TicketRow, c: NewComment): Promise<{ comment: CommentRow; ticket: TicketRow }> {
  const { tx, audit, emit } = action
  if (ticket.status === 'closed' && c.visibility === 'public') {
    throw new CrmError('CRM_ERR_INVALID_TRANSITION', 'Ticket: the ticket is closed; reopen it first',
      [{ field: 'ticketId', message: 'the ticket is closed; reopen it first', code: 'INVALID_TRANSITION' }])
  }
  const [activity] = await tx.insert(activities).values({
    kind: 'note',
    direction: c.visibility === 'internal' ? 'internal' : c.authorKind === 'customer' ? 'inbound' : 'outbound',
    subject: `${c.visibility === 'internal' ? 'Ticket note' : 'Ticket reply'}: ${ticket.subject}`.slice(0, 300),
    body: c.body, occurredAt: c.now, authorId: c.authorId, customerId: ticket.customerId
  }).returning({ id: activities.id })
  let comment: CommentRow
  try {
    comment = await repo.addComment(tx, {
      ticketId: ticket.id, visibility: c.visibility, body: c.body, authorKind: c.authorKind, authorId: c.authorId,
      activityId: activity.id, externalId: c.externalId, createdAt: c.now, updatedAt: c.now
    })
  } catch (err) { throw asTaken(err, 'ticket comment') }
  const firstReply = c.visibility === 'public' && c.authorKind === 'staff' && ticket.firstRespondedAt === null
  // Only the first public staff reply moves a clock: the calendar is read for it alone.
  const clocks = firstReply ? await clockColumns(tx, await calendar(), { ...ticket, firstRespondedAt: c.now }, c.now) : {}
  const after = firstReply || !c.touched ? await repo.update(tx, ticket.id, firstReply ? { firstRespondedAt: c.now, ...clocks } : {}) : ticket
  const view = commentView(comment)
  audit({ action: 'ticket.comment_added', entityType: 'ticket', entityId: ticket.id, changes: { comment: { id: comment.id, visibility: c.visibility, authorKind: c.authorKind } } })
  if (c.visibility === 'public') {
    emit({ type: 'ticket.comment_added', entityType: 'ticket', entityId: ticket.id, data: { ticketId: ticket.id, customerId: ticket.customerId, comment: view } })
  }
  return { comment, ticket: after }
}
