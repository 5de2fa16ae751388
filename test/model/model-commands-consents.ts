import fc from 'fast-check'
import { Cmd, staffNames, who } from './model-command.js'
import { write, type Expect } from './model-invariants.js'
import { Model } from './model-state.js'
import { E, type Outcome, type World } from './model-world.js'
import type { AutoModel, MConsent } from './model-automation.js'

/**
 * Marketing consent (docs/consents.md): record a grant or refusal, withdraw, and the public
 * unsubscribe link of a sent message. Whoever may write the customer records its consents
 * (marketing may not; a sales rep only for the team's customers); a staff record needs a
 * note, a time in the future is refused; either way nothing is written.
 */
const UE = 'userErrors { field message code }'
const mode = (rest: boolean, inline: boolean) => rest ? 'REST' : inline ? 'inline' : 'vars'

/** A withdrawal (or refusal) blocks the customer's queued and held marketing messages on the channels it covers (SMS: `sms`, `any`). */
export function applyWithdrawal(a: AutoModel, r: MConsent): void {
  if (r.granted || r.channel === 'email') return
  for (const msg of a.messages.values()) {
    if (msg.customerId === r.customerId && (msg.status === 'queued' || msg.status === 'held')) { msg.status = 'blocked'; msg.reason = 'consent_withdrawn' }
  }
}

function consentExpect(m: Model, by: string, customerId: string): Expect {
  const a = m.actors.find((x) => x.name === by)!
  if (a.role === 'marketing') return 'FORBIDDEN'
  const c = m.customers.get(customerId)!
  if (c.deleted || c.merged) return 'NOT_FOUND'
  if (a.role === 'sales' && !m.inTeam(a, c.ownerId)) return 'NOT_FOUND'
  return 'ok'
}

export class RecordConsent extends Cmd {
  constructor(readonly by: string, readonly pick: number, readonly channel: 'sms' | 'email' | 'any', readonly granted: boolean,
    readonly minutesAgo: number, readonly bad: 'none' | 'future' | 'staff_without_note', readonly rest: boolean, readonly inline: boolean) { super() }
  check(m: Readonly<Model>) { return m.customers.size > 0 }
  toString() { return `recordConsent(by ${this.by}, customer #${this.pick}, marketing/${this.channel} ${this.granted ? 'granted' : 'refused'}, ${this.minutesAgo} min ago${this.bad !== 'none' ? `, bad: ${this.bad}` : ''}, ${mode(this.rest, this.inline)})` }
  async exec(m: Model, w: World) {
    const { c } = who(m, w, this.by)
    const cust = Model.pick(m.customers, this.pick)!
    // Bad input is refused whoever asks: the input is checked before the caller's reach (a userError, never a write).
    const expect = this.bad !== 'none' ? 'refused' : consentExpect(m, this.by, cust.id)
    const at = new Date(Date.now() + (this.bad === 'future' ? 86_400_000 : -this.minutesAgo * 60_000)).toISOString()
    const input = { customerId: cust.id, purpose: 'marketing', channel: this.channel, granted: this.granted, source: this.bad === 'staff_without_note' ? 'staff' : 'form', textVersion: 'model-v1', occurredAt: at }
    await write(w, this.toString(), expect,
      () => this.rest ? w.rest(c, 'POST', '/api/v1/consents', input)
        : w.gql(c, 'mutation', 'recordConsent', { input: { type: 'RecordConsentInput!', value: { ...input, purpose: E('marketing'), channel: E(this.channel), source: E(input.source) } } },
          `{ consent { id channel granted occurredAt } ${UE} }`, this.inline),
      (d) => recorded(m, cust.id, this.rest ? d : d.consent))
  }
}

