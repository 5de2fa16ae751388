/**
 * The baseline of the redemption benchmark: a raw `pg` script doing one keyed redemption in
 * ONE transaction, as a hand-written service would, with `connections` concurrent workers
 * for `duration` seconds. Each statement is a named prepared statement.
 *
 * Per redemption, the rows the app writes (redeem.ts checks the counts before timing):
 * the Idempotency-Key claimed and then completed with the answer (sealed, as the app stores
 * it), the customer checked, the account locked, the externalId checked for a replay, the
 * ERP order looked up, the live lots read first-expiring-first and the ones taken updated
 * (one statement), the balance, the `redeem` entry, the redemption, its audit entry and
 * its `points.redeemed` outbox event (the same JSON as the app's).
 *
 * Child process: BENCH_RAW_SPEC (JSON); reports `{ result }` over IPC when done.
 */
import { createHash, randomUUID } from 'node:crypto'
import pg from 'pg'
import { uuidv7 } from 'uuidv7'
import { PiiCipher } from '../../../src/lib/pii.js'

export type RedeemRawSpec = {
  url: string; piiKey: string; connections: number; duration: number; prefix: string; start: number
  /** Claim and complete an Idempotency-Key row (the app's requests carry the header). */
  key: boolean
  /** The customers redeeming, in turn (redeem.ts picks them). */
  customers: string[]
}
export type RawResult = { rps: number; p50: number; p99: number; requests: number; bad: number; cpuMs: number }

const HOUR = 3_600_000
const statements = {
  claim: `insert into idempotency_keys (scope, key, request_hash, state, created_at, locked_until, expires_at)
          values ($1, $2, $3, 'in_flight', $4, $5, $6) on conflict do nothing returning created_at`,
  customer: 'select id, merged_into_id, deleted_at from customers where id = $1',
  lock: 'select id, holder_type, customer_id, referrer_id, balance from points_accounts where customer_id = $1 for update',
  replay: 'select id from points_redemptions where external_id = $1',
  order: 'select id from orders where external_id = $1 and customer_id = $2',
  lots: `select id, remaining from points_lots where account_id = $1 and remaining > 0 and (expires_at is null or expires_at > $2)
         order by expires_at, earned_at, id`,
  take: `update points_lots l set remaining = l.remaining - d.take from unnest($1::uuid[], $2::bigint[]) as d(id, take) where l.id = d.id`,
  balance: 'update points_accounts set balance = $2, version = version + 1, updated_at = $3 where id = $1',
  entry: `insert into points_entries (id, account_id, kind, amount, source_type, source_id, reason, order_id, campaign_id, expires_at, lots, shortfall, balance_after, created_at)
          values ($1, $2, 'redeem', $3, 'redemption', $4, null, $5, null, null, $6, 0, $7, $8)`,
  redemption: `insert into points_redemptions (id, external_id, account_id, customer_id, referrer_id, amount, order_id, order_external_id, item_code, value, currency, note, created_at, updated_at)
               values ($1, $2, $3, $4, null, $5, $6, $7, null, null, null, null, $8, $8)`,
  audit: `insert into audit_entries (id, actor_type, actor_id, actor_role, api_key_id, action, entity_type, entity_id, changes, request_id)
          values ($1, 'api_key', null, 'admin', null, 'points.redeemed', 'points_account', $2, $3, $4)`,
  outbox: `insert into outbox_events (id, type, entity_type, entity_id, data) values ($1, 'points.redeemed', 'points_account', $2, $3)`,
  answer: `update idempotency_keys set state = 'done', response_status = 201, response_headers = $3, response_body = $4, locked_until = null
           where scope = $1 and key = $2 and state = 'in_flight' and created_at = $5`
}

type Request = { customerId: string; amount: number; externalId: string; orderExternalId: string }

