import fc from 'fast-check'
import { Cmd, fresh, freshPhone, staffNames, who } from './model-command.js'
import { write, type Expect } from './model-invariants.js'
import { Model, type MReferral } from './model-state.js'
import { E, ModelFailure, type World } from './model-world.js'

/** Referrers and referrals: create referrers, submit, consent, qualify, reject; the rewards they earn. */
const UE = 'userErrors { field message code }'
const mode = (rest: boolean, inline: boolean) => rest ? 'REST' : inline ? 'inline' : 'vars'

export class CreateReferrer extends Cmd {
  constructor(readonly by: string, readonly rest: boolean, readonly inline: boolean) { super() }
  check() { return true }
  toString() { return `createReferrer(by ${this.by}, ${mode(this.rest, this.inline)})` }
  async exec(m: Model, w: World) {
    const { a, c } = who(m, w, this.by)
    const expect: Expect = a.role === 'service' ? 'FORBIDDEN' : 'ok'
    const phone = freshPhone()
    const input = { kind: this.rest ? 'partner' : E('partner'), name: fresh('推荐人 '), phone, tags: ['model'] }
    await write(w, this.toString(), expect,
      () => this.rest ? w.rest(c, 'POST', '/api/v1/referrers', input)
        : w.gql(c, 'mutation', 'createReferrer', { input: { type: 'CreateReferrerInput!', value: input } }, `{ referrer { id code } ${UE} }`, this.inline),
      (d) => {
        const row = this.rest ? d : d.referrer
        m.referrers.set(row.id, { id: row.id, ownerId: a.userId, deleted: false, code: row.code, phone })
        return { audits: { [row.id]: 1 }, events: { [row.id]: ['referrer.created'] } }
      })
  }
}

/** Rewards the model expects when a referral reaches `trigger`: one per active rule of it, pending. Their ids come from the ledger. */
export async function expectRewards(w: World, m: Model, referral: MReferral, trigger: 'referral_qualified' | 'referral_converted'): Promise<void> {
  const rows = await w.sql<{ id: string; rule_id: string }>('select id::text, rule_id::text from rewards where referral_id = $1 and event_key = $2',
    [referral.id, `${trigger}:${referral.id}`])
  for (const rule of m.rules.values()) {
    if (rule.trigger !== trigger) continue
    const row = rows.find((r) => r.rule_id === rule.id)
    if (!row) throw new ModelFailure(`referral ${referral.id} reached ${trigger}, but rule ${rule.id} paid nothing`)
    m.rewards.set(row.id, { id: row.id, referrerId: referral.referrerId, referralId: referral.id, ruleId: rule.id, amount: rule.amount, status: 'pending' })
  }
}

/** The model's side of a referral status move (rewards as docs/referrals.md and incentives.md say). */
export async function referralMoved(w: World, m: Model, r: MReferral, to: string): Promise<void> {
  const from = r.status
  r.status = to
  if (to === 'qualified') await expectRewards(w, m, r, 'referral_qualified')
  if (to === 'converted') {
    if (from !== 'qualified') await expectRewards(w, m, r, 'referral_qualified')
    await expectRewards(w, m, r, 'referral_converted')
  }
}

export class SubmitReferral extends Cmd {
  constructor(readonly by: string, readonly referrer: number, readonly duplicateOf: number | null, readonly rest: boolean, readonly inline: boolean,
    readonly campaignPick: number | null = null) { super() }
  check(m: Readonly<Model>) { return [...m.referrers.values()].some((r) => !r.deleted) }
  toString() {
    return `submitReferral(by ${this.by}, referrer #${this.referrer}, ${this.duplicateOf === null ? 'new person' : `same person as referral #${this.duplicateOf}`}, `
      + `${this.campaignPick === null ? '' : `campaign #${this.campaignPick}, `}${mode(this.rest, this.inline)})`
  }
  async exec(m: Model, w: World) {
    const ref = Model.pick(m.referrers, this.referrer, (r) => !r.deleted)!
    // A campaign (deleted ones too: the submission is refused, UNKNOWN_CAMPAIGN); none while there is none.
    const campaign = this.campaignPick === null ? undefined : Model.pick(m.campaigns, this.campaignPick)
    const name = this.by === 'referrer' ? await referrerCaller(m, w, ref.id) : this.by
    const { a, c } = who(m, w, name)
    let expect: Expect = 'ok'
    if (a.role === 'marketing') expect = 'FORBIDDEN'
    if (a.role === 'sales') expect = 'either'
    if (expect !== 'FORBIDDEN' && campaign?.deleted) expect = 'refused'
    const same = this.duplicateOf !== null ? Model.pick(m.referrals, this.duplicateOf) : undefined
    const phone = same?.phone ?? freshPhone()
    const input = { ...(a.role === 'referrer' ? {} : { referrerId: ref.id }), name: fresh('被推荐人 '), phone, note: 'model', ...(campaign ? { campaignId: campaign.id } : {}) }
    await write(w, this.toString(), expect,
      () => this.rest ? w.rest(c, 'POST', '/api/v1/referrals', input)
        : w.gql(c, 'mutation', 'submitReferral', { input: { type: 'SubmitReferralInput!', value: input } }, `{ referral { id status leadId } consentToken ${UE} }`, this.inline),
      (d) => {
        const row = this.rest ? d : d.referral
        if (!same && row.status !== 'pending_consent') throw new ModelFailure(`${this}: a new person should wait for consent, got ${row.status}`)
        const token = (this.rest ? d.consentToken : d.consentToken) ?? null
        if (a.role === 'referrer' && token) throw new ModelFailure(`${this}: a referrer token was shown the consent token`)
        m.referrals.set(row.id, { id: row.id, referrerId: ref.id, status: row.status, leadId: row.leadId ?? null, consentToken: token, phone, campaignId: campaign?.id ?? null,
          accepted: ['pending_consent', 'submitted'].includes(row.status), submitted: row.status === 'submitted' })
        return { audits: { [row.id]: 'some' }, others: 'allowed' }
      })
  }
}

