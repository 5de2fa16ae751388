/**
 * `npm run bench -- --only points-expiry --db postgres`: the points expiry job over
 * --accounts N accounts (default 1,000,000 on PostgreSQL, 100,000 on PGlite), each with an
 * expired lot and one or two live ones (seed.ts), against ONE hand-written set-based
 * statement doing the same writes: every due lot to 0 with its `expire` entry, the accounts'
 * balances, one `points.expired` audit entry and one outbox event per account, with the same
 * ids (UUIDv7 made in SQL) and the same JSON. Each run starts from a fresh copy of the same
 * seeded database (PostgreSQL: CREATE DATABASE … TEMPLATE, then CHECKPOINT; PGlite: a copy of
 * the data directory), --rounds R rounds interleaved (A B, B A, …); after each run both
 * sides' balances, entries, audit and events are compared (digests), so a fast wrong answer
 * cannot pass. The app side is `expireDue` (what the job runs), in process, on a database
 * opened with openDatabase as the app opens it. --reuse (PostgreSQL) keeps the seeded
 * database as the template `crm_points_expiry_<N>` for the next run at that size.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { sql } from 'drizzle-orm'
import { openDatabase, type Database } from '../../../src/db/client.js'
import { expireDue } from '../../../src/modules/points/points.expiry.js'
import { root } from '../children.js'
import { writeBlock } from '../report.js'
import { adminQuery, benchBaseUrl, createBenchDatabase, type BenchDatabase, type DbKind } from '../seed.js'
import { seedPoints, withSession } from './seed.js'

export type ExpiryBenchOptions = { kind: DbKind; accounts: number; rounds: number; batch: number; reuse: boolean; log: (line: string) => void }
export type ExpiryBenchResult = ExpiryBenchOptions & {
  seedSeconds: number | null
  counts: Record<string, number>
  appMs: number[]; handMs: number[]
  expired: { accounts: number; points: number }
  digest: Record<string, string | number>
  plan: string
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2 }

/** The app's UUIDv7 in SQL (points.expiry.ts), so both sides pay the same for their ids. */
const UUIDV7 = `encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid()) placing
  substring(int8send(floor(extract(epoch from clock_timestamp()) * 1000)::bigint) from 3) from 1 for 6), 52, 1), 53, 1), 'hex')::uuid`

/** The hand-written job: one statement over every due lot, no batches, no SKIP LOCKED. */
const handWritten = (at: string) => `
  with lot as (
    select l.id, l.account_id, l.remaining, l.expires_at,
      a.balance - sum(l.remaining) over (partition by l.account_id order by l.expires_at, l.id) as balance_after
    from points_lots l join points_accounts a on a.id = l.account_id
    where l.remaining > 0 and l.expires_at <= '${at}'::timestamptz
  ), spent as (
    update points_lots l set remaining = 0 from lot where l.id = lot.id
  ), entries as (
    insert into points_entries (id, account_id, kind, amount, source_type, source_id, reason, lots, balance_after, created_at)
    select ${UUIDV7}, account_id, 'expire', -remaining, 'expiry', id::text, 'lot expired',
      jsonb_build_array(jsonb_build_object('lot', id, 'amount', remaining)), balance_after, '${at}'::timestamptz
    from lot
  ), totals as (
    select account_id, sum(remaining)::bigint as total,
      jsonb_agg(jsonb_build_object('lot', id, 'amount', remaining,
        'expiresAt', to_char(expires_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')) order by expires_at, id) as lots
    from lot group by account_id
  ), moved as (
    update points_accounts a set balance = a.balance - t.total, version = a.version + 1, updated_at = '${at}'::timestamptz
    from totals t where a.id = t.account_id
    returning a.id, a.holder_type, a.customer_id, a.referrer_id, a.balance, t.total, t.lots
  ), payload as (
    select id, jsonb_build_object(
      'account', jsonb_build_object('id', id, 'holderType', holder_type, 'customerId', customer_id, 'referrerId', referrer_id, 'balance', balance),
      'expired', total, 'lots', lots) as data, total
    from moved
  ), audit as (
    insert into audit_entries (id, actor_type, action, entity_type, entity_id, changes, at)
    select ${UUIDV7}, 'system', 'points.expired', 'points_account', id, data, '${at}'::timestamptz from payload
  ), events as (
    insert into outbox_events (id, type, entity_type, entity_id, data)
    select ${UUIDV7}, 'points.expired', 'points_account', id, data from payload
  )
  select count(*)::int as accounts, sum(total)::bigint as points from payload`

