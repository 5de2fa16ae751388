import { privacyOf } from './model-privacy.js'
import fc from 'fast-check'
import { Cmd, fresh, freshPhone, staffNames, who } from './model-command.js'
import { write, type Expect } from './model-invariants.js'
import { Model } from './model-state.js'
import { E, Json, type World } from './model-world.js'
import { levelAfterMerge } from './model-levels.js'

/** Customers: create, update, delete, merge. */
const CUSTOMER = '{ customer { id version owner { id } } userErrors { field message code } }'

export class CreateCustomer extends Cmd {
  constructor(readonly by: string, readonly owner: number | null, readonly rest: boolean, readonly inline: boolean) { super() }
  check() { return true }
  toString() { return `createCustomer(by ${this.by}, owner #${this.owner}, ${this.rest ? 'REST' : this.inline ? 'inline' : 'vars'})` }
  async exec(m: Model, w: World) {
    const { a, c } = who(m, w, this.by)
    const ownerId = this.owner === null ? undefined : m.owners[this.owner % m.owners.length]
    const expectedOwner = ownerId ?? a.userId
    let expect: Expect = 'ok'
    if (a.role === 'marketing') expect = 'FORBIDDEN'
    else if (a.role === 'sales' && ownerId && !m.inTeam(a, ownerId)) expect = 'refused'
    const phone = freshPhone()
    const input = { name: fresh('客户 '), phone, region: '上海', tags: ['model'], attributes: new Json({ vip: true, level: '金卡' }), ...(ownerId ? { ownerId } : {}) }
    await write(w, this.toString(), expect,
      () => this.rest ? w.rest(c, 'POST', '/api/v1/customers', input)
        : w.gql(c, 'mutation', 'createCustomer', { input: { type: 'CreateCustomerInput!', value: input } }, CUSTOMER, this.inline),
      (d) => {
        const row = this.rest ? d : d.customer
        m.customers.set(row.id, { id: row.id, ownerId: expectedOwner, deleted: false, merged: false, referrerId: null, phone, version: row.version })
        return { audits: { [row.id]: 1 }, events: { [row.id]: ['customer.created'] } }
      })
  }
}

/** Can `a` write customer `id`? ok, or the refusal a client must see. */
function customerWrite(m: Model, a: { role: string }, id: string, actor: Parameters<Model['inTeam']>[0]): Expect {
  if (a.role === 'marketing') return 'FORBIDDEN'
  const c = m.customers.get(id)!
  if (c.deleted || c.merged) return 'NOT_FOUND'
  if (a.role === 'sales' && !m.inTeam(actor, c.ownerId)) return 'NOT_FOUND'
  return 'ok'
}

export class UpdateCustomer extends Cmd {
  constructor(readonly by: string, readonly pick: number, readonly newOwner: number | null, readonly rest: boolean, readonly inline: boolean) { super() }
  check(m: Readonly<Model>) { return m.customers.size > 0 }
  toString() { return `updateCustomer(by ${this.by}, customer #${this.pick}, owner→${this.newOwner ?? '-'}, ${this.rest ? 'REST' : this.inline ? 'inline' : 'vars'})` }
  async exec(m: Model, w: World) {
    const { a, c } = who(m, w, this.by)
    const cust = Model.pick(m.customers, this.pick)!
    let expect = customerWrite(m, a, cust.id, a)
    // Sales keep their own records; only other roles hand a customer to someone else here.
    const ownerId = this.newOwner !== null && a.role !== 'sales' ? m.owners[this.newOwner % m.owners.length] : undefined
    if (expect === 'ok' && a.role === 'sales' && this.newOwner !== null) expect = 'ok'
    const input = { region: fresh('区域'), tags: ['model', 'updated'], ...(ownerId ? { ownerId } : {}) }
    await write(w, this.toString(), expect,
      () => this.rest ? w.rest(c, 'PATCH', `/api/v1/customers/${cust.id}`, input)
        : w.gql(c, 'mutation', 'updateCustomer', { id: { type: 'ID!', value: cust.id }, input: { type: 'UpdateCustomerInput!', value: input } }, CUSTOMER, this.inline),
      (d) => {
        const row = this.rest ? d : d.customer
        cust.version = row.version
        if (ownerId) cust.ownerId = ownerId
        return { audits: { [cust.id]: 1 }, events: { [cust.id]: ['customer.updated'] } }
      })
  }
}