/** A token for one referrer (issued by the admin), registered as caller `referrer:<id>`. */
export async function referrerCaller(m: Model, w: World, referrerId: string): Promise<string> {
  const name = `referrer:${referrerId}` as const
  if (!w.callers.has(name)) {
    const res = await w.ctx.rest(w.caller('admin').token, 'POST', '/api/v1/auth/referrer-token', { referrerId })
    if (res.statusCode !== 200) throw new ModelFailure(`referrer token for ${referrerId}: ${res.statusCode} ${res.body}`)
    w.callers.set(name, { name, role: 'referrer', userId: null, teamId: null, token: res.json().accessToken })
    m.actors.push({ name, role: 'referrer', userId: null, teamId: null, referrerId })
  }
  return name
}

export class ConfirmConsent extends Cmd {
  constructor(readonly by: string, readonly pick: number, readonly granted: boolean, readonly rest: boolean, readonly inline: boolean) { super() }
  check(m: Readonly<Model>) { return [...m.referrals.values()].some((r) => r.consentToken) }
  toString() { return `confirmReferralConsent(by ${this.by}, referral #${this.pick}, granted ${this.granted}, ${mode(this.rest, this.inline)})` }
  async exec(m: Model, w: World) {
    const r = Model.pick(m.referrals, this.pick, (x) => x.consentToken !== null)!
    const { c } = who(m, w, this.by)
    const expect: Expect = r.status === 'pending_consent' ? 'ok' : 'refused'
    const answer = { granted: this.granted, channel: 'sms_link', purpose: 'contact about our products', by: 'self' }
    await write(w, this.toString(), expect,
      () => this.rest ? w.rest(c, 'POST', '/api/v1/referrals/consent', { token: r.consentToken, ...answer })
        : w.gql(c, 'mutation', 'confirmReferralConsent', { token: { type: 'String!', value: r.consentToken }, input: { type: 'ReferralConsentInput!', value: answer } },
          `{ referral { id status leadId } ${UE} }`, this.inline),
      async (d) => {
        const row = this.rest ? d : d.referral
        r.status = row.status
        if (this.granted) {
          if (row.status !== 'submitted' || !row.leadId) throw new ModelFailure(`${this}: consent given, but the referral is ${row.status} with lead ${row.leadId}`)
          r.leadId = row.leadId
          r.submitted = true
          const [lead] = await w.sql<{ owner_id: string | null }>('select owner_id::text from leads where id = $1', [row.leadId])
          m.leads.set(row.leadId, { id: row.leadId, ownerId: lead.owner_id, status: 'new', customerId: null, referralId: r.id, deleted: false, campaignId: r.campaignId })
        } else if (row.status !== 'rejected') throw new ModelFailure(`${this}: consent declined, but the referral is ${row.status}`)
        return { audits: { [r.id]: 'some' }, events: { [r.id]: [this.granted ? 'referral.consented' : 'referral.rejected'] }, others: 'allowed' }
      })
  }
}

