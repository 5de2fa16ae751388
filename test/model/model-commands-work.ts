import fc from 'fast-check'
import { Cmd, fresh, freshPhone, staffNames, who } from './model-command.js'
import { write, type Expect } from './model-invariants.js'
import { Model, type Actor } from './model-state.js'
import { E, ModelFailure, type World } from './model-world.js'
import { pointsBackOnRefund } from './model-commands-points.js'
import { levelAfterOrder } from './model-levels.js'

/** Activities on every subject kind, tasks, orders and refunds. */
const UE = 'userErrors { field message code }'
const mode = (rest: boolean, inline: boolean) => rest ? 'REST' : inline ? 'inline' : 'vars'
type Kind = 'customer' | 'lead' | 'opportunity' | 'referrer'

/** Whether `a` may name the subject: it exists, is live, and is within `a`'s read reach. */
function subjectVisible(m: Model, a: Actor, kind: Kind, id: string): boolean {
  const entity = ({ customer: 'customers', lead: 'leads', opportunity: 'opportunities', referrer: 'referrers' } as const)[kind]
  return m.live(entity, id) && m.canRead(a, entity, id)
}

export class LogActivity extends Cmd {
  constructor(readonly by: string, readonly kind: Kind, readonly pick: number, readonly rest: boolean, readonly inline: boolean) { super() }
  check(m: Readonly<Model>) {
    return ({ customer: m.customers, lead: m.leads, opportunity: m.opportunities, referrer: m.referrers } as Record<Kind, Map<string, unknown>>)[this.kind].size > 0
  }
  toString() { return `logActivity(by ${this.by}, on ${this.kind} #${this.pick}, ${mode(this.rest, this.inline)})` }
  async exec(m: Model, w: World) {
    const { a, c } = who(m, w, this.by)
    const map = ({ customer: m.customers, lead: m.leads, opportunity: m.opportunities, referrer: m.referrers } as Record<Kind, Map<string, { id: string }>>)[this.kind]
    const subject = Model.pick(map, this.pick)!
    let expect: Expect = a.role === 'marketing' ? 'FORBIDDEN' : 'ok'
    if (expect === 'ok' && !subjectVisible(m, a, this.kind, subject.id)) expect = 'refused'
    const input = { kind: this.rest ? 'call' : E('call'), subject: fresh('电话 '), body: 'model', [`${this.kind}Id`]: subject.id }
    await write(w, this.toString(), expect,
      () => this.rest ? w.rest(c, 'POST', '/api/v1/activities', input)
        : w.gql(c, 'mutation', 'logActivity', { input: { type: 'LogActivityInput!', value: input } }, `{ activity { id } ${UE} }`, this.inline),
      async (d) => {
        const row = this.rest ? d : d.activity
        const [stored] = await w.sql<{ customer_id: string | null }>('select customer_id::text from activities where id = $1', [row.id])
        const want = this.kind === 'customer' ? subject.id : this.kind === 'lead' ? m.leads.get(subject.id)!.customerId
          : this.kind === 'opportunity' ? m.opportunities.get(subject.id)!.customerId : stored.customer_id
        if (stored.customer_id !== want) throw new ModelFailure(`${this}: the activity's customer is ${stored.customer_id}, the model says ${want}`)
        m.activities.set(row.id, { id: row.id, authorId: a.userId, customerId: want, leadId: this.kind === 'lead' ? subject.id : null,
          opportunityId: this.kind === 'opportunity' ? subject.id : null, referrerId: this.kind === 'referrer' ? subject.id : null })
        return { audits: { [row.id]: 1 }, events: { [row.id]: ['activity.logged'] }, others: 'allowed' }
      })
  }
}

/** tasks write: own for marketing, team for sales, all for the rest. */
function taskWrite(m: Model, a: Actor, assigneeId: string | null): Expect {
  if (a.role === 'marketing') return assigneeId !== null && assigneeId === a.userId ? 'ok' : 'NOT_FOUND'
  if (a.role === 'sales') return m.inTeam(a, assigneeId) ? 'ok' : 'NOT_FOUND'
  return 'ok'
}

