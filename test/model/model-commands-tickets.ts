import fc from 'fast-check'
import { Cmd, fresh, staffNames, who } from './model-command.js'
import { write, type Expect } from './model-invariants.js'
import { Model, type Actor } from './model-state.js'
import { E, ModelFailure, type World } from './model-world.js'

/** Tickets: opened, moved through their lifecycle, commented on, by every role over both transports. */
const UE = 'userErrors { field message code }'
const mode = (rest: boolean, inline: boolean) => rest ? 'REST' : inline ? 'inline' : 'vars'
const statuses = ['open', 'in_progress', 'waiting_customer', 'resolved', 'closed'] as const
type Status = (typeof statuses)[number]

/** src/rules/ticket-status.ts restated (the model's tickets are reopened inside the window: it is days long). */
const moves: Record<Status, Status[]> = {
  open: ['in_progress', 'waiting_customer', 'resolved'],
  in_progress: ['waiting_customer', 'resolved'],
  waiting_customer: ['in_progress', 'resolved'],
  resolved: ['closed', 'in_progress'],
  closed: ['in_progress']
}

/** tickets write: none for sales and marketing (FORBIDDEN); the model's team-less manager reaches no ticket. */
function ticketWrite(a: Actor): Expect | null {
  if (a.role === 'sales' || a.role === 'marketing') return 'FORBIDDEN'
  if (a.role === 'manager') return 'NOT_FOUND'
  return null
}

export class CreateTicket extends Cmd {
  constructor(readonly by: string, readonly pick: number, readonly assign: boolean, readonly rest: boolean, readonly inline: boolean) { super() }
  check(m: Readonly<Model>) { return m.customers.size > 0 }
  toString() { return `createTicket(by ${this.by}, customer #${this.pick}, ${this.assign ? 'assigned' : 'routed'}, ${mode(this.rest, this.inline)})` }
  async exec(m: Model, w: World) {
    const { a, c } = who(m, w, this.by)
    const target = Model.pick(m.customers, this.pick)!
    const agent = m.actors.find((x) => x.role === 'service')!.userId!
    let expect: Expect = 'ok'
    if (a.role === 'sales' || a.role === 'marketing') expect = 'FORBIDDEN'
    else if (a.role === 'manager' && this.assign) expect = 'FORBIDDEN'
    else if (!m.live('customers', target.id)) expect = 'refused'
    const input = {
      customerId: target.id, channel: this.rest ? 'wechat' : E('wechat'), category: 'repair', subject: fresh('报修 '),
      ...(this.assign ? { assigneeId: agent } : {})
    }
    await write(w, this.toString(), expect,
      () => this.rest ? w.rest(c, 'POST', '/api/v1/tickets', input)
        : w.gql(c, 'mutation', 'createTicket', { input: { type: 'CreateTicketInput!', value: input } }, `{ ticket { id status customerId } trackingToken ${UE} }`, this.inline),
      (d) => {
        const row = d.ticket
        if (row.customerId !== target.id || row.status !== 'open' || typeof d.trackingToken !== 'string') throw new ModelFailure(`${this}: answered ${JSON.stringify(d)}`)
        m.tickets.set(row.id, { id: row.id, customerId: target.id, assigneeId: this.assign ? agent : null, status: 'open' })
        return { audits: { [row.id]: 1 }, events: { [row.id]: ['ticket.created'] } }
      })
  }
}

export class ChangeTicketStatus extends Cmd {
  constructor(readonly by: string, readonly pick: number, readonly to: Status, readonly rest: boolean, readonly inline: boolean) { super() }
  check(m: Readonly<Model>) { return m.tickets.size > 0 }
  toString() { return `changeTicketStatus(by ${this.by}, ticket #${this.pick} → ${this.to}, ${mode(this.rest, this.inline)})` }
  async exec(m: Model, w: World) {
    const { a, c } = who(m, w, this.by)
    const ticket = Model.pick(m.tickets, this.pick)!
    const from = ticket.status as Status
    const expect: Expect = ticketWrite(a) ?? (moves[from].includes(this.to) ? 'ok' : 'refused')
    const input = { status: this.rest ? this.to : E(this.to) }
    await write(w, this.toString(), expect,
      () => this.rest ? w.rest(c, 'POST', `/api/v1/tickets/${ticket.id}/status`, input)
        : w.gql(c, 'mutation', 'changeTicketStatus', { id: { type: 'ID!', value: ticket.id }, input: { type: 'ChangeTicketStatusInput!', value: input } },
          `{ ticket { id status } ${UE} }`, this.inline),
      (d) => {
        const row = this.rest ? d : d.ticket
        if (row.status !== this.to) throw new ModelFailure(`${this}: the ticket is ${row.status}`)
        ticket.status = this.to
        return { audits: { [ticket.id]: 1 }, events: { [ticket.id]: this.to === 'resolved' ? ['ticket.status_changed', 'ticket.resolved'] : ['ticket.status_changed'] } }
      })
  }
}

