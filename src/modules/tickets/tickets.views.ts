import type { CommentRow, StatusChangeRow, TicketRow } from './tickets.repository.js'

/** A ticket as the API shows it: the SLA columns grouped, the token hash never. */
export function ticketView(row: TicketRow) {
  return {
    id: row.id, externalId: row.externalId, customerId: row.customerId, orderId: row.orderId, opportunityId: row.opportunityId,
    channel: row.channel, category: row.category, priority: row.priority, subject: row.subject, description: row.description,
    status: row.status, assigneeId: row.assigneeId, queueTeamId: row.queueTeamId, routedVia: row.routedVia, customerTier: row.customerTier,
    sla: {
      firstResponseMinutes: row.firstResponseMinutes, resolutionMinutes: row.resolutionMinutes,
      firstResponseDueAt: row.firstResponseDueAt, resolutionDueAt: row.resolutionDueAt, firstRespondedAt: row.firstRespondedAt,
      firstResponseBreachedAt: row.firstResponseBreachedAt, resolutionBreachedAt: row.resolutionBreachedAt,
      firstResponseBusinessMinutes: row.firstResponseBusinessMinutes, resolutionBusinessMinutes: row.resolutionBusinessMinutes,
      paused: row.status === 'waiting_customer'
    },
    resolvedAt: row.resolvedAt, closedAt: row.closedAt, reopenCount: row.reopenCount, createdById: row.createdById,
    version: row.version, createdAt: row.createdAt, updatedAt: row.updatedAt
  }
}
export type Ticket = ReturnType<typeof ticketView>

export function commentView(row: CommentRow) {
  const { deletedAt: _d, version: _v, updatedAt: _u, ...rest } = row
  return rest
}
export type TicketComment = ReturnType<typeof commentView>

export function statusChangeView(row: StatusChangeRow) {
  const { ticketId: _t, ...rest } = row
  return rest
}
export type TicketStatusChangeRecord = ReturnType<typeof statusChangeView>

/** The fields whose changes ticket.updated and the audit entry list. */
export const auditedFields = [
  'category', 'priority', 'subject', 'description', 'channel', 'assigneeId', 'queueTeamId', 'orderId', 'opportunityId', 'routedVia',
  // A new priority brings its SLA targets, and the due times move with them.
  'firstResponseMinutes', 'resolutionMinutes', 'firstResponseDueAt', 'resolutionDueAt'
] as const

/** The audit/event shape of a ticket: the view, flattened enough for change lists. */
export function auditView(row: TicketRow) {
  const { trackingTokenHash: _h, deletedAt: _d, ...rest } = row
  return rest
}