/** What a run wrote, ids aside: equal digests mean the same balances, lots, entries, audit and events. */
const DIGEST = `select
  (select count(*) from points_entries where kind = 'expire')::int as "expire entries",
  (select count(*) from audit_entries where action = 'points.expired')::int as "audit entries",
  (select count(*) from outbox_events where type = 'points.expired')::int as events,
  (select sum(balance) from points_accounts)::text as "balance total",
  (select count(*) from points_lots where remaining > 0)::int as "open lots",
  (select md5(string_agg(id::text || ':' || balance || ':' || version, ',' order by id)) from points_accounts) as balances,
  (select md5(string_agg(id::text || ':' || remaining, ',' order by id)) from points_lots) as lots,
  (select md5(string_agg(account_id::text || source_id || amount || ':' || balance_after || lots::text || created_at, ',' order by account_id, source_id))
     from points_entries where kind = 'expire') as entries,
  (select md5(string_agg(entity_id::text || changes::text || at, ',' order by entity_id)) from audit_entries where action = 'points.expired') as audit,
  (select md5(string_agg(entity_id::text || data::text, ',' order by entity_id)) from outbox_events where type = 'points.expired') as outbox`

type Copy = { open(): Promise<Database>; drop(): Promise<void> }

/** A fresh copy of the seeded database, for one run. */
async function copyOf(kind: DbKind, seeded: BenchDatabase, template: string | null): Promise<Copy> {
  if (kind === 'postgres') {
    const copy = await createBenchDatabase('postgres', benchBaseUrl(), template!)
    // The copy's pages are written out now, not during the run.
    await adminQuery(copy.url!, 'checkpoint')
    return { open: () => openDatabase({ url: copy.url, poolSize: 2 }), drop: copy.drop }
  }
  const dir = mkdtempSync(join(tmpdir(), 'crm-bench-expiry-'))
  cpSync(seeded.dataDir!, dir, { recursive: true })
  return { open: () => openDatabase({ dataDir: join(dir, 'pglite') }), drop: async () => rmSync(dir, { recursive: true, force: true }) }
}

export async function benchExpiry(o: ExpiryBenchOptions): Promise<ExpiryBenchResult> {
  const { log } = o
  const base = benchBaseUrl()
  const keptName = `crm_points_expiry_${o.accounts}`
  let seeded: BenchDatabase
  let template: string | null = null
  let seedSeconds: number | null = null
  const now = new Date()
  const kept = o.reuse && o.kind === 'postgres' && (await adminQuery(base, 'select 1 from pg_database where datname = $1', [keptName])).length > 0
  if (kept) {
    log(`\n== points expiry ${o.kind}: the seeded template ${keptName} (--reuse)`)
    seeded = { kind: 'postgres', drop: async () => {} }
    template = keptName
  } else {
    log(`\n== points expiry ${o.kind}: seeding ${o.accounts.toLocaleString('en')} accounts`)
    seeded = await createBenchDatabase(o.kind)
    const started = performance.now()
    const counts = await withSession(seeded, (exec) => seedPoints(exec, { customers: o.accounts, scale: 1, now }))
      .catch(async (err: unknown) => { await seeded.drop(); throw err })
    seedSeconds = (performance.now() - started) / 1000
    log(`  seeded ${JSON.stringify(counts)} in ${seedSeconds.toFixed(0)} s`)
    if (o.kind === 'postgres') {
      template = new URL(seeded.url!).pathname.slice(1)
      if (o.reuse) {
        await adminQuery(base, `create database ${keptName} template ${template}`)
        log(`  kept a copy as the template ${keptName} (--reuse; drop it by hand when done)`)
      }
    }
  }
  const appMs: number[] = []
  const handMs: number[] = []
  let expired = { accounts: 0, points: 0 }
  let reference: Record<string, string | number> | undefined
  let counts: Record<string, number> = {}
  let plan = ''
  try {
    for (let round = 0; round < o.rounds; round++) {
      for (const side of round % 2 === 0 ? (['app', 'hand'] as const) : (['hand', 'app'] as const)) {
        const copy = await copyOf(o.kind, seeded, template)
        const database = await copy.open()
        try {
          const raw = (text: string) => database.raw(text, [])
          if (round === 0 && side === 'app') {
            const [c] = await raw(`select (select count(*) from points_accounts)::int as accounts, (select count(*) from points_lots)::int as lots,
              (select count(*) from points_lots where remaining > 0 and expires_at <= '${now.toISOString()}')::int as "due lots",
              (select count(*) from points_entries)::int as entries`)
            counts = c as Record<string, number>
            log(`  ${JSON.stringify(counts)}`)
            // The plan of one batch's first step, for the report.
            plan = (await raw(`explain select distinct account_id from points_lots where remaining > 0 and expires_at <= '${now.toISOString()}'::timestamptz limit ${o.batch}`))
              .map((r) => String(r['QUERY PLAN'])).join('\n')
          }
          const started = performance.now()
          if (side === 'app') {
            expired = await expireDue(database.db, now, o.batch)
          } else {
            await database.db.transaction(async (tx) => { await tx.execute(sql.raw(handWritten(now.toISOString()))) })
          }
          const ms = performance.now() - started
          ;(side === 'app' ? appMs : handMs).push(ms)
          const [digest] = await raw(DIGEST) as Record<string, string | number>[]
          const differs = reference && Object.keys(digest).filter((k) => digest[k] !== reference![k])
          if (differs && differs.length) throw new Error(`the ${side === 'app' ? 'job' : 'hand-written statement'} wrote something else (${differs.join(', ')}): ${JSON.stringify(digest)} vs ${JSON.stringify(reference)}`)
          reference ??= digest
          log(`  round ${round + 1} ${side === 'app' ? 'expireDue (the job)' : 'hand-written statement'}: ${(ms / 1000).toFixed(1)} s${differs ? ', same writes' : ''}`)
        } finally {
          await database.close()
          await copy.drop()
        }
      }
    }
    if (expired.accounts !== o.accounts) throw new Error(`the job expired ${expired.accounts} accounts, expected ${o.accounts}`)
    log(`  both wrote ${JSON.stringify(Object.fromEntries(Object.entries(reference!).filter(([, v]) => typeof v === 'number' || /^\d+$/.test(String(v)))))}`)
    return { ...o, seedSeconds, counts, appMs, handMs, expired, digest: reference!, plan }
  } finally {
    if (!kept) await seeded.drop()
  }
}

