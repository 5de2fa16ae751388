import { and, asc, eq, getTableColumns, gte, ilike, inArray, isNotNull, isNull, lt, lte, or, sql, type SQL } from 'drizzle-orm'
import type { Executor } from '../../db/client.js'
import { countWhere, selectPage } from '../../db/list-queries.js'
import type { Keyset } from '../../db/paging.js'
import { ticketComments, tickets, ticketStatusChanges } from '../../db/schema/tickets.js'
import type { TicketFilter } from './tickets.schemas.js'

export type TicketRow = typeof tickets.$inferSelect
export type TicketInsert = typeof tickets.$inferInsert
export type CommentRow = typeof ticketComments.$inferSelect
export type CommentInsert = typeof ticketComments.$inferInsert
export type StatusChangeRow = typeof ticketStatusChanges.$inferSelect
export type StatusChangeInsert = typeof ticketStatusChanges.$inferInsert

const live = isNull(tickets.deletedAt)

/** `%`, `_` and `\` taken literally in an ILIKE pattern. */
const literal = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`)

export function ticketConditions(filter: TicketFilter): SQL[] {
  const where: SQL[] = [live]
  if (filter.status?.length) where.push(inArray(tickets.status, filter.status))
  if (filter.priority?.length) where.push(inArray(tickets.priority, filter.priority))
  if (filter.channel?.length) where.push(inArray(tickets.channel, filter.channel))
  if (filter.category?.length) where.push(inArray(tickets.category, filter.category))
  if (filter.customerId) where.push(eq(tickets.customerId, filter.customerId))
  if (filter.orderId) where.push(eq(tickets.orderId, filter.orderId))
  if (filter.opportunityId) where.push(eq(tickets.opportunityId, filter.opportunityId))
  if (filter.assigneeId) where.push(eq(tickets.assigneeId, filter.assigneeId))
  if (filter.queueTeamId) where.push(eq(tickets.queueTeamId, filter.queueTeamId))
  if (filter.unassigned === true) where.push(isNull(tickets.assigneeId))
  if (filter.unassigned === false) where.push(isNotNull(tickets.assigneeId))
  const breached = or(isNotNull(tickets.firstResponseBreachedAt), isNotNull(tickets.resolutionBreachedAt))!
  if (filter.breached === true) where.push(breached)
  if (filter.breached === false) where.push(and(isNull(tickets.firstResponseBreachedAt), isNull(tickets.resolutionBreachedAt))!)
  if (filter.createdFrom) where.push(gte(tickets.createdAt, new Date(filter.createdFrom)))
  if (filter.createdTo) where.push(lt(tickets.createdAt, new Date(filter.createdTo)))
  if (filter.search) where.push(ilike(tickets.subject, `%${literal(filter.search)}%`))
  return where
}

export const ticketsRepository = {
  async byId(ex: Executor, id: string, scope?: SQL): Promise<TicketRow | undefined> {
    const [row] = await ex.select().from(tickets).where(and(eq(tickets.id, id), live, scope))
    return row
  },

  async byIds(ex: Executor, ids: readonly string[], scope?: SQL): Promise<TicketRow[]> {
    if (ids.length === 0) return []
    return ex.select().from(tickets).where(and(inArray(tickets.id, [...ids]), live, scope))
  },

  async lock(ex: Executor, id: string, scope?: SQL): Promise<TicketRow | undefined> {
    const [row] = await ex.select().from(tickets).where(and(eq(tickets.id, id), live, scope)).for('update')
    return row
  },

  async lockByTokenHash(ex: Executor, hash: string): Promise<TicketRow | undefined> {
    const [row] = await ex.select().from(tickets).where(and(eq(tickets.trackingTokenHash, hash), live)).for('update')
    return row
  },

  async byTokenHash(ex: Executor, hash: string): Promise<TicketRow | undefined> {
    const [row] = await ex.select().from(tickets).where(and(eq(tickets.trackingTokenHash, hash), live))
    return row
  },

  page: (ex: Executor, where: SQL[], keyset: Keyset) => selectPage(ex, tickets, getTableColumns(tickets), where, keyset),

  count: (ex: Executor, where: SQL[]) => countWhere(ex, tickets, where),

  /** The newest `first` tickets of each customer, ranked in one statement. */
  async latestPerCustomer(ex: Executor, customerIds: readonly string[], first: number, scope?: SQL): Promise<TicketRow[]> {
    if (customerIds.length === 0 || first === 0) return []
    const ranked = ex.select({
      id: tickets.id,
      rank: sql<number>`row_number() over (partition by ${tickets.customerId} order by ${tickets.createdAt} desc, ${tickets.id} desc)`.as('rank')
    }).from(tickets).where(and(inArray(tickets.customerId, [...customerIds]), live, scope)).as('ranked')
    return ex.select(getTableColumns(tickets)).from(tickets)
      .innerJoin(ranked, eq(ranked.id, tickets.id))
      .where(lte(ranked.rank, first))
      .orderBy(asc(tickets.customerId), asc(ranked.rank))
  },

  async insert(ex: Executor, values: TicketInsert): Promise<TicketRow> {
    const [row] = await ex.insert(tickets).values(values).returning()
    return row
  },

  /** Bumps the version and the update time. */
  async update(ex: Executor, id: string, values: Partial<TicketInsert>): Promise<TicketRow> {
    const [row] = await ex.update(tickets)
      .set({ ...values, version: sql`${tickets.version} + 1`, updatedAt: new Date() })
      .where(eq(tickets.id, id))
      .returning()
    return row
  },

  async addStatusChange(ex: Executor, values: StatusChangeInsert): Promise<StatusChangeRow> {
    const [row] = await ex.insert(ticketStatusChanges).values(values).returning()
    return row
  },

  /** Status history of several tickets, oldest first. */
  historyOf(ex: Executor, ticketIds: readonly string[]): Promise<StatusChangeRow[]> {
    if (ticketIds.length === 0) return Promise.resolve([])
    return ex.select().from(ticketStatusChanges)
      .where(inArray(ticketStatusChanges.ticketId, [...ticketIds]))
      .orderBy(asc(ticketStatusChanges.ticketId), asc(ticketStatusChanges.at), asc(ticketStatusChanges.id))
  },

  async addComment(ex: Executor, values: CommentInsert): Promise<CommentRow> {
    const [row] = await ex.insert(ticketComments).values(values).returning()
    return row
  },

  commentPage: (ex: Executor, where: SQL[], keyset: Keyset) => selectPage(ex, ticketComments, getTableColumns(ticketComments), where, keyset),

  commentCount: (ex: Executor, where: SQL[]) => countWhere(ex, ticketComments, where),

  /** The public replies of a ticket, oldest first (the tracking page). */
  publicReplies(ex: Executor, ticketId: string): Promise<CommentRow[]> {
    return ex.select().from(ticketComments)
      .where(and(eq(ticketComments.ticketId, ticketId), eq(ticketComments.visibility, 'public'), isNull(ticketComments.deletedAt)))
      .orderBy(asc(ticketComments.createdAt), asc(ticketComments.id))
      .limit(500)
  }
}
