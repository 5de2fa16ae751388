/**
 * The baseline of the coupon redemption benchmark: a raw `pg` script using one coupon on an
 * order in one transaction, as a hand-written service would, with `connections` concurrent
 * workers for `duration` seconds. Each statement is a named prepared statement.
 *
 * Per redemption: the buyer (live, not merged), the coupon with its template by code, the
 * order the CRM has under the ERP's id, the rules in JavaScript (holder, dates, minimum,
 * discount), the conditional update `issued → redeemed`, the redemption row, its audit entry
 * and its `coupon.redeemed` outbox event: the same rows and checks as the app.
 *
 * Child process: BENCH_RAW_SPEC (JSON); reports `{ result }` over IPC when done.
 */
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import pg from 'pg'
import { uuidv7 } from 'uuidv7'
import type { RawResult } from './orders-raw.js'

/** `codesFile`: JSON `[code, customerId][]` of coupons this side may use, from `start` on (the parent hands each run a fresh range). */
export type CouponsRawSpec = { url: string; connections: number; duration: number; codesFile: string; start: number }

const statements = {
  buyer: 'select id, merged_into_id, deleted_at from customers where id = $1',
  coupon: `select c.id, c.template_id, c.status, c.customer_id, c.valid_from, c.valid_until, t.kind, t.currency, t.amount_off, t.percent_bp,
             t.max_discount, t.gift_item_code, t.min_order_amount
           from coupons c join coupon_templates t on t.id = c.template_id where c.code = $1`,
  order: 'select id, customer_id from orders where external_id = $1',
  use: `update coupons set status = 'redeemed', redeemed_at = $2, version = version + 1 where id = $1 and status = 'issued'
        returning id, code, template_id, batch_id, customer_id, referrer_id, status, issued_at, valid_from, valid_until, reward_id`,
  redemption: `insert into coupon_redemptions (id, coupon_id, template_id, customer_id, order_id, order_external_id, order_amount, currency, discount, gift_item_code, redeemed_at)
               values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
  audit: `insert into audit_entries (id, actor_type, actor_id, actor_role, action, entity_type, entity_id, changes, request_id)
          values ($1, 'api_key', null, 'admin', 'coupon.redeemed', 'coupon', $2, $3, $4)`,
  outbox: `insert into outbox_events (id, type, entity_type, entity_id, data) values ($1, 'coupon.redeemed', 'coupon', $2, $3)`
}

type CouponRow = {
  id: string; template_id: string; status: string; customer_id: string | null; valid_from: Date | null; valid_until: Date | null
  kind: string; currency: string; amount_off: string | null; percent_bp: number | null; max_discount: string | null; gift_item_code: string | null; min_order_amount: string
}

async function redeem(client: pg.PoolClient, code: string, customerId: string, orderExternalId: string, amount: number): Promise<void> {
  const q = (name: keyof typeof statements, values: unknown[]) => client.query({ name: `raw_coupon_${name}`, text: statements[name], values })
  const now = new Date()
  await client.query('begin')
  try {
    const buyer = (await q('buyer', [customerId])).rows[0] as { merged_into_id: string | null; deleted_at: Date | null } | undefined
    if (!buyer || buyer.deleted_at || buyer.merged_into_id) throw new Error('unknown customer')
    const c = (await q('coupon', [code])).rows[0] as CouponRow | undefined
    if (!c) throw new Error('unknown code')
    const order = (await q('order', [orderExternalId])).rows[0] as { id: string; customer_id: string } | undefined
    if (c.status !== 'issued' || c.customer_id !== customerId) throw new Error('not usable')
    if ((c.valid_from && now < c.valid_from) || (c.valid_until && now >= c.valid_until) || c.currency !== 'CNY' || amount < Number(c.min_order_amount)) throw new Error('not valid')
    const discount = c.kind === 'amount_off' ? Math.min(Number(c.amount_off), amount)
      : c.kind === 'percent_off' ? Math.min(Math.floor(amount * (c.percent_bp ?? 0) / 10000), c.max_discount === null ? Infinity : Number(c.max_discount)) : 0
    const used = await q('use', [c.id, now])
    if (!used.rowCount) throw new Error('already redeemed')
    const id = uuidv7()
    const orderId = order && order.customer_id === customerId ? order.id : null
    await q('redemption', [id, c.id, c.template_id, customerId, orderId, orderExternalId, amount, 'CNY', discount, c.gift_item_code, now])
    const redemption = {
      id, couponId: c.id, templateId: c.template_id, customerId, orderId, orderExternalId, orderAmount: { amount, currency: 'CNY' },
      discount: { amount: discount, currency: 'CNY' }, giftItemCode: c.gift_item_code, redeemedAt: now, restoredAt: null, restoreReason: null
    }
    const coupon = used.rows[0] as Record<string, unknown>
    await q('audit', [uuidv7(), c.id, JSON.stringify({ status: { from: 'issued', to: 'redeemed' }, redemption }), randomUUID()])
    await q('outbox', [uuidv7(), c.id, JSON.stringify({ coupon, redemption })])
    await client.query('commit')
  } catch (err) {
    await client.query('rollback')
    throw err
  }
}

export async function runRaw(spec: CouponsRawSpec): Promise<RawResult> {
  const codes = JSON.parse(readFileSync(spec.codesFile, 'utf8')) as [string, string][]
  const pool = new pg.Pool({ connectionString: spec.url, max: spec.connections })
  const latencies: number[] = []
  let next = spec.start
  let bad = 0
  const until = Date.now() + spec.duration * 1000
  await Promise.all(Array.from({ length: spec.connections }, async () => {
    const client = await pool.connect()
    try {
      while (Date.now() < until && next < codes.length) {
        const n = next++
        const [code, customerId] = codes[n]
        const started = performance.now()
        try {
          await redeem(client, code, customerId, `RAW-SO-${n}`, 20_000 + (n % 10_000))
          latencies.push(performance.now() - started)
        } catch {
          bad++
        }
      }
    } finally {
      client.release()
    }
  }))
  await pool.end()
  latencies.sort((a, b) => a - b)
  const at = (p: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0)
  return { rps: latencies.length / spec.duration, p50: at(0.5), p99: at(0.99), requests: latencies.length, bad }
}

if (process.env.BENCH_RAW_SPEC) {
  const result = await runRaw(JSON.parse(process.env.BENCH_RAW_SPEC) as CouponsRawSpec)
  process.send?.({ result })
  process.exit(0)
}
