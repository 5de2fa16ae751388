import { sql } from 'drizzle-orm'
import type { Db } from '../../db/client.js'
import { rows } from '../../db/rows.js'

/** A UUIDv7 made in SQL (the time-ordered ids the app makes with `uuidv7`). */
const UUIDV7 = sql.raw(`encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid()) placing
  substring(int8send(floor(extract(epoch from clock_timestamp()) * 1000)::bigint) from 3) from 1 for 6), 52, 1), 53, 1), 'hex')::uuid`)

/**
 * One batch of the expiry run, set-based in ONE statement (docs/loyalty.md, "Expiry"):
 * the next accounts after `after` (in id order) holding lots whose expiry has come, as
 * many as the first `batch` such lots name, locked SKIP LOCKED (a redemption holding an
 * account's lock is never waited for; its account is done next run); each of their due lots
 * is written off with an `expire` entry, the account's balance falls by the total, and the
 * account gets one `points.expired` event and one audit entry. Returns how many accounts it
 * expired, how many due lots it looked at (fewer than `batch`: none are left after these)
 * and the last account it looked at (where the next batch starts).
 *
 * Why in account order, with a cursor: each batch reads on from where the last stopped
 * (points_lots_open_idx), and its entries, balances and index insertions land in key order,
 * near the previous batch's, as one statement over everything would write them. In expiry
 * order, each batch's accounts are spread over the whole table and every batch touches
 * every page of the entry indexes: half as long again at a million accounts. Without the cursor
 * every batch re-reads what the earlier ones passed: quadratic (test/bench/points/expiry.ts).
 */
export async function expireBatch(db: Db, now: Date, batch: number, after: string | null = null): Promise<{ accounts: number; points: number; scanned: number; last: string | null }> {
  const at = now.toISOString()
  const [result] = await rows<{ accounts: number; points: number | null; scanned: number; last: string | null }>(db, sql`
    with scan as (
      select account_id from points_lots
      where remaining > 0 and expires_at <= ${at}::timestamptz and account_id > ${after ?? NO_ACCOUNT}::uuid
      order by account_id
      limit ${batch}
    ), due as (
      select distinct account_id from scan
    ), acc as (
      select a.id, a.balance from points_accounts a
      where a.id in (select account_id from due)
      order by a.id
      for update skip locked
    ), lot as (
      select l.id, l.account_id, l.remaining, l.expires_at,
        acc.balance - sum(l.remaining) over (partition by l.account_id order by l.expires_at, l.id) as balance_after
      from points_lots l join acc on acc.id = l.account_id
      where l.remaining > 0 and l.expires_at <= ${at}::timestamptz
    ), spent as (
      update points_lots l set remaining = 0 from lot where l.id = lot.id
    ), entries as (
      insert into points_entries (id, account_id, kind, amount, source_type, source_id, reason, lots, balance_after, created_at)
      select ${UUIDV7}, lot.account_id, 'expire', -lot.remaining, 'expiry', lot.id::text, 'lot expired',
        jsonb_build_array(jsonb_build_object('lot', lot.id, 'amount', lot.remaining)), lot.balance_after, ${at}::timestamptz
      from lot
    ), totals as (
      select account_id, sum(remaining)::bigint as total,
        jsonb_agg(jsonb_build_object('lot', id, 'amount', remaining,
          'expiresAt', to_char(expires_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')) order by expires_at, id) as lots
      from lot group by account_id
    ), moved as (
      update points_accounts a set balance = a.balance - t.total, version = a.version + 1, updated_at = ${at}::timestamptz
      from totals t where a.id = t.account_id
      returning a.id, a.holder_type, a.customer_id, a.referrer_id, a.balance, t.total, t.lots
    ), payload as (
      select id, jsonb_build_object(
        'account', jsonb_build_object('id', id, 'holderType', holder_type, 'customerId', customer_id, 'referrerId', referrer_id, 'balance', balance),
        'expired', total, 'lots', lots) as data, total
      from moved
    ), audit as (
      insert into audit_entries (id, actor_type, action, entity_type, entity_id, changes, at)
      select ${UUIDV7}, 'system', 'points.expired', 'points_account', id, data, ${at}::timestamptz from payload
    ), events as (
      insert into outbox_events (id, type, entity_type, entity_id, data)
      select ${UUIDV7}, 'points.expired', 'points_account', id, data from payload
    )
    select count(*)::int as accounts, sum(total)::bigint as points, (select count(*) from scan)::int as scanned,
      -- uuid has no max(); its text form sorts as the uuid does (fixed-width lower-case hex)
      (select max(account_id::text) from scan) as last
    from payload`)
  return { accounts: result?.accounts ?? 0, points: Number(result?.points ?? 0), scanned: result?.scanned ?? 0, last: result?.last ?? null }
}

const NO_ACCOUNT = '00000000-0000-0000-0000-000000000000'

/** Expires everything due, batch after batch, each its own transaction. */
export async function expireDue(db: Db, now: Date, batch = 5000): Promise<{ accounts: number; points: number }> {
  let accounts = 0
  let points = 0
  let after: string | null = null
  for (;;) {
    const done = await expireBatch(db, now, batch, after)
    accounts += done.accounts
    points += done.points
    if (done.scanned < batch) return { accounts, points }
    after = done.last
  }
}