export class CreateTask extends Cmd {
  constructor(readonly by: string, readonly assignee: number | null, readonly rest: boolean, readonly inline: boolean) { super() }
  check() { return true }
  toString() { return `createTask(by ${this.by}, assignee #${this.assignee ?? 'self'}, ${mode(this.rest, this.inline)})` }
  async exec(m: Model, w: World) {
    const { a, c } = who(m, w, this.by)
    const assigneeId = this.assignee === null ? undefined : m.owners[this.assignee % m.owners.length]
    const assignee = assigneeId ?? a.userId
    let expect: Expect = 'ok'
    if (a.role === 'marketing' && assigneeId && assigneeId !== a.userId) expect = 'refused'
    if (a.role === 'sales' && assigneeId && !m.inTeam(a, assigneeId)) expect = 'refused'
    const input = { title: fresh('回访 '), priority: this.rest ? 'high' : E('high'), ...(assigneeId ? { assigneeId } : {}) }
    await write(w, this.toString(), expect,
      () => this.rest ? w.rest(c, 'POST', '/api/v1/tasks', input)
        : w.gql(c, 'mutation', 'createTask', { input: { type: 'CreateTaskInput!', value: input } }, `{ task { id status } ${UE} }`, this.inline),
      (d) => {
        const row = this.rest ? d : d.task
        m.tasks.set(row.id, { id: row.id, assigneeId: assignee, status: row.status })
        return { audits: { [row.id]: 1 }, events: { [row.id]: ['task.created'] } }
      })
  }
}

export class CompleteTask extends Cmd {
  constructor(readonly by: string, readonly pick: number, readonly rest: boolean, readonly inline: boolean) { super() }
  check(m: Readonly<Model>) { return m.tasks.size > 0 }
  toString() { return `completeTask(by ${this.by}, task #${this.pick}, ${mode(this.rest, this.inline)})` }
  async exec(m: Model, w: World) {
    const { a, c } = who(m, w, this.by)
    const task = Model.pick(m.tasks, this.pick)!
    let expect = taskWrite(m, a, task.assigneeId)
    if (expect === 'ok' && task.status !== 'open') expect = 'refused'
    await write(w, this.toString(), expect,
      () => this.rest ? w.rest(c, 'POST', `/api/v1/tasks/${task.id}/complete`, { note: 'done' })
        : w.gql(c, 'mutation', 'completeTask', { id: { type: 'ID!', value: task.id }, note: { type: 'String', value: 'done' } }, `{ task { id status } ${UE} }`, this.inline),
      () => { task.status = 'done'; return { audits: { [task.id]: 1 } } })
  }
}

