import fc from 'fast-check'
import { randomUUID } from 'node:crypto'
import { Cmd, fresh, freshPhone, staffNames, who } from './model-command.js'
import { write, type Expect } from './model-invariants.js'
import { checkReport, reportNames } from './model-invariants-analytics.js'
import { Model } from './model-state.js'
import { ModelFailure, type Caller, type Outcome, type World } from './model-world.js'
import { mergeFamily, privacyOf } from './model-privacy.js'

/**
 * Privacy (docs/privacy.md, Erasure and Access): erasePersonalData and personalDataExport by
 * every staff role, and the upsert of an erased person's externalId. An erasure keeps every
 * amount: the erased customer stays in lists and totals, leaves searches by phone, and no
 * row of theirs keeps a sealed value or blind index (checked after every command).
 */
const UE = 'userErrors { field message code }'
const mode = (rest: boolean, inline: boolean) => rest ? 'REST' : inline ? 'inline' : 'vars'
const fail = (msg: string): never => { throw new ModelFailure(msg) }

/** Order sums per customer (amount, refunded) as the app holds them equal the model's: an erasure changes no amount. */
async function checkOrderSums(w: World, m: Model, label: string): Promise<void> {
  const rows = await w.sql<{ c: string; a: string; r: string }>(
    'select customer_id::text as c, sum(amount)::text as a, sum(refunded_amount)::text as r from orders group by 1')
  const want = new Map<string, { a: number; r: number }>()
  for (const o of m.orders.values()) {
    const x = want.get(o.customerId) ?? { a: 0, r: 0 }
    x.a += o.amount; x.r += o.refunded
    want.set(o.customerId, x)
  }
  const real = new Map(rows.map((r) => [r.c, { a: Number(r.a), r: Number(r.r) }]))
  for (const k of new Set([...real.keys(), ...want.keys()])) {
    const x = real.get(k), y = want.get(k)
    if (x?.a !== y?.a || x?.r !== y?.r) fail(`${label}: orders of customer ${k}: app ${JSON.stringify(x)}, model ${JSON.stringify(y)}`)
  }
}

/** A search by the phone finds nobody (GraphQL and REST, as the admin). */
async function searchFindsNothing(w: World, phone: string, label: string): Promise<void> {
  const admin = w.caller('admin')
  const g = await w.gql(admin, 'query', 'customers', { filter: { type: 'CustomerFilter', value: { search: phone } } }, '{ totalCount edges { node { id } } }', true)
  if (g.kind !== 'ok' || g.data.totalCount !== 0) fail(`${label}: customers(search: ${phone}) after the erasure: ${JSON.stringify(g).slice(0, 300)}`)
  const r = await w.rest(admin, 'GET', `/api/v1/customers?search=${encodeURIComponent(phone)}`)
  if (r.kind !== 'ok' || r.data.data.length !== 0) fail(`${label}: GET /customers?search after the erasure: ${JSON.stringify(r).slice(0, 300)}`)
}

type SubjectKind = 'customerId' | 'phone' | 'email' | 'unknownPhone' | 'unknownId'

