import fc from 'fast-check'
import { Cmd, fresh, staffNames, who } from './model-command.js'
import { write, type Expect } from './model-invariants.js'
import { Model, type MOrder } from './model-state.js'
import { ModelFailure, type Outcome, type World } from './model-world.js'

/** Points: manual adjustments, redemptions (for an order or an item, replayed by the same key) and what refunds give back. */
const UE = 'userErrors { field message code }'
const mode = (rest: boolean, inline: boolean) => rest ? 'REST' : inline ? 'inline' : 'vars'
const writers = new Set(['admin', 'manager', 'service', 'integration'])

/** Who may write this customer's points: the loyalty write roles (all of them reach every customer), on a live customer (else UNKNOWN_CUSTOMER on the field). */
function pointsWrite(m: Model, role: string, customerId: string): Expect {
  if (!writers.has(role)) return 'FORBIDDEN'
  return m.live('customers', customerId) ? 'ok' : 'refused'
}

export class AdjustPoints extends Cmd {
  constructor(readonly by: string, readonly pick: number, readonly amount: number, readonly rest: boolean, readonly inline: boolean) { super() }
  check(m: Readonly<Model>) { return m.customers.size > 0 }
  toString() { return `adjustPoints(by ${this.by}, customer #${this.pick}, ${this.amount}, ${mode(this.rest, this.inline)})` }
  async exec(m: Model, w: World) {
    const { a, c } = who(m, w, this.by)
    // A merged-away id names its survivor (the service resolves it so, by design).
    const picked = Model.pick(m.customers, this.pick)!
    const cust = m.holder(picked.id)
    const balance = m.points.get(cust.id) ?? 0
    let expect = pointsWrite(m, a.role, cust.id)
    if (expect === 'ok' && balance + this.amount < 0) expect = 'refused'
    const input = { customerId: picked.id, amount: this.amount, reason: fresh('调整 ') }
    await write(w, this.toString(), expect,
      () => this.rest ? w.rest(c, 'POST', '/api/v1/points/adjustments', input)
        : w.gql(c, 'mutation', 'adjustPoints', { input: { type: 'AdjustPointsInput!', value: input } }, `{ entry { id amount } account { id balance } ${UE} }`, this.inline),
      (d) => {
        m.points.set(cust.id, balance + this.amount)
        if (d.account.balance !== balance + this.amount) throw new ModelFailure(`${this}: balance ${d.account.balance}, model ${balance + this.amount}`)
        return { audits: { [d.account.id]: 1 }, events: { [d.account.id]: ['points.adjusted'] } }
      })
  }
}

export class RedeemPoints extends Cmd {
  constructor(readonly by: string, readonly pick: number, readonly amount: number, readonly order: number | null,
    readonly replay: boolean, readonly rest: boolean, readonly inline: boolean) { super() }
  check(m: Readonly<Model>) { return m.customers.size > 0 }
  toString() {
    return `redeemPoints(by ${this.by}, customer #${this.pick}, ${this.amount}, ${this.order === null ? 'item' : `order #${this.order}`}${this.replay ? ', replayed' : ''}, ${mode(this.rest, this.inline)})`
  }
  async exec(m: Model, w: World) {
    const { a, c } = who(m, w, this.by)
    // A merged-away id names its survivor (the service resolves it so, by design).
    const picked = Model.pick(m.customers, this.pick)!
    const cust = m.holder(picked.id)
    const order = this.order === null ? undefined : Model.pick(m.orders, this.order, (o) => o.customerId === cust.id)
    const balance = m.points.get(cust.id) ?? 0
    let expect = pointsWrite(m, a.role, cust.id)
    if (expect === 'ok' && balance < this.amount) expect = 'refused'
    const key = fresh('RD-')
    const input = { customerId: picked.id, amount: this.amount, externalId: key, ...(order ? { orderId: order.id } : { itemCode: 'SKU-MODEL' }) }
    const call = () => this.rest ? w.rest(c, 'POST', '/api/v1/points/redemptions', input, { 'idempotency-key': key })
      : w.gql(c, 'mutation', 'redeemPoints', { input: { type: 'RedeemPointsInput!', value: input } }, `{ redemption { id amount } account { id balance } ${UE} }`, this.inline)
    const first = await write(w, this.toString(), expect, call, (d) => {
      const redemption = d.redemption
      m.points.set(cust.id, balance - this.amount)
      if (order) m.redeemedFor.set(order.id, [...(m.redeemedFor.get(order.id) ?? []), this.amount])
      return { audits: { [d.account.id]: 1, [redemption.id]: 'some' }, events: { [d.account.id]: ['points.redeemed'] }, others: 'allowed' }
    })
    if (!this.replay || first.kind !== 'ok') return
    // The same request again (a retry after a lost answer): the same redemption, nothing taken twice.
    const again = await write(w, `${this} (replay)`, 'ok', call, () => ({ audits: {} }))
    const id = (o: Outcome) => o.kind === 'ok' ? o.data.redemption.id : null
    if (id(again) !== id(first)) throw new ModelFailure(`${this}: the replay answered redemption ${id(again)}, not ${id(first)}`)
  }
}

/** A refund returns each redemption's share of the refunded part (src/rules/points-earning.ts refundedPoints). */
export function pointsBackOnRefund(m: Model, order: MOrder, before: number, after: number): void {
  const share = (points: number, refunded: number) => refunded >= order.amount ? points : Math.floor((points * refunded) / order.amount)
  for (const points of m.redeemedFor.get(order.id) ?? []) {
    const back = share(points, after) - share(points, before)
    if (back > 0) m.points.set(order.customerId, (m.points.get(order.customerId) ?? 0) + back)
  }
}

const staff = fc.constantFrom(...staffNames)
const io = [fc.boolean(), fc.boolean()] as const
export const pointsCommands = [
  fc.tuple(staff, fc.nat(30), fc.integer({ min: -300, max: 2_000 }).filter((n) => n !== 0), ...io).map(([b, p, x, r, i]) => new AdjustPoints(b, p, x, r, i)),
  fc.tuple(staff, fc.nat(30), fc.integer({ min: 1, max: 800 }), fc.option(fc.nat(10), { nil: null }), fc.boolean(), ...io)
    .map(([b, p, x, o, k, r, i]) => new RedeemPoints(b, p, x, o, k, r, i))
]
