import type { CopyValue } from './seed-copy.js'
import { DAY_MS, HISTORY_MS } from './seed-data.js'
import type { Rng } from './seed-random.js'
import { REFUND_REASONS } from './seed-words.js'

/**
 * Orders for seeded customers: how many each customer buys (most once or twice, a long
 * tail many times, some never), when (after they became a customer, more often lately,
 * churned customers stop), how much (log-normal, ¥20 to ¥50,000, priced the way shops
 * price) and which are refunded (~3% in part, ~2% in full).
 */

export const ORDER_COLUMNS = [
  'id', 'external_id', 'version', 'created_at', 'updated_at', 'customer_id', 'referrer_id',
  'amount', 'currency', 'refunded_amount', 'status', 'paid_at', 'referral_id', 'campaign_id'
] as const

export const REFUND_COLUMNS = ['id', 'order_id', 'external_id', 'amount', 'currency', 'reason', 'refunded_at', 'created_at'] as const

export const MIN_AMOUNT = 2_000
export const MAX_AMOUNT = 5_000_000

/**
 * Each customer's expected order count. Occasional buyers keep theirs (1 or 2); repeat
 * buyers start at 3 and share whatever the total asks for beyond that, by Lomax weights
 * (most a few more, a long tail very many), so "most buy once or twice" holds at any
 * orders-per-customer ratio and repeat counts run smoothly from 3 upwards. Too few orders
 * for even that scales everyone down (more never buy).
 */
export class OrderPlan {
  private readonly expected: Float64Array
  /** Each customer's price level (log scale): some buy small, some buy big. */
  readonly spend: Float32Array
  private readonly offset: number
  private cumulative = 0
  private emitted = 0

  /** `since`: when each customer became one (ms); `now`: the end of the history. */
  constructor(rng: Rng, since: Float64Array, now: number, readonly total: number) {
    const customers = since.length
    this.expected = new Float64Array(customers)
    this.spend = new Float32Array(customers)
    const extra = new Float64Array(customers)
    let base = 0
    let weights = 0
    for (let i = 0; i < customers; i++) {
      const roll = rng.next()
      if (roll >= 0.12 && roll < 0.75) this.expected[i] = rng.chance(0.65) ? 1 : 2
      else if (roll >= 0.75) {
        this.expected[i] = 3
        // Longer-standing customers have had longer to buy: weight by tenure, or the newest
        // heavy buyers would crowd the last weeks with orders.
        const tenure = Math.max(0.05, (now - since[i]) / HISTORY_MS)
        extra[i] = Math.min(40, Math.pow(1 - rng.next(), -1 / 1.5) - 1) * tenure
        weights += extra[i]
      }
      base += this.expected[i]
      this.spend[i] = rng.normal() * 0.6
    }
    if (base === 0) {
      this.expected.fill(1)
      base = customers
    }
    // Enough for everyone's base: the rest goes to repeat buyers by weight (or evenly, if none).
    if (total >= base) {
      const perWeight = weights > 0 ? (total - base) / weights : 0
      const scale = weights > 0 ? 1 : total / base
      for (let i = 0; i < customers; i++) this.expected[i] = this.expected[i] * scale + extra[i] * perWeight
    } else {
      for (let i = 0; i < customers; i++) this.expected[i] *= total / base
    }
    this.offset = rng.next()
  }

  /** How many orders customer `index` gets; call once per customer, in order. The counts sum to `total`. */
  countFor(index: number): number {
    const before = Math.floor(this.cumulative + this.offset)
    this.cumulative += this.expected[index]
    let count = Math.floor(this.cumulative + this.offset) - before
    // Systematic rounding is exact up to float error: the last customer settles it.
    if (index === this.expected.length - 1) count = this.total - this.emitted
    count = Math.max(0, Math.min(count, this.total - this.emitted))
    this.emitted += count
    return count
  }
}

/** Attribution (referrer, referral, campaign) is the customer's, fixed when the order is recorded. */
export type Buyer = { id: string; createdAt: number; referrerId: string | null; referralId?: string | null; campaignId?: string | null; spend: number }
export type OrderIds = { orderId: string; externalId: string; refundId: () => string; refundExternalId: string }
export type OrderRows = { order: CopyValue[]; refund: CopyValue[] | null }

/** When a buyer stops buying: most are still active; churned ones stopped somewhere along the way. */
export function activeUntil(rng: Rng, buyer: Buyer, now: number): number {
  return rng.chance(0.3) ? buyer.createdAt + (now - buyer.createdAt) * (0.1 + 0.9 * rng.next()) : now
}

function amountFor(rng: Rng, spend: number): number {
  let fen = 0
  for (let tries = 0; tries < 20; tries++) {
    fen = Math.exp(Math.log(30_000) + spend + rng.normal())
    if (fen >= MIN_AMOUNT && fen <= MAX_AMOUNT) break
  }
  // Prices as shops set them: ¥39.90, ¥289, ¥12,800.
  if (fen < 10_000) fen = Math.round(fen / 10) * 10
  else if (fen < 100_000) fen = rng.chance(0.4) ? (Math.floor(fen / 1_000) * 10 + 9) * 100 : Math.round(fen / 100) * 100
  else {
    const step = fen >= 1_000_000 && rng.chance(0.5) ? 10_000 : 1_000
    fen = Math.round(fen / step) * step
  }
  return Math.min(MAX_AMOUNT, Math.max(MIN_AMOUNT, Math.round(fen)))
}

/**
 * The buyer's `k`-th order: the first soon after they became a customer, later ones spread
 * up to `until`, more of them lately. Timestamps are ms, never after `now`.
 */
export function orderRows(rng: Rng, buyer: Buyer, k: number, until: number, now: number, ids: OrderIds): OrderRows {
  const span = Math.max(0, until - buyer.createdAt)
  const paidAt = Math.round(k === 0
    ? buyer.createdAt + Math.min(span, -Math.log(1 - rng.next()) * 2 * DAY_MS)
    : buyer.createdAt + span * Math.pow(rng.next(), 0.8))
  const amount = amountFor(rng, buyer.spend)
  // The ERP reports a payment a little after it happens.
  const createdAt = Math.min(now, paidAt + rng.int(0, 600_000))
  const roll = rng.next()
  let refunded = 0
  let refund: CopyValue[] | null = null
  let updatedAt = createdAt
  if (roll < 0.05) {
    refunded = roll < 0.02 ? amount : Math.min(amount - 100, Math.max(100, Math.round(amount * (0.1 + 0.8 * rng.next()) / 100) * 100))
    const refundedAt = Math.min(now, Math.max(createdAt, paidAt + Math.round((0.05 + -Math.log(1 - rng.next()) * 5) * DAY_MS)))
    updatedAt = refundedAt
    const at = new Date(refundedAt).toISOString()
    refund = [ids.refundId(), ids.orderId, ids.refundExternalId, refunded, 'CNY', rng.pick(REFUND_REASONS), at, at]
  }
  return {
    order: [
      ids.orderId, ids.externalId, refund ? 2 : 1, new Date(createdAt).toISOString(), new Date(updatedAt).toISOString(),
      buyer.id, buyer.referrerId, amount, 'CNY', refunded, refunded === amount ? 'refunded' : 'paid', new Date(paidAt).toISOString(),
      buyer.referralId ?? null, buyer.campaignId ?? null
    ],
    refund
  }
}
