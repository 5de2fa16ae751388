import { inArray, or, sql, type SQL } from 'drizzle-orm'
import { runAction } from '../../db/action.js'
import type { Tx } from '../../db/client.js'
import { Keyset, type PageRequest } from '../../db/paging.js'
import { customers } from '../../db/schema/customers.js'
import { ticketComments, tickets } from '../../db/schema/tickets.js'
import { CrmError, invalid, notFound, staleVersion } from '../../errors.js'
import { actionContext, type Actor } from '../auth/actor.js'
import { authorize, type Reach } from '../auth/permissions.js'
import { reachFilter } from '../auth/reach.js'
import { changedFields } from '../common/changes.js'
import { newToken } from '../common/tokens.js'
import { asTaken } from '../common/unique.js'
import { isUuid, parse } from '../common/validate.js'
import type { ServiceDeps } from '../service-deps.js'
import { loadWorkingCalendar, slaTargetsFor } from './sla/calendar.repository.js'
import { addComment } from './tickets.comments.js'
import { clockColumns, clocksOf } from './tickets.clocks.js'
import { assertActiveCategory, routeTicket } from './routing/ticket-routing.router.js'
import { assertCustomerRecords, assertTeam, assertTicketWorker, customerFor } from './tickets.references.js'
import { ticketConditions, ticketsRepository as repo, type CommentRow, type TicketInsert, type TicketRow } from './tickets.repository.js'
import {
  CommentListQuery, TicketCommentCreate, TicketCreate, TicketFilter, TicketStatusChange, TicketUpdate, type TicketOrderField
} from './tickets.schemas.js'
import { moveTicket } from './tickets.transitions.js'
import { auditedFields, auditView, commentView, statusChangeView, ticketView, type Ticket } from './tickets.views.js'

export type TicketOrder = { field: TicketOrderField; direction: 'ASC' | 'DESC' }
const orderColumns = { createdAt: tickets.createdAt, updatedAt: tickets.updatedAt }

/** 服务工单: service requests, their lifecycle, SLA clocks, comments (docs/service.md). */
export class TicketsService {
  constructor(private readonly deps: ServiceDeps) {}

  /**
   * Which tickets the actor reaches (docs/service.md, "Reach"). A sales rep reads the tickets of
   * customers they may see; a manager's team reach is the tickets assigned or queued to the team.
   */
  scope(actor: Actor, op: 'read' | 'write' = 'read'): SQL | undefined {
    const reach = authorize(actor, 'tickets', op)
    if (reach === 'all') return undefined
    if (actor.role === 'sales') {
      const visible = reachFilter(actor, authorize(actor, 'customers', 'read'), { owner: customers.ownerId })
      return inArray(tickets.customerId, this.deps.db.select({ id: customers.id }).from(customers).where(visible))
    }
    const assigned = reachFilter(actor, reach, { owner: tickets.assigneeId })
    return reach === 'team' && actor.teamId ? or(assigned, sql`${tickets.queueTeamId} = ${actor.teamId}`) : assigned
  }

  async get(actor: Actor, id: string): Promise<Ticket> {
    const row = isUuid(id) ? await repo.byId(this.deps.db, id, this.scope(actor)) : undefined
    if (!row) throw notFound('Ticket', id)
    return ticketView(row)
  }

  async findMany(actor: Actor, ids: readonly string[]): Promise<(Ticket | null)[]> {
    const rows = await repo.byIds(this.deps.db, ids.filter(isUuid), this.scope(actor))
    const byId = new Map(rows.map((r) => [r.id, ticketView(r)]))
    return ids.map((id) => byId.get(id) ?? null)
  }

  /** A keyset page of the tickets the actor may see. */
  async list(actor: Actor, filter: unknown, order: TicketOrder, page: PageRequest) {
    const scope = this.scope(actor)
    const where = ticketConditions(parse(TicketFilter, filter ?? {}))
    if (scope) where.push(scope)
    const keyset = new Keyset(order.field, orderColumns[order.field], tickets.id, order.direction, page)
    const result = keyset.page(await repo.page(this.deps.db, where, keyset))
    return { ...result, rows: result.rows.map((r) => ticketView(r as TicketRow)), count: () => repo.count(this.deps.db, where) }
  }

