/**
 * Points benchmark data in a few set-based statements (generate_series): `customers`
 * minimal customers (id and name: the points paths read nothing else), an account for each,
 * and per account earn lots with their `earn` entries, balances that equal the ledger:
 *   expired  one lot earned 13 months ago whose expiry (a year after) passed in the last
 *            30 days, not yet written off (the job's work)
 *   live     one lot expiring in about 9 months, and for every other account a second one
 *            expiring in about 11 months
 * `scale` multiplies the live lots' amounts (a redemption benchmark wants ample points).
 * Ids are UUIDv7 made in SQL, time-ordered as the app makes them.
 */
import { join } from 'node:path'
import { openDatabase } from '../../../src/db/client.js'
import { applyMigrations } from '../../../src/db/migrate.js'
import type { BenchDatabase } from '../seed.js'

export type Exec = (text: string) => Promise<{ rows: Record<string, unknown>[] }>

export type PointsSeed = { customers: number; scale: number; now: Date }

/** A UUIDv7 for the instant `ms` (an SQL bigint expression of epoch milliseconds). */
export const uuidv7At = (ms: string) => `encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid()) placing
  substring(int8send((${ms})::bigint) from 3) from 1 for 6), 52, 1), 53, 1), 'hex')::uuid`

/** Migrates the fresh database the way the app does, then runs `fn` on one session of it (bulk-load settings stay with it). */
export async function withSession<T>(target: BenchDatabase, fn: (exec: Exec) => Promise<T>): Promise<T> {
  const database = await openDatabase(target.kind === 'postgres' ? { url: target.url, poolSize: 2 } : { dataDir: join(target.dataDir!, 'pglite') })
  try {
    await applyMigrations(database)
    if (database.pglite) return await fn((text) => database.pglite!.query(text) as Promise<{ rows: Record<string, unknown>[] }>)
    const client = await database.pool!.connect()
    try {
      return await fn((text) => client.query(text))
    } finally {
      client.release()
    }
  } finally {
    await database.close()
  }
}

/** Seeds customers, accounts, lots and entries; returns the row counts. */
export async function seedPoints(exec: Exec, o: PointsSeed): Promise<Record<string, number>> {
  const now = o.now.getTime()
  const at = o.now.toISOString()
  const day = 86_400_000
  // Bulk load: secondary indexes dropped and built once at the end; the data is consistent by construction.
  const indexes = (await exec(`select indexname, indexdef from pg_indexes where schemaname = 'public'
    and tablename in ('customers', 'points_accounts', 'points_lots', 'points_entries') and indexname not like '%_pkey'`)).rows as { indexname: string; indexdef: string }[]
  for (const ix of indexes) await exec(`drop index ${ix.indexname}`)
  await exec('set session_replication_role = replica')
  await exec('set synchronous_commit = off')
  // Customers joined a minute apart, the newest now.
  await exec(`insert into customers (id, name, created_at, updated_at)
    select ${uuidv7At(`${now} - g * 60000`)}, '会员 ' || g, t, t
    from generate_series(1::bigint, ${o.customers}) g cross join lateral (select to_timestamp((${now} - g * 60000) / 1000.0) as t) c`)
  await exec(`insert into points_accounts (id, holder_type, customer_id, balance, created_at, updated_at)
    select ${uuidv7At(`extract(epoch from c.created_at) * 1000`)}, 'customer', c.id, 0, c.created_at, c.created_at from customers c`)
  // The lots: earned at times scrambled over a month (unrelated to the account's place in its
  // table), each expiring a year after it was earned; stored in the order they were earned, as
  // a live system stores them, so the due lots sit together, in expiry order, and their
  // accounts are spread over the accounts table.
  const month = (factor: number) => `((a.n * ${factor}) % 43200) * 60000`
  await exec(`create temporary table bench_lots as
    select a.id as account_id, ${uuidv7At('extract(epoch from p.earned_at) * 1000')} as id, p.amount, p.earned_at, p.earned_at + interval '365 days' as expires_at
    from (select id, row_number() over (order by id) as n from points_accounts) a
    cross join lateral (values
      (100 + a.n % 900, to_timestamp((${now} - ${395 * day} + ${month(7919)}) / 1000.0)),
      ((500 + a.n % 1000) * ${o.scale}::bigint, to_timestamp((${now} - ${90 * day} + ${month(104729)}) / 1000.0)),
      (case when a.n % 2 = 0 then (200 + a.n % 300) * ${o.scale}::bigint end, to_timestamp((${now} - ${30 * day} + ${month(6151)}) / 1000.0))
    ) as p(amount, earned_at)
    where p.amount is not null`)
  await exec(`insert into points_lots (id, account_id, amount, remaining, earned_at, expires_at)
    select id, account_id, amount, amount, earned_at, expires_at from bench_lots order by earned_at, id`)
  await exec(`insert into points_entries (id, account_id, kind, amount, source_type, source_id, reason, expires_at, lots, balance_after, created_at)
    select * from (
      select id, account_id, 'earn'::points_entry_kind, amount, 'campaign', 'bench:' || id, 'bench seed', expires_at,
        jsonb_build_array(jsonb_build_object('lot', id, 'amount', amount)),
        sum(amount) over (partition by account_id order by earned_at, id), earned_at
      from bench_lots) e
    order by earned_at, id`)
  await exec(`update points_accounts a set balance = t.total from (select account_id, sum(amount) as total from bench_lots group by account_id) t
    where a.id = t.account_id`)
  await exec('drop table bench_lots')
  await exec('set session_replication_role = origin')
  for (const ix of indexes) await exec(ix.indexdef)
  await exec('vacuum analyze customers')
  await exec('vacuum analyze points_accounts')
  await exec('vacuum analyze points_lots')
  await exec('vacuum analyze points_entries')
  const [counts] = (await exec(`select (select count(*) from customers)::int as customers, (select count(*) from points_accounts)::int as accounts,
    (select count(*) from points_lots)::int as lots, (select count(*) from points_lots where expires_at <= '${at}')::int as "expired lots",
    (select count(*) from points_entries)::int as entries`)).rows
  return counts as Record<string, number>
}