export class RecordOrder extends Cmd {
  constructor(readonly by: string, readonly customer: number, readonly amount: number, readonly rest: boolean, readonly inline: boolean,
    readonly campaignPick: number | null = null) { super() }
  check(m: Readonly<Model>) { return m.customers.size > 0 }
  toString() { return `recordOrder(by ${this.by}, customer #${this.customer}, ${this.amount}${this.campaignPick === null ? '' : `, campaign #${this.campaignPick}`}, ${mode(this.rest, this.inline)})` }
  async exec(m: Model, w: World) {
    const { a, c } = who(m, w, this.by)
    const named = Model.pick(m.customers, this.customer)!
    // docs/orders.md: a merged customer's orders go to its survivor; a deleted customer takes none.
    const cust = named.mergedInto ? m.customers.get(named.mergedInto)! : named
    let expect: Expect = ['admin', 'manager', 'integration'].includes(a.role) ? 'ok' : 'FORBIDDEN'
    if (expect === 'ok' && (cust.deleted || cust.merged)) expect = 'refused'
    const campaign = this.campaignPick === null ? undefined : Model.pick(m.campaigns, this.campaignPick)
    const input = { customerId: named.id, externalId: fresh('ORD-'), amount: { amount: this.amount, currency: 'CNY' }, note: 'model', ...(campaign ? { campaignId: campaign.id } : {}) }
    await write(w, this.toString(), expect,
      () => this.rest ? w.rest(c, 'POST', '/api/v1/orders', input)
        : w.gql(c, 'mutation', 'recordOrder', { input: { type: 'RecordOrderInput!', value: input } }, `{ order { id status campaignId } created ${UE} }`, this.inline),
      (d) => {
        const row = this.rest ? d : d.order
        // Without a campaign the order takes its customer's referral's (docs/orders.md): the model takes the app's word for it.
        if (campaign && row.campaignId !== campaign.id) throw new ModelFailure(`${this}: recorded with campaign ${row.campaignId}, asked ${campaign.id}`)
        m.orders.set(row.id, { id: row.id, customerId: cust.id, amount: this.amount, refunded: 0, campaignId: row.campaignId ?? null })
        // An order that makes its customer qualify moves the level up in the same transaction.
        if (levelAfterOrder(m, cust.id)) return { audits: { [row.id]: 1, [cust.id]: 1 }, events: { [row.id]: ['order.recorded'], [cust.id]: ['customer.level_changed'] } }
        return { audits: { [row.id]: 1 }, events: { [row.id]: ['order.recorded'] } }
      })
  }
}

export class RefundOrder extends Cmd {
  constructor(readonly by: string, readonly pick: number, readonly part: number, readonly rest: boolean, readonly inline: boolean) { super() }
  check(m: Readonly<Model>) { return m.orders.size > 0 }
  toString() { return `refundOrder(by ${this.by}, order #${this.pick}, ${this.part}%, ${mode(this.rest, this.inline)})` }
  async exec(m: Model, w: World) {
    const { a, c } = who(m, w, this.by)
    const order = Model.pick(m.orders, this.pick)!
    const left = order.amount - order.refunded
    const amount = Math.max(1, Math.floor(order.amount * this.part / 100))
    let expect: Expect = ['admin', 'manager', 'integration'].includes(a.role) ? 'ok' : 'FORBIDDEN'
    if (expect === 'ok' && amount > left) expect = 'refused'
    const body = { amount: { amount, currency: 'CNY' }, reason: 'model' }
    await write(w, this.toString(), expect,
      () => this.rest ? w.rest(c, 'POST', `/api/v1/orders/${order.id}/refunds`, body)
        : w.gql(c, 'mutation', 'refundOrder', { input: { type: 'RefundOrderInput!', value: { orderId: order.id, ...body } } }, `{ order { id status } ${UE} }`, this.inline),
      () => {
        pointsBackOnRefund(m, order, order.refunded, order.refunded + amount)
        order.refunded += amount
        return { audits: { [order.id]: 'some' }, events: { [order.id]: ['order.refunded'] }, others: 'allowed' }
      })
  }
}

const staff = fc.constantFrom(...staffNames)
const io = [fc.boolean(), fc.boolean()] as const
export const workCommands = [
  fc.tuple(staff, fc.constantFrom<Kind>('customer', 'lead', 'opportunity', 'referrer'), fc.nat(30), ...io).map(([b, k, p, r, i]) => new LogActivity(b, k, p, r, i)),
  fc.tuple(staff, fc.option(fc.nat(20), { nil: null }), ...io).map(([b, x, r, i]) => new CreateTask(b, x, r, i)),
  fc.tuple(staff, fc.nat(30), ...io).map(([b, p, r, i]) => new CompleteTask(b, p, r, i)),
  fc.tuple(staff, fc.nat(30), fc.integer({ min: 1, max: 5_000_00 }), ...io, fc.option(fc.nat(10), { nil: null, freq: 2 }))
    .map(([b, p, x, r, i, k]) => new RecordOrder(b, p, x, r, i, k)),
  fc.tuple(staff, fc.nat(30), fc.integer({ min: 1, max: 120 }), ...io).map(([b, p, x, r, i]) => new RefundOrder(b, p, x, r, i))
]