  /** Customer.tickets for a page of customers: newest first, in one statement. */
  async forCustomers(actor: Actor, requests: readonly { customerId: string; first: number }[]): Promise<Ticket[][]> {
    for (const { first } of requests) {
      if (!Number.isInteger(first) || first < 0 || first > 200) throw invalid('first', 'must be an integer from 0 to 200', 'OUT_OF_RANGE')
    }
    const ids = [...new Set(requests.map((r) => r.customerId).filter(isUuid))]
    const most = Math.max(0, ...requests.map((r) => r.first))
    const byCustomer = new Map<string, Ticket[]>()
    for (const row of await repo.latestPerCustomer(this.deps.db, ids, most, this.scope(actor))) {
      const list = byCustomer.get(row.customerId) ?? []
      list.push(ticketView(row))
      byCustomer.set(row.customerId, list)
    }
    return requests.map((r) => (byCustomer.get(r.customerId) ?? []).slice(0, r.first))
  }

  /** Ticket.statusHistory for several tickets (already in reach), oldest first. */
  async history(ticketIds: readonly string[]) {
    const byTicket = new Map<string, ReturnType<typeof statusChangeView>[]>()
    for (const row of await repo.historyOf(this.deps.db, ticketIds.filter(isUuid))) {
      const list = byTicket.get(row.ticketId) ?? []
      list.push(statusChangeView(row))
      byTicket.set(row.ticketId, list)
    }
    return ticketIds.map((id) => byTicket.get(id) ?? [])
  }

  /** The status history of one ticket the actor may see. */
  async historyOf(actor: Actor, id: string) {
    const ticket = await this.get(actor, id)
    const [list] = await this.history([ticket.id])
    return list
  }

  /** A page of one ticket's comments, oldest first; internal notes are staff-only (every ticket reader is staff). */
  async comments(actor: Actor, ticketId: string, query: unknown, page: PageRequest) {
    const ticket = await this.get(actor, ticketId)
    const { visibility } = parse(CommentListQuery, query ?? {})
    const where: SQL[] = [sql`${ticketComments.ticketId} = ${ticket.id}`, sql`${ticketComments.deletedAt} is null`]
    if (visibility) where.push(sql`${ticketComments.visibility} = ${visibility}`)
    const keyset = new Keyset('createdAt', ticketComments.createdAt, ticketComments.id, 'ASC', page)
    const result = keyset.page(await repo.commentPage(this.deps.db, where, keyset))
    return { ...result, rows: result.rows.map((r) => commentView(r as CommentRow)), count: () => repo.commentCount(this.deps.db, where) }
  }