export class WithdrawConsent extends Cmd {
  constructor(readonly by: string, readonly pick: number, readonly channel: 'sms' | 'email' | 'any' | null, readonly rest: boolean, readonly inline: boolean) { super() }
  check(m: Readonly<Model>) { return m.customers.size > 0 }
  toString() { return `withdrawConsent(by ${this.by}, customer #${this.pick}, marketing/${this.channel ?? 'default'}, ${mode(this.rest, this.inline)})` }
  async exec(m: Model, w: World) {
    const { c } = who(m, w, this.by)
    const cust = Model.pick(m.customers, this.pick)!
    const input = { customerId: cust.id, purpose: 'marketing', ...(this.channel ? { channel: this.channel } : {}), note: '客户来电要求不再接收营销短信' }
    await write(w, this.toString(), consentExpect(m, this.by, cust.id),
      () => this.rest ? w.rest(c, 'POST', '/api/v1/consents/withdrawals', input)
        : w.gql(c, 'mutation', 'withdrawConsent', { input: { type: 'WithdrawConsentInput!', value: { ...input, purpose: E('marketing'), ...(this.channel ? { channel: E(this.channel) } : {}) } } },
          `{ consent { id channel granted occurredAt } ${UE} }`, this.inline),
      (d) => recorded(m, cust.id, this.rest ? d : d.consent))
  }
}

function recorded(m: Model, customerId: string, row: { id: string; channel: string; granted: boolean; occurredAt: string }) {
  const r: MConsent = { customerId, channel: row.channel as MConsent['channel'], granted: row.granted, occurredAt: Date.parse(row.occurredAt) }
  m.auto.consents.push(r)
  applyWithdrawal(m.auto, r)
  return { audits: { [row.id]: 1 }, events: { [row.id]: [row.granted ? 'consent.granted' : 'consent.withdrawn'] } }
}

/** The customer follows the unsubscribe link of a message the fake SMS provider received (GET, no login); a second time records nothing. */
export class Unsubscribe extends Cmd {
  constructor(readonly pick: number, readonly post: boolean) { super() }
  check(m: Readonly<Model>) { return [...m.auto.messages.values()].some((x) => x.url) }
  toString() { return `unsubscribe(sent message #${this.pick}, ${this.post ? 'POST' : 'GET'})` }
  async exec(m: Model, w: World) {
    const msg = Model.pick(m.auto.messages, this.pick, (x) => !!x.url)!
    const path = new URL(msg.url!).pathname
    const again = m.auto.unsubscribed.has(msg.id)
    await write(w, this.toString(), 'ok', async (): Promise<Outcome> => {
      const res = await w.ctx.app.inject({ method: this.post ? 'POST' : 'GET', url: path })
      if (res.statusCode !== 200) return { kind: 'refused', code: String(res.statusCode), status: res.statusCode, detail: res.body.slice(0, 300) }
      return { kind: 'ok', data: res.json(), status: 200 }
    }, async (d) => {
      if (d.status !== 'unsubscribed' || d.channel !== 'sms' || d.purpose !== 'marketing') throw new Error(`${this}: answered ${JSON.stringify(d)}`)
      if (again) return { audits: {} }
      const [row] = await w.sql<{ id: string; occurred_at: string; channel: string; granted: boolean }>(
        `select id::text, occurred_at, channel::text, granted from consent_records where message_id = $1 and source = 'unsubscribe'`, [msg.id])
      m.auto.unsubscribed.add(msg.id)
      const r: MConsent = { customerId: msg.customerId, channel: 'sms', granted: false, occurredAt: new Date(row.occurred_at).getTime() }
      m.auto.consents.push(r)
      applyWithdrawal(m.auto, r)
      return { audits: { [row.id]: 1 }, events: { [row.id]: ['consent.withdrawn'] } }
    })
  }
}

const staff = fc.constantFrom(...staffNames)
const io = [fc.boolean(), fc.boolean()] as const
const channel = fc.constantFrom('sms' as const, 'sms' as const, 'any' as const, 'email' as const)
export const consentCommands = [
  fc.tuple(staff, fc.nat(30), channel, fc.boolean(), fc.constantFrom(0, 1, 30, 600, 3000), fc.constantFrom('none' as const, 'none' as const, 'none' as const, 'future' as const, 'staff_without_note' as const), ...io)
    .map(([b, p, ch, g, ago, bad, r, i]) => new RecordConsent(b, p, ch, g || ago > 0, ago, bad, r, i)),
  fc.tuple(staff, fc.nat(30), fc.constantFrom('sms' as const, 'any' as const, 'email' as const, null), ...io).map(([b, p, ch, r, i]) => new WithdrawConsent(b, p, ch, r, i)),
  fc.tuple(fc.nat(30), fc.boolean()).map(([p, post]) => new Unsubscribe(p, post))
]