async function redeem(client: pg.PoolClient, pii: PiiCipher, r: Request, key: boolean): Promise<void> {
  const q = (name: keyof typeof statements, values: unknown[]) => client.query({ name: `raw_points_${name}`, text: statements[name], values })
  const now = new Date()
  const body = JSON.stringify(r)
  const hash = createHash('sha256').update(`POST /api/v1/points/redemptions ${body}`).digest('hex')
  await client.query('begin')
  try {
    const claimed = key ? await q('claim', ['key:raw-bench', r.externalId, hash, now, new Date(now.getTime() + 30_000), new Date(now.getTime() + 24 * HOUR)]) : null
    if (claimed && !claimed.rowCount) throw new Error('key already used')
    const customer = (await q('customer', [r.customerId])).rows[0] as { merged_into_id: string | null; deleted_at: Date | null } | undefined
    if (!customer || customer.merged_into_id || customer.deleted_at) throw new Error('no such customer')
    const account = (await q('lock', [r.customerId])).rows[0] as { id: string; holder_type: string; customer_id: string; referrer_id: string | null; balance: string } | undefined
    if (!account) throw new Error('no points')
    if ((await q('replay', [r.externalId])).rowCount) throw new Error('a replay')
    const orderId = ((await q('order', [r.orderExternalId, r.customerId])).rows[0] as { id: string } | undefined)?.id ?? null
    const lots = (await q('lots', [account.id, now])).rows as { id: string; remaining: string }[]
    const taken: { lot: string; amount: number }[] = []
    let left = r.amount
    for (const lot of lots) {
      if (left === 0) break
      const take = Math.min(Number(lot.remaining), left)
      taken.push({ lot: lot.id, amount: take })
      left -= take
    }
    if (left > 0) throw new Error('not enough points')
    const balance = Number(account.balance) - r.amount
    const id = uuidv7()
    const entryId = uuidv7()
    await q('take', [taken.map((t) => t.lot), taken.map((t) => t.amount)])
    await q('balance', [account.id, balance, now])
    const lotsJson = JSON.stringify(taken)
    await q('entry', [entryId, account.id, -r.amount, id, orderId, lotsJson, balance, now])
    await q('redemption', [id, r.externalId, account.id, r.customerId, r.amount, orderId, r.orderExternalId, now])
    const accountView = { id: account.id, holderType: account.holder_type, customerId: account.customer_id, referrerId: account.referrer_id, balance }
    const data = JSON.stringify({
      account: accountView,
      entry: {
        id: entryId, accountId: account.id, kind: 'redeem', amount: -r.amount, balanceAfter: balance, sourceType: 'redemption', sourceId: id,
        reason: null, orderId, campaignId: null, expiresAt: null, lots: taken, shortfall: 0, createdAt: now.toISOString()
      }
    })
    await q('audit', [uuidv7(), account.id, data, randomUUID()])
    await q('outbox', [uuidv7(), account.id, data])
    const answer = JSON.stringify({
      redemption: {
        id, externalId: r.externalId, accountId: account.id, customerId: r.customerId, referrerId: null, amount: r.amount, reversedAmount: 0,
        status: 'completed', orderId, orderExternalId: r.orderExternalId, itemCode: null, value: null, note: null, version: 1,
        createdAt: now.toISOString(), updatedAt: now.toISOString()
      },
      account: accountView
    })
    if (claimed) {
      const headers = JSON.stringify({ 'content-type': 'application/json; charset=utf-8', location: `/api/v1/points/redemptions/${id}` })
      const done = await q('answer', ['key:raw-bench', r.externalId, headers, pii.seal(answer), claimed.rows[0].created_at])
      if (!done.rowCount) throw new Error('lost the key')
    }
    await client.query('commit')
  } catch (err) {
    await client.query('rollback')
    throw err
  }
}

/** What request `n` of a run redeems: both sides send the same stream. */
export function nthRequest(prefix: string, n: number, customers: readonly string[]): Request {
  return { customerId: customers[n % customers.length], amount: 10 + (n % 50), externalId: `${prefix}${n}`, orderExternalId: `ERP-${prefix}${n}` }
}

export async function runRaw(spec: RedeemRawSpec): Promise<RawResult> {
  const pool = new pg.Pool({ connectionString: spec.url, max: spec.connections })
  const pii = new PiiCipher(Buffer.from(spec.piiKey, 'base64'))
  const latencies: number[] = []
  let next = spec.start
  let bad = 0
  const until = Date.now() + spec.duration * 1000
  const cpu = process.cpuUsage()
  await Promise.all(Array.from({ length: spec.connections }, async () => {
    const client = await pool.connect()
    try {
      while (Date.now() < until) {
        const n = next++
        const started = performance.now()
        try {
          await redeem(client, pii, nthRequest(spec.prefix, n, spec.customers), spec.key)
          latencies.push(performance.now() - started)
        } catch (err) {
          if (bad++ === 0) console.error(`raw redemption failed: ${String(err)}`)
        }
      }
    } finally {
      client.release()
    }
  }))
  const used = process.cpuUsage(cpu)
  await pool.end()
  latencies.sort((a, b) => a - b)
  const at = (p: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0)
  return { rps: latencies.length / spec.duration, p50: at(0.5), p99: at(0.99), requests: latencies.length, bad, cpuMs: (used.user + used.system) / 1000 }
}

// The spec comes over IPC: the list of customers is too long for an environment variable.
if (process.env.BENCH_RAW_CHILD === 'points-redeem') {
  process.once('message', async (spec: RedeemRawSpec) => {
    const result = await runRaw(spec)
    process.send?.({ result })
    process.exit(0)
  })
}