  /**
   * Opens a ticket: checks its customer and records, routes it (unless assigned), copies the SLA
   * targets of its priority and the customer's tier, starts the clocks, and issues the customer's
   * tracking token (returned once; only its hash is kept).
   */
  async create(actor: Actor, input: unknown): Promise<{ ticket: Ticket; trackingToken: string }> {
    const reach = authorize(actor, 'tickets', 'write')
    const data = parse(TicketCreate, input)
    return runAction(this.deps.db, actionContext(actor), async (action) => {
      const { tx, audit, emit } = action
      const customer = await customerFor(tx, data.customerId, this.customerScope(actor))
      await assertCustomerRecords(tx, customer.id, data)
      await assertActiveCategory(tx, data.category)
      const priority = data.priority ?? 'normal'
      const target = data.assigneeId || data.queueTeamId
        ? await this.target(tx, actor, reach, data.assigneeId ?? null, data.queueTeamId ?? null)
        : await this.route(tx, { category: data.category, priority, channel: data.channel, customerTier: customer.tier })
      const targets = await slaTargetsFor(tx, priority, customer.tier)
      const now = new Date()
      const { token, hash } = newToken()
      // The clocks of a new ticket follow from its opening alone: computed here, written with the row.
      const cal = await loadWorkingCalendar(tx, this.deps.config.REPORTING_TIMEZONE)
      const clocks = clocksOf(cal, { ...targets, firstRespondedAt: null }, [{ at: now, to: 'open' }], now)
      let row: TicketRow
      try {
        row = await repo.insert(tx, {
          customerId: customer.id, orderId: data.orderId ?? null, opportunityId: data.opportunityId ?? null, channel: data.channel,
          category: data.category, priority, subject: data.subject, description: data.description ?? null, status: 'open',
          ...target, customerTier: customer.tier, firstResponseMinutes: targets.firstResponseMinutes, resolutionMinutes: targets.resolutionMinutes,
          ...clocks, trackingTokenHash: hash, createdById: actor.userId, externalId: data.externalId ?? null, createdAt: now, updatedAt: now
        })
      } catch (err) { throw asTaken(err, 'ticket') }
      const by = actionContext(actor)
      await repo.addStatusChange(tx, { ticketId: row.id, fromStatus: null, toStatus: 'open', actorType: by.actorType, actorId: by.actorId, at: now })
      audit({ action: 'ticket.created', entityType: 'ticket', entityId: row.id, changes: auditView(row) })
      emit({ type: 'ticket.created', entityType: 'ticket', entityId: row.id, data: { ticket: auditView(row) } })
      return { ticket: ticketView(row), trackingToken: token }
    })
  }

  /** Changes a ticket's fields; a new priority takes its SLA targets (the clocks keep the time already worked). */
  async update(actor: Actor, id: string, input: unknown): Promise<Ticket> {
    const reach = authorize(actor, 'tickets', 'write')
    const { expectedVersion, ...data } = parse(TicketUpdate, input)
    return runAction(this.deps.db, actionContext(actor), async ({ tx, audit, emit }) => {
      const before = await this.lock(tx, actor, id, expectedVersion)
      if (data.category !== undefined && data.category !== before.category) await assertActiveCategory(tx, data.category)
      await assertCustomerRecords(tx, before.customerId, { orderId: data.orderId, opportunityId: data.opportunityId })
      const values: Partial<TicketInsert> = { ...data }
      const assigneeId = data.assigneeId === undefined ? before.assigneeId : data.assigneeId
      const queueTeamId = data.queueTeamId === undefined ? before.queueTeamId : data.queueTeamId
      if (assigneeId !== before.assigneeId || queueTeamId !== before.queueTeamId) {
        Object.assign(values, await this.target(tx, actor, reach, assigneeId, queueTeamId, before))
      }
      const now = new Date()
      if (data.priority && data.priority !== before.priority) {
        const targets = await slaTargetsFor(tx, data.priority, before.customerTier)
        Object.assign(values, targets)
        const cal = await loadWorkingCalendar(tx, this.deps.config.REPORTING_TIMEZONE)
        Object.assign(values, await clockColumns(tx, cal, { ...before, ...targets }, now))
      }
      const after = await repo.update(tx, before.id, values)
      const changes = changedFields(auditView(before), auditView(after), [...auditedFields])
      audit({ action: 'ticket.updated', entityType: 'ticket', entityId: after.id, changes })
      emit({ type: 'ticket.updated', entityType: 'ticket', entityId: after.id, data: { id: after.id, customerId: after.customerId, version: after.version, changes } })
      return ticketView(after)
    })
  }

  /** Moves a ticket through its lifecycle (docs/service.md, "Lifecycle"); two agents resolving at once: one wins, the other gets INVALID_TRANSITION. */
  async changeStatus(actor: Actor, id: string, input: unknown): Promise<Ticket> {
    authorize(actor, 'tickets', 'write')
    const { status, note, expectedVersion } = parse(TicketStatusChange, input)
    return runAction(this.deps.db, actionContext(actor), async (action) => {
      const before = await this.lock(action.tx, actor, id, expectedVersion)
      const cal = await loadWorkingCalendar(action.tx, this.deps.config.REPORTING_TIMEZONE)
      const after = await moveTicket(action, cal, before, {
        to: status, note: note ?? null, by: actionContext(actor), now: new Date(), reopenDays: this.deps.config.TICKET_REOPEN_DAYS
      })
      return ticketView(after)
    })
  }