export class AddTicketComment extends Cmd {
  constructor(readonly by: string, readonly pick: number, readonly visible: boolean, readonly rest: boolean, readonly inline: boolean) { super() }
  check(m: Readonly<Model>) { return m.tickets.size > 0 }
  toString() { return `addTicketComment(by ${this.by}, ticket #${this.pick}, ${this.visible ? 'public' : 'internal'}, ${mode(this.rest, this.inline)})` }
  async exec(m: Model, w: World) {
    const { a, c } = who(m, w, this.by)
    const ticket = Model.pick(m.tickets, this.pick)!
    const expect: Expect = ticketWrite(a) ?? (this.visible && ticket.status === 'closed' ? 'refused' : 'ok')
    const visibility = this.visible ? 'public' : 'internal'
    const input = { visibility: this.rest ? visibility : E(visibility), body: fresh('回复 ') }
    await write(w, this.toString(), expect,
      () => this.rest ? w.rest(c, 'POST', `/api/v1/tickets/${ticket.id}/comments`, input)
        : w.gql(c, 'mutation', 'addTicketComment', { ticketId: { type: 'ID!', value: ticket.id }, input: { type: 'AddTicketCommentInput!', value: input } },
          `{ comment { id activityId } ${UE} }`, this.inline),
      (d) => {
        const row = this.rest ? d : d.comment
        // The comment is an activity in the customer's timeline: the activity lists must show it.
        m.activities.set(row.activityId, { id: row.activityId, authorId: a.userId, customerId: ticket.customerId, leadId: null, opportunityId: null, referrerId: null })
        return { audits: { [ticket.id]: 1 }, events: this.visible ? { [ticket.id]: ['ticket.comment_added'] } : {} }
      })
  }
}

/** What the app holds for each ticket: its status, its customer, and one history entry per move. */
export async function checkTickets(w: World, m: Model): Promise<void> {
  if (m.tickets.size === 0) return
  const rows = await w.sql<{ id: string; status: string; customer_id: string; moves: number }>(
    'select t.id::text, t.status::text, t.customer_id::text, (select count(*)::int from ticket_status_changes h where h.ticket_id = t.id) as moves from tickets t')
  if (rows.length !== m.tickets.size) throw new ModelFailure(`tickets: the app has ${rows.length}, the model ${m.tickets.size}`)
  for (const row of rows) {
    const want = m.tickets.get(row.id)
    if (!want) throw new ModelFailure(`tickets: ${row.id} is not in the model`)
    if (row.status !== want.status || row.customer_id !== want.customerId) {
      throw new ModelFailure(`tickets: ${row.id} is ${row.status} for ${row.customer_id}, the model says ${want.status} for ${want.customerId}`)
    }
    if (row.moves < 1) throw new ModelFailure(`tickets: ${row.id} has no opening entry in its history`)
  }
}

const staff = fc.constantFrom(...staffNames)
const io = [fc.boolean(), fc.boolean()] as const

export const ticketCommands = [
  fc.tuple(staff, fc.nat(30), fc.boolean(), ...io).map(([b, p, x, r, i]) => new CreateTicket(b, p, x, r, i)),
  fc.tuple(staff, fc.nat(30), fc.constantFrom(...statuses), ...io).map(([b, p, s, r, i]) => new ChangeTicketStatus(b, p, s, r, i)),
  fc.tuple(staff, fc.nat(30), fc.boolean(), ...io).map(([b, p, v, r, i]) => new AddTicketComment(b, p, v, r, i))
]