/** The figures as markdown, also written to docs/performance.md between the bench:points-expiry-<kind> markers. */
export function reportExpiry(r: ExpiryBenchResult, command: string, file?: string, note?: string): string {
  const app = median(r.appMs)
  const hand = median(r.handMs)
  const ratio = app / hand
  const body = [
    `Last run: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, \`${command}\` (${r.kind}): ${r.counts.accounts.toLocaleString('en')} accounts, ${r.counts.lots.toLocaleString('en')} lots of which ${r.counts['due lots'].toLocaleString('en')} due, ${r.counts.entries.toLocaleString('en')} entries${r.seedSeconds === null ? ' (a copy of the template kept by --reuse)' : ` (seeded in ${r.seedSeconds.toFixed(0)} s)`}. Each run on a fresh copy of the seeded database, ${r.rounds} per side interleaved; medians.`,
    '',
    '| run | seconds | × hand-written | goal |',
    '|---|---:|---:|---|',
    `| hand-written: one statement over every due lot (lots, entries, balances, audit, events) | ${(hand / 1000).toFixed(1)} | 1.00 | |`,
    `| \`expireDue\` (the job: batches of ${r.batch.toLocaleString('en')} due lots in account order, SKIP LOCKED, one statement each) | ${(app / 1000).toFixed(1)} | **${ratio.toFixed(2)}** | ≤ 1.5 ${ratio <= 1.5 ? 'met' : 'NOT met'} |`,
    '',
    `Runs (s): job ${r.appMs.map((x) => (x / 1000).toFixed(1)).join(', ')}; hand-written ${r.handMs.map((x) => (x / 1000).toFixed(1)).join(', ')}. Both wrote the same (checked after every run): ${r.digest['expire entries'].toLocaleString('en')} expire entries, ${r.digest['audit entries'].toLocaleString('en')} audit entries, ${r.digest.events.toLocaleString('en')} events, balances and lots equal; the job expired ${r.expired.points.toLocaleString('en')} points.`,
    ...(note ? ['', `Machine: ${note}`] : [])
  ].join('\n')
  if (file) writeBlock(file, `points-expiry-${r.kind}`, '### Points expiry', body)
  return body
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2)
  const flag = (name: string, fallback: string) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : fallback }
  const kind = flag('db', 'postgres') as DbKind
  const result = await benchExpiry({
    kind, accounts: Number(flag('accounts', kind === 'postgres' ? '1000000' : '100000')), rounds: Number(flag('rounds', '2')),
    batch: Number(flag('batch', '5000')), reuse: args.includes('--reuse'), log: (l) => console.log(l)
  })
  console.log(`\n${reportExpiry(result, `npx tsx test/bench/points/expiry.ts ${args.join(' ')}`.trim(), args.includes('--docs') ? `${root}docs/performance.md` : undefined)}`)
}