export class DeleteCustomer extends Cmd {
  constructor(readonly by: string, readonly pick: number, readonly rest: boolean, readonly inline: boolean) { super() }
  check(m: Readonly<Model>) { return m.customers.size > 0 }
  toString() { return `deleteCustomer(by ${this.by}, customer #${this.pick}, ${this.rest ? 'REST' : this.inline ? 'inline' : 'vars'})` }
  async exec(m: Model, w: World) {
    const { a, c } = who(m, w, this.by)
    const cust = Model.pick(m.customers, this.pick)!
    const expect = customerWrite(m, a, cust.id, a)
    await write(w, this.toString(), expect,
      () => this.rest ? w.rest(c, 'DELETE', `/api/v1/customers/${cust.id}`)
        : w.gql(c, 'mutation', 'deleteCustomer', { id: { type: 'ID!', value: cust.id } }, '{ deletedId userErrors { field message code } }', this.inline),
      () => { cust.deleted = true; return { audits: { [cust.id]: 1 } } })
  }
}

export class MergeCustomers extends Cmd {
  constructor(readonly by: string, readonly survivor: number, readonly merged: number, readonly rest: boolean, readonly inline: boolean) { super() }
  check(m: Readonly<Model>) { return [...m.customers.values()].filter((c) => !c.deleted && !c.merged).length >= 2 }
  toString() { return `mergeCustomers(by ${this.by}, survivor #${this.survivor}, merged #${this.merged}, ${this.rest ? 'REST' : this.inline ? 'inline' : 'vars'})` }
  async exec(m: Model, w: World) {
    const { a, c } = who(m, w, this.by)
    const live = (x: { deleted: boolean; merged: boolean }) => !x.deleted && !x.merged
    const s = Model.pick(m.customers, this.survivor, live)!
    const x = Model.pick(m.customers, this.merged, (y) => live(y) && y.id !== s.id)!
    const erased = privacyOf(m).erased
    // An erased customer takes no merge either way: a merge would refill it (docs/privacy.md, "No resurrection").
    const expect: Expect = !['admin', 'manager', 'integration', 'service'].includes(a.role) ? 'FORBIDDEN' : erased.has(s.id) || erased.has(x.id) ? 'refused' : 'ok'
    await write(w, this.toString(), expect,
      () => this.rest ? w.rest(c, 'POST', `/api/v1/customers/${s.id}/merge`, { mergedIds: [x.id] })
        : w.gql(c, 'mutation', 'mergeCustomers', { survivorId: { type: 'ID!', value: s.id }, mergedIds: { type: '[ID!]!', value: [x.id] } },
          '{ customer { id } mergedIds userErrors { field message code } }', this.inline),
      () => {
        x.merged = true
        x.mergedInto = s.id
        for (const y of m.customers.values()) if (y.mergedInto === x.id) y.mergedInto = s.id
        if (!s.ownerId) s.ownerId = x.ownerId
        // One points account for the survivor, holding both balances (docs/loyalty.md, "Merges").
        if (m.points.has(x.id)) { m.points.set(s.id, (m.points.get(s.id) ?? 0) + m.points.get(x.id)!); m.points.delete(x.id) }
        if (!s.referrerId) s.referrerId = x.referrerId
        for (const t of [m.activities, m.opportunities, m.leads, m.orders, m.tickets] as Map<string, { customerId: string | null }>[]) {
          for (const r of t.values()) if (r.customerId === x.id) r.customerId = s.id
        }
        levelAfterMerge(m, s.id, x.id)
        for (const coupon of m.coupons.values()) if (coupon.customerId === x.id) coupon.customerId = s.id
        // Survey invitations follow the customer: the survivor counts as invited wherever the duplicate was.
        for (const key of [...m.surveyed]) if (key.endsWith(`:${x.id}`)) m.surveyed.add(`${key.slice(0, -x.id.length)}${s.id}`)
        return { audits: { [s.id]: 'some' }, events: { [s.id]: ['customer.merged'] }, others: 'allowed' }
      })
  }
}

const by = fc.constantFrom(...staffNames)
const ownerPick = fc.option(fc.nat(20), { nil: null })
export const customerCommands = [
  fc.tuple(by, ownerPick, fc.boolean(), fc.boolean()).map(([b, o, r, i]) => new CreateCustomer(b, o, r, i)),
  fc.tuple(by, fc.nat(50), ownerPick, fc.boolean(), fc.boolean()).map(([b, p, o, r, i]) => new UpdateCustomer(b, p, o, r, i)),
  fc.tuple(by, fc.nat(50), fc.boolean(), fc.boolean()).map(([b, p, r, i]) => new DeleteCustomer(b, p, r, i)),
  fc.tuple(by, fc.nat(50), fc.nat(50), fc.boolean(), fc.boolean()).map(([b, s, x, r, i]) => new MergeCustomers(b, s, x, r, i))
]