export class ErasePersonalData extends Cmd {
  constructor(readonly by: string, readonly pick: number, readonly subject: SubjectKind, readonly rest: boolean, readonly inline: boolean) { super() }
  check(m: Readonly<Model>) { return m.customers.size > 0 || this.subject.startsWith('unknown') }
  toString() { return `erasePersonalData(by ${this.by}, ${this.subject.startsWith('unknown') ? this.subject : `${this.subject} of customer #${this.pick}`}, ${mode(this.rest, this.inline)})` }
  async exec(m: Model, w: World) {
    const { a, c } = who(m, w, this.by)
    const p = privacyOf(m)
    const cust = this.subject.startsWith('unknown') ? undefined : Model.pick(m.customers, this.pick)
    let subject: Record<string, string>
    if (!cust || this.subject === 'unknownPhone' || this.subject === 'unknownId') {
      subject = this.subject === 'unknownId' ? { customerId: randomUUID() } : { phone: freshPhone() }
    } else if (this.subject === 'customerId') subject = { customerId: cust.id }
    else if (this.subject === 'phone') subject = { phone: cust.phone || freshPhone() }
    else subject = { email: await giveEmail(m, w, cust) }
    const expect: Expect = a.role !== 'admin' ? 'FORBIDDEN' : subject.customerId && !cust ? 'NOT_FOUND' : 'ok'
    const family = cust && (subject.customerId || subject.phone === cust.phone || subject.email) ? mergeFamily(m, cust.id) : new Set<string>()
    // The externalIds are cleared by the erasure: read them first, to probe their retirement after.
    const ext = new Map((await w.sql<{ id: string; e: string }>('select id::text, external_id as e from customers where external_id is not null')).map((r) => [r.id, r.e]))
    const input = { subject, reason: 'PIPL art. 47 request (model)' }
    const label = this.toString()
    await write(w, label, expect,
      () => this.rest ? w.rest(c, 'POST', '/api/v1/privacy/erasures', input)
        : w.gql(c, 'mutation', 'erasePersonalData', { input: { type: 'ErasePersonalDataInput!', value: input } },
          `{ erasure { id customerIds referrerIds referralIds leadIds recordsErased copiesErased } ${UE} }`, this.inline),
      async (d) => {
        const e = this.rest ? d : d.erasure
        const ids: string[] = e.customerIds
        for (const id of family) if (!ids.includes(id)) fail(`${label}: customer ${id} is the same person (merge) but was not erased: ${JSON.stringify(e)}`)
        if (!family.size && e.recordsErased !== 0) fail(`${label}: an unknown person, yet ${e.recordsErased} records erased`)
        for (const id of ids) {
          const x = m.customers.get(id) ?? fail(`${label}: erased customer ${id} unknown to the model`)
          if (x.phone) p.erasedPhones.push(x.phone)
          x.phone = ''
          p.erased.add(id)
          if (ext.has(id)) p.erasedExternalIds.push(ext.get(id)!)
        }
        if (process.env.MODEL_TRACE) console.error(`TRACE ${label}: erased ${JSON.stringify(e)}`)
        return { audits: { [e.id]: 1 }, ...(e.recordsErased > 0 ? { events: { [e.id]: ['privacy.erased'] } } : {}) }
      })
    if (expect === 'ok' && family.size) {
      // Kept exactly: every amount, the ledger (checked after each command) and every report the model computes.
      await checkOrderSums(w, m, label)
      for (const phone of p.erasedPhones.slice(-3)) await searchFindsNothing(w, phone, label)
      const admin = m.actors.find((x) => x.name === 'admin')!
      for (const [i, r] of reportNames.entries()) await checkReport(w, m, w.caller('admin'), admin, r, this.pick + i, i % 2 === 0, false)
    }
  }
}

/** Gives a live customer an email (the admin's update) to erase or export them by; others get an address nobody has. */
async function giveEmail(m: Model, w: World, cust: { id: string; deleted: boolean; merged: boolean; version: number }): Promise<string> {
  const email = `${fresh('model-')}@example.com`
  if (cust.deleted || cust.merged || privacyOf(m).erased.has(cust.id)) return email
  await write(w, `give customer ${cust.id} an email`, 'ok', () => w.rest(w.caller('admin'), 'PATCH', `/api/v1/customers/${cust.id}`, { email }),
    (d) => { cust.version = d.version; return { audits: { [cust.id]: 1 }, events: { [cust.id]: ['customer.updated'] } } })
  return email
}

export class ExportPersonalData extends Cmd {
  constructor(readonly by: string, readonly pick: number, readonly subject: 'customerId' | 'phone' | 'unknownPhone', readonly rest: boolean, readonly inline: boolean) { super() }
  check(m: Readonly<Model>) { return m.customers.size > 0 }
  toString() { return `personalDataExport(by ${this.by}, ${this.subject === 'unknownPhone' ? 'unknown phone' : `${this.subject} of customer #${this.pick}`}, ${mode(this.rest, this.inline)})` }
  async exec(m: Model, w: World) {
    const { a, c } = who(m, w, this.by)
    const cust = Model.pick(m.customers, this.pick)!
    const byPhone = this.subject !== 'customerId'
    const phone = this.subject === 'phone' && cust.phone ? cust.phone : freshPhone()
    const subject = byPhone ? { phone } : { customerId: cust.id }
    const known = !byPhone || phone === cust.phone
    const expect: Expect = ['admin', 'integration'].includes(a.role) ? 'ok' : 'FORBIDDEN'
    // The person: the merge family; their orders and the referrals that became them (by lead).
    const family = known ? mergeFamily(m, cust.id) : new Set<string>()
    const orders = [...m.orders.values()].filter((o) => family.has(o.customerId)).length
    const referrals = new Set([...m.referrals.values()].filter((r) => r.leadId && family.has(m.leads.get(r.leadId)?.customerId ?? '')).map((r) => r.id))
    const label = this.toString()
    await write(w, label, expect,
      (): Promise<Outcome> => this.rest ? w.rest(c, 'POST', '/api/v1/privacy/exports', subject)
        : w.gql(c, 'mutation', 'personalDataExport', { subject: { type: 'PersonalDataSubjectInput!', value: subject } },
          `{ export { exportId counts records } ${UE} }`, this.inline),
      (d) => {
        const x = this.rest ? d : d.export
        const n = x.counts
        if (n.customers !== family.size) fail(`${label}: ${n.customers} customers exported, the model knows ${family.size} (${[...family].join(', ')})`)
        if (n.orders !== orders) fail(`${label}: ${n.orders} orders exported, the model knows ${orders}`)
        const got: string[] = x.records.referralsAsReferredPerson.map((r: { id: string }) => r.id)
        for (const id of referrals) if (!got.includes(id)) fail(`${label}: referral ${id} became this customer but is not exported (${JSON.stringify(got)})`)
        if (process.env.MODEL_TRACE) console.error(`TRACE ${label}: counts c${n.customers} o${n.orders} r${got.length} (model c${family.size} o${orders} r${referrals.size})`)
        return { audits: { [x.exportId]: 1 } }
      })
  }
}

/** An upsert by an erased customer's externalId is refused (409 / userError ERASED), whoever may write customers. */
export class UpsertErased extends Cmd {
  constructor(readonly by: string, readonly pick: number, readonly rest: boolean, readonly inline: boolean) { super() }
  check() { return true }
  toString() { return `upsertCustomer(by ${this.by}, erased externalId #${this.pick}, ${mode(this.rest, this.inline)})` }
  async exec(m: Model, w: World) {
    const p = privacyOf(m)
    if (p.erasedExternalIds.length === 0) await eraseFresh(m, w)
    const { a, c } = who(m, w, this.by)
    const ext = p.erasedExternalIds[this.pick % p.erasedExternalIds.length]
    const input = { name: fresh('回来的客户 '), phone: freshPhone(), region: '上海' }
    const label = this.toString()
    const out = await write(w, label, a.role === 'marketing' ? 'FORBIDDEN' : 'refused',
      () => this.rest ? w.rest(c, 'PUT', `/api/v1/customers/by-external-id/${encodeURIComponent(ext)}`, input)
        : w.gql(c, 'mutation', 'upsertCustomer', { externalId: { type: 'String!', value: ext }, input: { type: 'CreateCustomerInput!', value: input } },
          `{ customer { id } created ${UE} }`, this.inline),
      () => ({ audits: {} }))
    if (process.env.MODEL_TRACE) console.error(`TRACE ${label}: ${out.kind === 'ok' ? 'ok' : out.detail}`)
    if (a.role !== 'marketing' && out.kind === 'refused') {
      const erased = this.rest ? out.status === 409 && out.detail.includes('ERASED') : out.code === 'ERASED'
      if (!erased) fail(`${label}: expected ERASED (409), got ${out.detail}`)
    }
  }
}

/** A customer with an externalId (the admin's upsert), erased at once: the probe's subject when the run erased none that had one. */
async function eraseFresh(m: Model, w: World): Promise<void> {
  const admin = w.caller('admin') as Caller
  const ext = fresh('ERASE-')
  const phone = freshPhone()
  let id = ''
  await write(w, `upsertCustomer(admin, ${ext})`, 'ok', () => w.rest(admin, 'PUT', `/api/v1/customers/by-external-id/${ext}`, { name: fresh('客户 '), phone }),
    (d) => {
      id = d.id
      m.customers.set(id, { id, ownerId: admin.userId, deleted: false, merged: false, referrerId: null, phone, version: d.version })
      return { audits: { [id]: 1 }, events: { [id]: ['customer.created'] } }
    })
  await new ErasePersonalData('admin', [...m.customers.keys()].indexOf(id), 'customerId', true, false).exec(m, w)
}

const staff = fc.constantFrom(...staffNames)
const io = [fc.boolean(), fc.boolean()] as const
export const privacyCommands = [
  fc.tuple(fc.constantFrom<string>('admin', 'admin', 'admin', ...staffNames), fc.nat(50),
    fc.constantFrom<SubjectKind>('customerId', 'customerId', 'phone', 'phone', 'email', 'unknownPhone', 'unknownId'), ...io)
    .map(([b, p, s, r, i]) => new ErasePersonalData(b, p, s, r, i)),
  fc.tuple(staff, fc.nat(50), fc.constantFrom('customerId' as const, 'phone' as const, 'unknownPhone' as const), ...io).map(([b, p, s, r, i]) => new ExportPersonalData(b, p, s, r, i)),
  fc.tuple(staff, fc.nat(10), ...io).map(([b, p, r, i]) => new UpsertErased(b, p, r, i))
]