  /** An internal note or a public reply by staff; the first public reply stops the first-response clock. */
  async addComment(actor: Actor, ticketId: string, input: unknown) {
    authorize(actor, 'tickets', 'write')
    const data = parse(TicketCommentCreate, input)
    return runAction(this.deps.db, actionContext(actor), async (action) => {
      const before = await this.lock(action.tx, actor, ticketId)
      const cal = () => loadWorkingCalendar(action.tx, this.deps.config.REPORTING_TIMEZONE)
      const { comment, ticket } = await addComment(action, cal, before, {
        visibility: data.visibility, body: data.body, externalId: data.externalId ?? null, authorKind: 'staff', authorId: actor.userId, now: new Date()
      })
      return { comment: commentView(comment), ticket: ticketView(ticket) }
    })
  }

  /** A new tracking token for the customer (the old link stops working): for imported tickets, or a leaked link. */
  async issueTrackingToken(actor: Actor, id: string): Promise<{ ticket: Ticket; trackingToken: string }> {
    authorize(actor, 'tickets', 'write')
    return runAction(this.deps.db, actionContext(actor), async ({ tx, audit }) => {
      const before = await this.lock(tx, actor, id)
      const { token, hash } = newToken()
      const after = await repo.update(tx, before.id, { trackingTokenHash: hash })
      audit({ action: 'ticket.tracking_token_issued', entityType: 'ticket', entityId: after.id })
      return { ticket: ticketView(after), trackingToken: token }
    })
  }

  /** Locks a ticket in the actor's write reach, or NOT_FOUND; with expectedVersion, refuses a stale write. */
  private async lock(tx: Tx, actor: Actor, id: string, expectedVersion?: number): Promise<TicketRow> {
    const row = isUuid(id) ? await repo.lock(tx, id, this.scope(actor, 'write')) : undefined
    if (!row) throw notFound('Ticket', id)
    if (expectedVersion !== undefined && row.version !== expectedVersion) throw staleVersion('Ticket', expectedVersion, row.version)
    return row
  }

  /**
   * Who works the ticket: the named assignee (a service user) and/or queue (a team). A team-scoped
   * caller keeps the ticket inside its team. Cleared both: the ticket waits unassigned.
   */
  private async target(tx: Tx, actor: Actor, reach: Reach, assigneeId: string | null, queueTeamId: string | null, before?: TicketRow) {
    let assigneeTeam: string | null = null
    if (assigneeId && assigneeId !== before?.assigneeId) assigneeTeam = (await assertTicketWorker(tx, assigneeId)).teamId
    if (queueTeamId && queueTeamId !== before?.queueTeamId) await assertTeam(tx, queueTeamId)
    if (reach === 'team' && assigneeId && assigneeId !== before?.assigneeId && (actor.teamId === null || assigneeTeam !== actor.teamId)) {
      throw new CrmError('CRM_ERR_FORBIDDEN', 'You may only assign tickets within your team')
    }
    if (reach === 'team' && queueTeamId && queueTeamId !== before?.queueTeamId && (actor.teamId === null || queueTeamId !== actor.teamId)) {
      throw new CrmError('CRM_ERR_FORBIDDEN', 'You may only queue tickets for your team')
    }
    return { assigneeId, queueTeamId, routedVia: assigneeId || queueTeamId ? 'manual' : 'unassigned' }
  }

  /** A new ticket named neither an assignee nor a queue: the routing rules decide (docs/service.md, "Routing"). */
  private async route(tx: Tx, facts: Parameters<typeof routeTicket>[1]) {
    const r = await routeTicket(tx, facts)
    return { assigneeId: r.assigneeId, queueTeamId: r.queueTeamId, routedVia: r.via }
  }

  /** Which customers a ticket may be opened for: those the actor may see. */
  private customerScope(actor: Actor): SQL | undefined {
    return reachFilter(actor, authorize(actor, 'customers', 'read'), { owner: customers.ownerId })
  }
}
