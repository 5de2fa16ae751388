import fc from 'fast-check'
import { Cmd, fresh, freshPhone, staffNames, who } from './model-command.js'
import { referralMoved } from './model-commands-referrals.js'
import { write, type Expect } from './model-invariants.js'
import { Model, type Actor } from './model-state.js'
import { E, Json, ModelFailure, type World } from './model-world.js'

/** Leads and opportunities: create, move status, convert, delete; create and move stages. */
const UE = 'userErrors { field message code }'
const mode = (rest: boolean, inline: boolean) => rest ? 'REST' : inline ? 'inline' : 'vars'

/** leads / opportunities write: all for admin, manager, integration; team for sales; none for the rest. */
function pipelineWrite(m: Model, a: Actor, ownerId: string | null, live: boolean): Expect {
  if (['marketing', 'service'].includes(a.role)) return 'FORBIDDEN'
  if (!live) return 'NOT_FOUND'
  if (a.role === 'sales' && !m.inTeam(a, ownerId)) return 'NOT_FOUND'
  return 'ok'
}

export class CreateLead extends Cmd {
  constructor(readonly by: string, readonly owner: number | null, readonly pool: boolean, readonly rest: boolean, readonly inline: boolean) { super() }
  check() { return true }
  toString() { return `createLead(by ${this.by}, ${this.pool ? 'pool' : `owner #${this.owner}`}, ${mode(this.rest, this.inline)})` }
  async exec(m: Model, w: World) {
    const { a, c } = who(m, w, this.by)
    const ownerId = this.pool ? null : this.owner === null ? undefined : m.owners[this.owner % m.owners.length]
    const given = ownerId === undefined ? a.userId : ownerId
    let expect: Expect = ['marketing', 'service'].includes(a.role) ? 'FORBIDDEN' : 'ok'
    if (a.role === 'sales' && ownerId !== undefined && !m.inTeam(a, ownerId)) expect = 'refused'
    const input = { source: 'website', name: fresh('线索 '), phone: freshPhone(), region: '上海', attributes: new Json({ score: 3 }), ...(ownerId !== undefined ? { ownerId } : {}) }
    await write(w, this.toString(), expect,
      () => this.rest ? w.rest(c, 'POST', '/api/v1/leads', input)
        : w.gql(c, 'mutation', 'createLead', { input: { type: 'CreateLeadInput!', value: input } }, `{ lead { id status } ${UE} }`, this.inline),
      async (d) => {
        const row = this.rest ? d : d.lead
        // No owner given by a caller with no user: the assignment rules chose one (docs/lead-routing.md).
        const routed = ownerId === undefined && !a.userId
        const owner = routed ? (await w.sql<{ owner_id: string | null }>('select owner_id::text from leads where id = $1', [row.id]))[0].owner_id : given
        m.leads.set(row.id, { id: row.id, ownerId: owner, status: row.status, customerId: null, referralId: null, deleted: false })
        // An owned lead logs its creation and its assignment (lead history), one audit entry each.
        return { audits: { [row.id]: owner ? 2 : 1 }, events: { [row.id]: ['lead.created'] } }
      })
  }
}

const leadMoves: Record<string, string[]> = {
  new: ['contacted', 'qualified', 'disqualified', 'dormant'], contacted: ['qualified', 'disqualified', 'dormant'],
  qualified: ['converted', 'disqualified', 'dormant'], disqualified: ['new']
}

export class MoveLead extends Cmd {
  constructor(readonly by: string, readonly pick: number, readonly to: 'contacted' | 'qualified' | 'disqualified', readonly rest: boolean, readonly inline: boolean) { super() }
  check(m: Readonly<Model>) { return m.leads.size > 0 }
  toString() { return `updateLeadStatus(by ${this.by}, lead #${this.pick} → ${this.to}, ${mode(this.rest, this.inline)})` }
  async exec(m: Model, w: World) {
    const { a, c } = who(m, w, this.by)
    const lead = Model.pick(m.leads, this.pick)!
    let expect = pipelineWrite(m, a, lead.ownerId, !lead.deleted)
    const same = lead.status === this.to
    // Moving to the current status changes nothing (like a stage move); other moves follow the table.
    if (expect === 'ok' && !same && !(leadMoves[lead.status] ?? []).includes(this.to)) expect = 'refused'
    const reason = this.to === 'disqualified' ? 'model' : undefined
    await write(w, this.toString(), expect,
      () => this.rest ? w.rest(c, 'POST', `/api/v1/leads/${lead.id}/status`, { status: this.to, ...(reason ? { reason } : {}) })
        : w.gql(c, 'mutation', 'updateLeadStatus', { id: { type: 'ID!', value: lead.id }, status: { type: 'LeadStatus!', value: E(this.to) }, reason: { type: 'String', value: reason } },
          `{ lead { id status } ${UE} }`, this.inline),
      async () => {
        if (same) return { audits: {} }
        lead.status = this.to
        const referral = lead.referralId ? m.referrals.get(lead.referralId) : undefined
        if (this.to === 'qualified' && referral?.status === 'submitted') await referralMoved(w, m, referral, 'qualified')
        return { audits: { [lead.id]: 'some' }, others: 'allowed' }
      })
  }
}

export class ConvertLead extends Cmd {
  constructor(readonly by: string, readonly pick: number, readonly withOpportunity: boolean, readonly rest: boolean, readonly inline: boolean) { super() }
  check(m: Readonly<Model>) { return m.leads.size > 0 }
  toString() { return `convertLead(by ${this.by}, lead #${this.pick}, opportunity ${this.withOpportunity}, ${mode(this.rest, this.inline)})` }
  async exec(m: Model, w: World) {
    const { a, c } = who(m, w, this.by)
    const lead = Model.pick(m.leads, this.pick)!
    let expect = pipelineWrite(m, a, lead.ownerId, !lead.deleted)
    if (expect === 'ok' && lead.status !== 'qualified') expect = 'refused'
    // Sales may create the customer only for themselves or a team mate: the lead's owner is one.
    const input = { createOpportunity: this.withOpportunity, customer: { phone: freshPhone() } }
    await write(w, this.toString(), expect,
      () => this.rest ? w.rest(c, 'POST', `/api/v1/leads/${lead.id}/convert`, input)
        : w.gql(c, 'mutation', 'convertLead', { id: { type: 'ID!', value: lead.id }, input: { type: 'ConvertLeadInput', value: input } },
          `{ lead { id status } customer { id version } opportunity { id stage } ${UE} }`, this.inline),
      async (d) => {
        const customer = this.rest ? (d.customer ?? { id: d.customerId }) : d.customer
        const opportunity = this.rest ? (d.opportunity ?? (d.opportunityId ? { id: d.opportunityId } : null)) : d.opportunity
        if (!customer?.id) throw new ModelFailure(`${this}: no customer in ${JSON.stringify(d)}`)
        lead.status = 'converted'
        lead.customerId = customer.id
        const referral = lead.referralId ? m.referrals.get(lead.referralId) : undefined
        if (!m.customers.has(customer.id)) {
          m.customers.set(customer.id, { id: customer.id, ownerId: lead.ownerId, deleted: false, merged: false, referrerId: referral?.referrerId ?? null, phone: input.customer.phone, version: 1 })
        }
        if (opportunity?.id) m.opportunities.set(opportunity.id, { id: opportunity.id, ownerId: lead.ownerId, customerId: customer.id, stage: 'initial_contact', deleted: false, amount: 0, history: ['initial_contact'] })
        if (this.withOpportunity !== !!opportunity?.id) throw new ModelFailure(`${this}: opportunity ${JSON.stringify(opportunity)}`)
        if (referral && !this.withOpportunity && ['submitted', 'qualified'].includes(referral.status)) await referralMoved(w, m, referral, 'converted')
        return { audits: { [lead.id]: 'some' }, events: { [lead.id]: ['lead.converted'], [customer.id]: ['customer.created'] }, others: 'allowed' }
      })
  }
}

export class DeleteLead extends Cmd {
  constructor(readonly by: string, readonly pick: number, readonly rest: boolean, readonly inline: boolean) { super() }
  check(m: Readonly<Model>) { return m.leads.size > 0 }
  toString() { return `deleteLead(by ${this.by}, lead #${this.pick}, ${mode(this.rest, this.inline)})` }
  async exec(m: Model, w: World) {
    const { a, c } = who(m, w, this.by)
    const lead = Model.pick(m.leads, this.pick)!
    let expect = pipelineWrite(m, a, lead.ownerId, !lead.deleted)
    if (expect === 'ok' && lead.referralId) expect = 'either'
    await write(w, this.toString(), expect,
      () => this.rest ? w.rest(c, 'DELETE', `/api/v1/leads/${lead.id}`)
        : w.gql(c, 'mutation', 'deleteLead', { id: { type: 'ID!', value: lead.id } }, `{ deletedId ${UE} }`, this.inline),
      () => { lead.deleted = true; return { audits: { [lead.id]: 1 } } })
  }
}

export class CreateOpportunity extends Cmd {
  constructor(readonly by: string, readonly customer: number, readonly rest: boolean, readonly inline: boolean) { super() }
  check(m: Readonly<Model>) { return m.customers.size > 0 }
  toString() { return `createOpportunity(by ${this.by}, customer #${this.customer}, ${mode(this.rest, this.inline)})` }
  async exec(m: Model, w: World) {
    const { a, c } = who(m, w, this.by)
    const cust = Model.pick(m.customers, this.customer)!
    let expect: Expect = ['marketing', 'service'].includes(a.role) ? 'FORBIDDEN' : 'ok'
    if (expect === 'ok' && (cust.deleted || cust.merged || !m.canRead(a, 'customers', cust.id))) expect = 'refused'
    const input = { customerId: cust.id, name: fresh('商机 '), amount: { amount: 100_00, currency: 'CNY' } }
    await write(w, this.toString(), expect,
      () => this.rest ? w.rest(c, 'POST', '/api/v1/opportunities', input)
        : w.gql(c, 'mutation', 'createOpportunity', { input: { type: 'CreateOpportunityInput!', value: input } }, `{ opportunity { id stage } ${UE} }`, this.inline),
      (d) => {
        const row = this.rest ? d : d.opportunity
        m.opportunities.set(row.id, { id: row.id, ownerId: a.userId, customerId: cust.id, stage: row.stage, deleted: false, amount: input.amount.amount, history: [row.stage] })
        return { audits: { [row.id]: 1 }, events: { [row.id]: ['opportunity.created'] } }
      })
  }
}

export class MoveStage extends Cmd {
  constructor(readonly by: string, readonly pick: number, readonly stage: string, readonly rest: boolean, readonly inline: boolean) { super() }
  check(m: Readonly<Model>) { return m.opportunities.size > 0 }
  toString() { return `moveOpportunityStage(by ${this.by}, opportunity #${this.pick} → ${this.stage}, ${mode(this.rest, this.inline)})` }
  async exec(m: Model, w: World) {
    const { a, c } = who(m, w, this.by)
    const opp = Model.pick(m.opportunities, this.pick)!
    let expect = pipelineWrite(m, a, opp.ownerId, !opp.deleted)
    const closed = opp.stage === 'won' || opp.stage === 'lost'
    if (expect === 'ok' && closed && opp.stage !== this.stage) expect = 'refused'
    const same = opp.stage === this.stage
    const lostReason = this.stage === 'lost' ? 'price' : undefined
    await write(w, this.toString(), expect,
      () => this.rest ? w.rest(c, 'POST', `/api/v1/opportunities/${opp.id}/stage`, { stage: this.stage, ...(lostReason ? { lostReason } : {}) })
        : w.gql(c, 'mutation', 'moveOpportunityStage', { id: { type: 'ID!', value: opp.id }, stage: { type: 'OpportunityStage!', value: E(this.stage) }, lostReason: { type: 'String', value: lostReason } },
          `{ opportunity { id stage } ${UE} }`, this.inline),
      async () => {
        opp.stage = this.stage
        if (same) return { audits: {} }
        opp.history.push(this.stage)
        // The opportunity convertLead opened: won converts its referral (docs/referrals.md).
        if (this.stage === 'won') {
          const referral = [...m.referrals.values()].find((r) => r.leadId && m.leads.get(r.leadId)?.customerId === opp.customerId && ['submitted', 'qualified'].includes(r.status))
          const [row] = await w.sql<{ status: string }>('select r.status from referrals r where r.opportunity_id = $1', [opp.id])
          if (referral && row) await referralMoved(w, m, referral, row.status)
        }
        return { audits: { [opp.id]: 'some' }, events: { [opp.id]: ['opportunity.stage_changed'] }, others: 'allowed' }
      })
  }
}

const staff = fc.constantFrom(...staffNames)
const io = [fc.boolean(), fc.boolean()] as const
export const leadCommands = [
  fc.tuple(staff, fc.option(fc.nat(20), { nil: null }), fc.boolean(), ...io).map(([b, o, p, r, i]) => new CreateLead(b, o, p && o === null, r, i)),
  fc.tuple(staff, fc.nat(30), fc.constantFrom('contacted', 'qualified', 'qualified', 'disqualified') as fc.Arbitrary<'contacted' | 'qualified' | 'disqualified'>, ...io).map(([b, p, s, r, i]) => new MoveLead(b, p, s, r, i)),
  fc.tuple(staff, fc.nat(30), fc.boolean(), ...io).map(([b, p, o, r, i]) => new ConvertLead(b, p, o, r, i)),
  fc.tuple(staff, fc.nat(30), ...io).map(([b, p, r, i]) => new DeleteLead(b, p, r, i)),
  fc.tuple(staff, fc.nat(30), ...io).map(([b, p, r, i]) => new CreateOpportunity(b, p, r, i)),
  fc.tuple(staff, fc.nat(30), fc.constantFrom('needs_assessment', 'proposal', 'negotiation', 'won', 'lost'), ...io).map(([b, p, s, r, i]) => new MoveStage(b, p, s, r, i))
]

export class AssignLead extends Cmd {
  constructor(readonly by: string, readonly pick: number, readonly owner: number, readonly rest: boolean, readonly inline: boolean) { super() }
  check(m: Readonly<Model>) { return m.leads.size > 0 }
  toString() { return `assignLead(by ${this.by}, lead #${this.pick} → user #${this.owner}, ${mode(this.rest, this.inline)})` }
  async exec(m: Model, w: World) {
    const { a, c } = who(m, w, this.by)
    const lead = Model.pick(m.leads, this.pick)!
    const ownerId = m.owners[this.owner % m.owners.length]
    let expect = pipelineWrite(m, a, lead.ownerId, !lead.deleted)
    if (expect === 'ok' && a.role === 'sales' && !m.inTeam(a, ownerId)) expect = 'refused'
    if (expect === 'ok' && ['converted'].includes(lead.status)) expect = 'either'
    const same = lead.ownerId === ownerId
    await write(w, this.toString(), expect,
      () => this.rest ? w.rest(c, 'POST', `/api/v1/leads/${lead.id}/assign`, { ownerId, reason: 'model' })
        : w.gql(c, 'mutation', 'assignLead', { id: { type: 'ID!', value: lead.id }, ownerId: { type: 'ID', value: ownerId }, reason: { type: 'String', value: 'model' } },
          `{ lead { id owner { id } } ${UE} }`, this.inline),
      () => {
        lead.ownerId = ownerId
        return same ? { audits: {} } : { audits: { [lead.id]: 1 }, events: { [lead.id]: ['lead.assigned'] } }
      })
  }
}

export class DeleteOpportunity extends Cmd {
  constructor(readonly by: string, readonly pick: number, readonly rest: boolean, readonly inline: boolean) { super() }
  check(m: Readonly<Model>) { return m.opportunities.size > 0 }
  toString() { return `deleteOpportunity(by ${this.by}, opportunity #${this.pick}, ${mode(this.rest, this.inline)})` }
  async exec(m: Model, w: World) {
    const { a, c } = who(m, w, this.by)
    const opp = Model.pick(m.opportunities, this.pick)!
    const expect = pipelineWrite(m, a, opp.ownerId, !opp.deleted)
    await write(w, this.toString(), expect,
      () => this.rest ? w.rest(c, 'DELETE', `/api/v1/opportunities/${opp.id}`)
        : w.gql(c, 'mutation', 'deleteOpportunity', { id: { type: 'ID!', value: opp.id } }, `{ deletedId ${UE} }`, this.inline),
      () => { opp.deleted = true; return { audits: { [opp.id]: 1 } } })
  }
}

export const moreLeadCommands = [
  fc.tuple(staff, fc.nat(30), fc.nat(10), ...io).map(([b, p, o, r, i]) => new AssignLead(b, p, o, r, i)),
  fc.tuple(staff, fc.nat(30), ...io).map(([b, p, r, i]) => new DeleteOpportunity(b, p, r, i))
]
