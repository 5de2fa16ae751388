/**
 * The baseline of the order benchmark: a raw `pg` script recording one paid order in one
 * transaction, as a hand-written service would, with `connections` concurrent workers for
 * `duration` seconds. Each statement is a named prepared statement.
 *
 * Per order: the customer with its attribution (the referral's referrer and campaign, else
 * the customer's credited referrer), the order (idempotent on externalId), its audit entry
 * and its `order.recorded` outbox event. No reward rows: with `--rule` the app writes them
 * for referred customers and this side does not (the report says so).
 *
 * Child process: BENCH_RAW_SPEC (JSON); reports `{ result }` over IPC when done.
 */
import { randomUUID } from 'node:crypto'
import pg from 'pg'
import { uuidv7 } from 'uuidv7'

export type OrdersRawSpec = { url: string; connections: number; duration: number; prefix: string; start: number; customers: string[] }
export type RawResult = { rps: number; p50: number; p99: number; requests: number; bad: number }

const statements = {
  customer: `select c.id, coalesce(r.referrer_id, c.referrer_id) as referrer_id, c.referred_by_referral_id, r.campaign_id
             from customers c left join referrals r on r.id = c.referred_by_referral_id
             where c.id = $1 and c.deleted_at is null`,
  order: `insert into orders (id, external_id, created_at, updated_at, customer_id, referral_id, referrer_id, campaign_id, amount, currency, paid_at, note, attributes)
          values ($1, $2, $3, $3, $4, $5, $6, $7, $8, 'CNY', $3, null, '{}') on conflict (external_id) do nothing returning id`,
  audit: `insert into audit_entries (id, actor_type, actor_id, actor_role, action, entity_type, entity_id, changes, request_id)
          values ($1, 'api_key', null, 'admin', 'order.recorded', 'order', $2, $3, $4)`,
  outbox: `insert into outbox_events (id, type, entity_type, entity_id, data) values ($1, 'order.recorded', 'order', $2, $3)`
}

async function recordOrder(client: pg.PoolClient, customerId: string, externalId: string, amount: number): Promise<void> {
  const q = (name: keyof typeof statements, values: unknown[]) => client.query({ name: `raw_order_${name}`, text: statements[name], values })
  const id = uuidv7()
  const now = new Date()
  await client.query('begin')
  try {
    const customer = (await q('customer', [customerId])).rows[0] as { referrer_id: string | null; referred_by_referral_id: string | null; campaign_id: string | null } | undefined
    if (!customer) throw new Error('no such customer')
    const inserted = await q('order', [id, externalId, now, customerId, customer.referred_by_referral_id, customer.referrer_id, customer.campaign_id, amount])
    if (!inserted.rowCount) throw new Error('externalId taken')
    const view = JSON.stringify({
      id, externalId, customerId, referralId: customer.referred_by_referral_id, referrerId: customer.referrer_id, campaignId: customer.campaign_id,
      amount: { amount, currency: 'CNY' }, refundedAmount: { amount: 0, currency: 'CNY' }, netAmount: { amount, currency: 'CNY' },
      status: 'paid', paidAt: now, note: null, attributes: {}, version: 1, createdAt: now, updatedAt: now
    })
    await q('audit', [uuidv7(), id, view, randomUUID()])
    await q('outbox', [uuidv7(), id, `{"order":${view}}`])
    await client.query('commit')
  } catch (err) {
    await client.query('rollback')
    throw err
  }
}

export async function runRaw(spec: OrdersRawSpec): Promise<RawResult> {
  const pool = new pg.Pool({ connectionString: spec.url, max: spec.connections })
  const latencies: number[] = []
  let next = spec.start
  let bad = 0
  const until = Date.now() + spec.duration * 1000
  await Promise.all(Array.from({ length: spec.connections }, async () => {
    const client = await pool.connect()
    try {
      while (Date.now() < until) {
        const n = next++
        const started = performance.now()
        try {
          await recordOrder(client, spec.customers[n % spec.customers.length], `${spec.prefix}${n}`, 1000 + (n % 100_000))
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
  const result = await runRaw(JSON.parse(process.env.BENCH_RAW_SPEC) as OrdersRawSpec)
  process.send?.({ result })
  process.exit(0)
}
