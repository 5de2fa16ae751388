import { and, eq, getTableColumns, gte, inArray, isNull, lte, sql, type SQL } from 'drizzle-orm'
import { Type, type Static } from '@sinclair/typebox'
import type { Db } from '../../db/client.js'
import { Keyset, type PageRequest, type SortDirection } from '../../db/paging.js'
import { customers } from '../../db/schema/customers.js'
import { tickets } from '../../db/schema/tickets.js'
import type { Actor } from '../auth/actor.js'
import { authorize } from '../auth/permissions.js'
import { reachFilter } from '../auth/reach.js'
import { DateTimeString, StringEnum, Uuid } from '../common/schemas.js'
import { CategoryKey } from '../tickets/routing/ticket-routing.schemas.js'
import { ticketStatuses } from './import-tickets.js'

/**
 * GET /export/tickets until the ticket service's own list can serve it (then this becomes
 * `services.tickets.list`, as the other exports): every ticket the caller may read, in
 * keyset pages, without the tracking token hash.
 */
export const TicketExportQuery = Type.Object({
  orderBy: Type.Optional(StringEnum(['createdAt', 'updatedAt'] as const)),
  direction: Type.Optional(StringEnum(['asc', 'desc'] as const)),
  status: Type.Optional(Type.Array(StringEnum(ticketStatuses), { maxItems: 5 })),
  category: Type.Optional(CategoryKey),
  customerId: Type.Optional(Uuid),
  assigneeId: Type.Optional(Uuid),
  queueTeamId: Type.Optional(Uuid),
  createdFrom: Type.Optional(DateTimeString),
  createdTo: Type.Optional(DateTimeString)
}, { additionalProperties: false })
export type TicketExportQuery = Static<typeof TicketExportQuery>

const { trackingTokenHash: _h, deletedAt: _d, ...columns } = getTableColumns(tickets)
export type TicketExportRow = { [K in keyof typeof columns]: (typeof tickets.$inferSelect)[K] }

/**
 * Reach over tickets (src/modules/auth/permissions.ts): a manager's team reach is the
 * tickets assigned to the team or queued for it; a sales rep's, the tickets of customers
 * the rep may see; own, the caller's tickets.
 */
function ticketReach(actor: Actor): SQL | undefined {
  const reach = authorize(actor, 'tickets', 'read')
  if (reach === 'all') return undefined
  if (reach === 'team' && actor.role === 'manager') {
    const assigned = reachFilter(actor, 'team', { owner: tickets.assigneeId })
    return actor.teamId ? sql`(${assigned} or ${tickets.queueTeamId} = ${actor.teamId})` : assigned
  }
  if (reach === 'team') {
    const owned = reachFilter(actor, 'team', { owner: customers.ownerId })
    return sql`exists (select 1 from ${customers} where ${customers.id} = ${tickets.customerId} and ${owned})`
  }
  return reachFilter(actor, reach, { owner: tickets.assigneeId })
}

/** One keyset page of the tickets the actor may read. */
export function ticketExportPages(db: Db, actor: Actor) {
  const scope = ticketReach(actor)
  return async (filter: unknown, order: { field: 'createdAt' | 'updatedAt'; direction: SortDirection }, page: PageRequest) => {
    const f = filter as Omit<TicketExportQuery, 'orderBy' | 'direction'>
    const keyset = new Keyset(order.field, order.field === 'createdAt' ? tickets.createdAt : tickets.updatedAt, tickets.id, order.direction, page)
    const rows = await db.select({ ...columns, cursorValue: keyset.cursorValue }).from(tickets).where(and(
      isNull(tickets.deletedAt), scope, keyset.where(),
      f.status?.length ? inArray(tickets.status, f.status) : undefined,
      f.category ? eq(tickets.category, f.category) : undefined,
      f.customerId ? eq(tickets.customerId, f.customerId) : undefined,
      f.assigneeId ? eq(tickets.assigneeId, f.assigneeId) : undefined,
      f.queueTeamId ? eq(tickets.queueTeamId, f.queueTeamId) : undefined,
      f.createdFrom ? gte(tickets.createdAt, new Date(f.createdFrom)) : undefined,
      f.createdTo ? lte(tickets.createdAt, new Date(f.createdTo)) : undefined
    )).orderBy(...keyset.orderBy()).limit(keyset.limit + 1)
    return keyset.page(rows)
  }
}
