import fc from 'fast-check'
import { Cmd, staffNames, who } from './model-command.js'
import { write, type Expect } from './model-invariants.js'
import { Model } from './model-state.js'
import { ModelFailure, type Outcome, type World } from './model-world.js'
import { AMOUNT_OFF, TEMPLATE_QUANTITY } from './model-coupons.js'

/** Coupons issued to customers, used on orders (a retry with the same Idempotency-Key answers the first use) and voided (test/model/model-coupons.ts). */
const UE = 'userErrors { field message code }'
const mode = (rest: boolean, inline: boolean) => rest ? 'REST' : inline ? 'inline' : 'vars'
const writers = new Set(['admin', 'manager', 'service', 'integration'])

export class IssueCoupon extends Cmd {
  constructor(readonly by: string, readonly pick: number, readonly rest: boolean, readonly inline: boolean) { super() }
  check(m: Readonly<Model>) { return m.customers.size > 0 }
  toString() { return `issueCoupon(by ${this.by}, customer #${this.pick}, ${mode(this.rest, this.inline)})` }
  async exec(m: Model, w: World) {
    const { a, c } = who(m, w, this.by)
    const picked = Model.pick(m.customers, this.pick)!
    // A merged-away id names its survivor (the service resolves it so, by design); the coupon is the survivor's.
    const cust = m.holder(picked.id)
    let expect: Expect = writers.has(a.role) ? 'ok' : 'FORBIDDEN'
    if (expect === 'ok' && (!m.live('customers', cust.id) || m.coupons.size >= TEMPLATE_QUANTITY)) expect = 'refused'
    const input = { templateId: m.couponTemplateId, customerId: picked.id }
    await write(w, this.toString(), expect,
      () => this.rest ? w.rest(c, 'POST', '/api/v1/coupons', input)
        : w.gql(c, 'mutation', 'issueCoupon', { input: { type: 'IssueCouponInput!', value: input } }, `{ coupon { id code status customerId } ${UE} }`, this.inline),
      (d) => {
        const coupon = this.rest ? d : d.coupon
        m.coupons.set(coupon.id, { id: coupon.id, code: coupon.code, customerId: cust.id, status: 'issued' })
        return { audits: { [coupon.id]: 1 }, events: { [coupon.id]: ['coupon.issued'] } }
      })
  }
}

export class RedeemCoupon extends Cmd {
  constructor(readonly by: string, readonly pick: number, readonly amount: number, readonly replay: boolean, readonly rest: boolean, readonly inline: boolean) { super() }
  check(m: Readonly<Model>) { return m.coupons.size > 0 }
  toString() { return `redeemCoupon(by ${this.by}, coupon #${this.pick}, order ${this.amount}${this.replay ? ', replayed' : ''}, ${mode(this.rest, this.inline)})` }
  async exec(m: Model, w: World) {
    const { a, c } = who(m, w, this.by)
    const coupon = Model.pick(m.coupons, this.pick)!
    let expect: Expect = writers.has(a.role) ? 'ok' : 'FORBIDDEN'
    if (expect === 'ok' && coupon.status !== 'issued') expect = 'refused'
    // A deleted holder: whether the till may still name it is the app's call; the model follows the answer.
    if (expect === 'ok' && !m.live('customers', coupon.customerId)) expect = 'either'
    const key = `model-redeem-${coupon.id}-${m.coupons.size}-${this.amount}`
    const input = { code: coupon.code.toLowerCase(), customerId: coupon.customerId, orderAmount: { amount: this.amount, currency: 'CNY' }, orderExternalId: `POS-${key}` }
    const call = () => this.rest ? w.rest(c, 'POST', '/api/v1/coupons/redemptions', input, { 'idempotency-key': key })
      : w.gql(c, 'mutation', 'redeemCoupon', { input: { type: 'RedeemCouponInput!', value: input } }, `{ redemption { id discount { amount } } coupon { id status } ${UE} }`, this.inline)
    const first = await write(w, this.toString(), expect, call, (d) => {
      const want = Math.min(AMOUNT_OFF, this.amount)
      if (d.redemption.discount.amount !== want) throw new ModelFailure(`${this}: discount ${d.redemption.discount.amount}, model ${want}`)
      coupon.status = 'redeemed'
      return { audits: { [coupon.id]: 'some' }, events: { [coupon.id]: ['coupon.redeemed'] }, others: 'allowed' }
    })
    if (!this.replay || first.kind !== 'ok' || !this.rest) return
    // The till retries after a lost answer, with the same key: the first use, not ALREADY_REDEEMED.
    const again = await write(w, `${this} (replay)`, 'ok', call, () => ({ audits: {} }))
    const id = (o: Outcome) => o.kind === 'ok' ? o.data.redemption.id : null
    if (id(again) !== id(first)) throw new ModelFailure(`${this}: the replay answered redemption ${id(again)}, not ${id(first)}`)
  }
}

export class VoidCoupon extends Cmd {
  constructor(readonly by: string, readonly pick: number, readonly rest: boolean, readonly inline: boolean) { super() }
  check(m: Readonly<Model>) { return m.coupons.size > 0 }
  toString() { return `voidCoupon(by ${this.by}, coupon #${this.pick}, ${mode(this.rest, this.inline)})` }
  async exec(m: Model, w: World) {
    const { a, c } = who(m, w, this.by)
    const coupon = Model.pick(m.coupons, this.pick)!
    let expect: Expect = writers.has(a.role) ? 'ok' : 'FORBIDDEN'
    if (expect === 'ok' && coupon.status !== 'issued') expect = 'refused'
    await write(w, this.toString(), expect,
      () => this.rest ? w.rest(c, 'POST', `/api/v1/coupons/${coupon.id}/void`, { reason: '模型作废' })
        : w.gql(c, 'mutation', 'voidCoupon', { id: { type: 'ID!', value: coupon.id }, reason: { type: 'String!', value: '模型作废' } }, `{ coupon { id status } ${UE} }`, this.inline),
      () => { coupon.status = 'voided'; return { audits: { [coupon.id]: 1 }, events: { [coupon.id]: ['coupon.voided'] } } })
  }
}

const staff = fc.constantFrom(...staffNames)
const io = [fc.boolean(), fc.boolean()] as const
export const couponCommands = [
  fc.tuple(staff, fc.nat(30), ...io).map(([b, p, r, i]) => new IssueCoupon(b, p, r, i)),
  fc.tuple(staff, fc.nat(30), fc.integer({ min: 1, max: 50_000 }), fc.boolean(), ...io).map(([b, p, x, k, r, i]) => new RedeemCoupon(b, p, x, k, r, i)),
  fc.tuple(staff, fc.nat(30), ...io).map(([b, p, r, i]) => new VoidCoupon(b, p, r, i))
]
