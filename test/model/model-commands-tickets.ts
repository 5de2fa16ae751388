import fc from 'fast-check'
import { Cmd, fresh, staffNames, who } from './model-command.js'
import { write, type Expect } from './model-invariants.js'
import { Model, type Actor } from './model-state.js'
import { E, ModelFailure, type World } from './model-world.js'

/** Tickets: opened, moved through their lifecycle, commented on, and surveyed after resolution, by every role over both transports. */
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
      async (d) => {
        const row = this.rest ? d : d.ticket
        if (row.status !== this.to) throw new ModelFailure(`${this}: the ticket is ${row.status}`)
        ticket.status = this.to
        const audits: Record<string, number> = { [ticket.id]: 1 }
        // A resolution invites the customer to every active ticket survey: once per ticket, and not again within the cooldown.
        if (this.to === 'resolved') {
          for (const survey of m.surveys.values()) {
            const pair = `${survey.id}:${ticket.id}`
            const customer = `${survey.id}:${ticket.customerId}`
            if (m.invitations.has(pair) || m.surveyed.has(customer)) continue
            const [invitation] = await w.sql<{ id: string }>('select id::text from survey_invitations where survey_id = $1 and ticket_id = $2', [survey.id, ticket.id])
            if (!invitation) throw new ModelFailure(`${this}: no invitation to survey ${survey.id}`)
            m.invitations.add(pair)
            m.surveyed.add(customer)
            audits[invitation.id] = 1
          }
        }
        return { audits, events: { [ticket.id]: this.to === 'resolved' ? ['ticket.status_changed', 'ticket.resolved'] : ['ticket.status_changed'] } }
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

export class CreateSurvey extends Cmd {
  constructor(readonly by: string, readonly nps: boolean, readonly rest: boolean, readonly inline: boolean) { super() }
  check() { return true }
  toString() { return `createSurvey(by ${this.by}, ${this.nps ? 'NPS' : 'CSAT'} after a resolution, ${mode(this.rest, this.inline)})` }
  async exec(m: Model, w: World) {
    const { a, c } = who(m, w, this.by)
    const expect: Expect = a.role === 'sales' ? 'FORBIDDEN' : 'ok'
    const kind = this.nps ? 'nps' : 'csat'
    const input = { name: fresh('满意度 '), kind: this.rest ? kind : E(kind), questionZh: '您对本次服务满意吗？', trigger: this.rest ? 'ticket_resolved' : E('ticket_resolved'), channel: 'sms' }
    await write(w, this.toString(), expect,
      () => this.rest ? w.rest(c, 'POST', '/api/v1/surveys', input)
        : w.gql(c, 'mutation', 'createSurvey', { input: { type: 'CreateSurveyInput!', value: input } }, `{ survey { id } ${UE} }`, this.inline),
      (d) => {
        const row = this.rest ? d : d.survey
        m.surveys.set(row.id, { id: row.id })
        return { audits: { [row.id]: 1 }, events: { [row.id]: ['survey.created'] } }
      })
  }
}

/** What the app holds for each ticket (status, customer, a history), and the survey invitations resolutions scheduled. */
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
  const invited = await w.sql<{ pair: string }>("select survey_id::text || ':' || ticket_id::text as pair from survey_invitations where ticket_id is not null")
  const got = new Set(invited.map((r) => r.pair))
  const missing = [...m.invitations].filter((p) => !got.has(p))
  const extra = [...got].filter((p) => !m.invitations.has(p))
  if (missing.length || extra.length || got.size !== invited.length) {
    throw new ModelFailure(`survey invitations: missing ${JSON.stringify(missing)}, unexpected ${JSON.stringify(extra)}, ${invited.length - got.size} twice`)
  }
}

/**
 * A start with the service area in motion: a customer with an open ticket and a survey that
 * follows resolutions, so short sequences reach the resolution → invitation path.
 */
export async function serviceScene(): Promise<Cmd[]> {
  const { CreateCustomer } = await import('./model-commands-customers.js')
  return [
    new CreateCustomer('salesA1', null, false, false),
    new CreateSurvey('service', true, false, true),
    new CreateTicket('integration', 0, true, true, false),
    new CreateTicket('service', 0, false, false, false)
  ]
}

const staff = fc.constantFrom(...staffNames)
const io = [fc.boolean(), fc.boolean()] as const

export const ticketCommands = [
  fc.tuple(staff, fc.nat(30), fc.boolean(), ...io).map(([b, p, x, r, i]) => new CreateTicket(b, p, x, r, i)),
  fc.tuple(staff, fc.nat(30), fc.constantFrom(...statuses), ...io).map(([b, p, s, r, i]) => new ChangeTicketStatus(b, p, s, r, i)),
  // Resolutions again, by the roles that work tickets: the path that invites to surveys and reopens.
  fc.tuple(fc.constantFrom('service', 'admin', 'integration'), fc.nat(30), ...io).map(([b, p, r, i]) => new ChangeTicketStatus(b, p, 'resolved', r, i)),
  fc.tuple(staff, fc.nat(30), fc.boolean(), ...io).map(([b, p, v, r, i]) => new AddTicketComment(b, p, v, r, i)),
  fc.tuple(staff, fc.boolean(), ...io).map(([b, n, r, i]) => new CreateSurvey(b, n, r, i))
]