export class ReviewReferral extends Cmd {
  constructor(readonly by: string, readonly pick: number, readonly qualify: boolean, readonly rest: boolean, readonly inline: boolean) { super() }
  check(m: Readonly<Model>) { return m.referrals.size > 0 }
  toString() { return `${this.qualify ? 'qualifyReferral' : 'rejectReferral'}(by ${this.by}, referral #${this.pick}, ${mode(this.rest, this.inline)})` }
  async exec(m: Model, w: World) {
    const r = Model.pick(m.referrals, this.pick)!
    const { a, c } = who(m, w, this.by)
    let expect: Expect = 'ok'
    if (!['admin', 'manager'].includes(a.role)) expect = a.role === 'sales' && !m.canRead(a, 'referrals', r.id) ? 'refused' : 'FORBIDDEN'
    // Qualifying a qualified referral again answers it unchanged (idempotent, nothing logged).
    else if (this.qualify ? !['submitted', 'qualified'].includes(r.status) : !['pending_consent', 'submitted', 'qualified'].includes(r.status)) expect = 'refused'
    const field = this.qualify ? 'qualifyReferral' : 'rejectReferral'
    await write(w, this.toString(), expect,
      () => this.rest ? w.rest(c, 'POST', `/api/v1/referrals/${r.id}/${this.qualify ? 'qualify' : 'reject'}`, this.qualify ? undefined : { reason: 'invalid', detail: 'model' })
        : w.gql(c, 'mutation', field, { id: { type: 'ID!', value: r.id }, ...(this.qualify ? {} : { reason: { type: 'ManualReferralRejectionReason!', value: E('invalid') } }) },
          `{ referral { id status } ${UE} }`, this.inline),
      async () => {
        if (this.qualify && r.status === 'qualified') return { audits: {} }
        await referralMoved(w, m, r, this.qualify ? 'qualified' : 'rejected')
        return { audits: { [r.id]: 'some' }, events: { [r.id]: [this.qualify ? 'referral.qualified' : 'referral.rejected'] }, others: 'allowed' }
      })
  }
}

const staff = fc.constantFrom(...staffNames)
export const referralCommands = [
  fc.tuple(staff, fc.boolean(), fc.boolean()).map(([b, r, i]) => new CreateReferrer(b, r, i)),
  fc.tuple(fc.constantFrom('admin', 'manager', 'integration', 'service', 'salesA1', 'marketing', 'referrer'), fc.nat(30), fc.option(fc.nat(30), { nil: null, freq: 4 }), fc.boolean(), fc.boolean(),
    fc.option(fc.nat(10), { nil: null, freq: 1 })).map(([b, p, d, r, i, k]) => new SubmitReferral(b, p, d, r, i, k)),
  fc.tuple(fc.constantFrom('admin', 'integration', 'service'), fc.nat(30), fc.boolean(), fc.boolean(), fc.boolean()).map(([b, p, g, r, i]) => new ConfirmConsent(b, p, g || p % 5 !== 0, r, i)),
  fc.tuple(staff, fc.nat(30), fc.boolean(), fc.boolean(), fc.boolean()).map(([b, p, q, r, i]) => new ReviewReferral(b, p, q || p % 4 !== 0, r, i))
]

/** referrers write: all for admin, manager, marketing, integration; team for sales; none for service. */
export class ChangeReferrer extends Cmd {
  constructor(readonly by: string, readonly pick: number, readonly remove: boolean, readonly rest: boolean, readonly inline: boolean) { super() }
  check(m: Readonly<Model>) { return [...m.referrers.values()].some((r) => ![...m.referrals.values()].some((x) => x.referrerId === r.id)) }
  toString() { return `${this.remove ? 'deleteReferrer' : 'updateReferrer'}(by ${this.by}, referrer #${this.pick} without referrals, ${mode(this.rest, this.inline)})` }
  async exec(m: Model, w: World) {
    const { a, c } = who(m, w, this.by)
    const ref = Model.pick(m.referrers, this.pick, (r) => ![...m.referrals.values()].some((x) => x.referrerId === r.id))!
    let expect: Expect = a.role === 'service' ? 'FORBIDDEN' : 'ok'
    if (expect === 'ok' && (ref.deleted || (a.role === 'sales' && !m.inTeam(a, ref.ownerId)))) expect = 'NOT_FOUND'
    const input = { region: fresh('区域'), tags: ['model', 'changed'] }
    await write(w, this.toString(), expect,
      () => this.remove
        ? (this.rest ? w.rest(c, 'DELETE', `/api/v1/referrers/${ref.id}`)
          : w.gql(c, 'mutation', 'deleteReferrer', { id: { type: 'ID!', value: ref.id } }, `{ deletedId ${UE} }`, this.inline))
        : (this.rest ? w.rest(c, 'PATCH', `/api/v1/referrers/${ref.id}`, input)
          : w.gql(c, 'mutation', 'updateReferrer', { id: { type: 'ID!', value: ref.id }, input: { type: 'UpdateReferrerInput!', value: input } }, `{ referrer { id } ${UE} }`, this.inline)),
      () => {
        if (this.remove) { ref.deleted = true; return { audits: { [ref.id]: 1 } } }
        return { audits: { [ref.id]: 1 }, events: { [ref.id]: ['referrer.updated'] } }
      })
  }
}

export const moreReferralCommands = [
  fc.tuple(staff, fc.nat(30), fc.boolean(), fc.boolean(), fc.boolean()).map(([b, p, d, r, i]) => new ChangeReferrer(b, p, d, r, i))
]
