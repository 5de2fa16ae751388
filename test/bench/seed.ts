/**
 * Benchmark data: a fresh database (PostgreSQL `crm_bench_<ts>` or a PGlite temp dir),
 * migrated with the app's own migrations, then seeded fast with multi-row INSERTs over
 * `unnest` arrays: teams, users, referrers, customers with PII sealed by the app's
 * PiiCipher, and activities for the newest customers.
 *
 * Standalone: `npx tsx test/bench/seed.ts --db postgres --customers 100000 --keep`
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { pathToFileURL } from 'node:url'
import pg from 'pg'
import { uuidv7 } from 'uuidv7'
import { openDatabase, type Database } from '../../src/db/client.js'
import { applyMigrations } from '../../src/db/migrate.js'
import { PiiCipher } from '../../src/lib/pii.js'
import { maskEmail, maskPhone } from '../../src/rules/contact.js'

export type DbKind = 'postgres' | 'pglite'

export type BenchDatabase = {
  kind: DbKind
  /** postgres://… of the fresh database (PostgreSQL only). */
  url?: string
  /** The app's DATA_DIR (PGlite only); the database itself is in DATA_DIR/pglite. */
  dataDir?: string
  /** Drops the database / removes the directory. */
  drop(): Promise<void>
}

export type SeedOptions = {
  customers: number
  referrers: number
  users: number
  teams: number
  activitiesPerCustomer: number
  /** How many of the newest customers get activities (the nested page reads the newest 50). */
  activityCustomers: number
  batch: number
  piiKey: Buffer
  log?: (line: string) => void
}

export type SeedReport = {
  seconds: number
  counts: { teams: number; users: number; referrers: number; customers: number; activities: number }
  /** A random sample of customer ids for point reads. */
  sampleIds: string[]
}

export const defaultSeed = (piiKey: Buffer): SeedOptions => ({
  customers: 100_000, referrers: 5_000, users: 20, teams: 4, activitiesPerCustomer: 5,
  activityCustomers: 100_000, batch: 5_000, piiKey
})

export const benchBaseUrl = () => process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

/** A new database of the given kind: empty, or on PostgreSQL a copy of `template`. */
export async function createBenchDatabase(kind: DbKind, baseUrl = benchBaseUrl(), template?: string): Promise<BenchDatabase> {
  if (kind === 'pglite') {
    const dataDir = mkdtempSync(join(tmpdir(), 'crm-bench-pglite-'))
    return { kind, dataDir, drop: async () => rmSync(dataDir, { recursive: true, force: true }) }
  }
  const name = `crm_bench_${Date.now()}_${randomBytes(2).toString('hex')}`
  await adminQuery(baseUrl, `create database ${name}${template ? ` template ${template}` : ''}`)
  const url = new URL(baseUrl)
  url.pathname = `/${name}`
  return { kind, url: url.toString(), drop: async () => { await adminQuery(baseUrl, `drop database if exists ${name} with (force)`) } }
}

export async function adminQuery(baseUrl: string, text: string, values: unknown[] = []): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: baseUrl })
  await client.connect()
  try { return (await client.query(text, values)).rows } finally { await client.end() }
}

type Exec = (text: string, values?: unknown[]) => Promise<{ rows: Record<string, unknown>[] }>

/** Opens the database the way the app does and applies the app's migrations. */
async function open(target: BenchDatabase): Promise<{ database: Database; exec: Exec }> {
  // The app keeps PGlite in DATA_DIR/pglite (src/app.ts): seed exactly where it will look.
  const database = await openDatabase(target.kind === 'postgres' ? { url: target.url, poolSize: 2 } : { dataDir: join(target.dataDir!, 'pglite') })
  await applyMigrations(database)
  if (target.kind === 'pglite') {
    return { database, exec: (text, values) => database.pglite!.query(text, values) as Promise<{ rows: Record<string, unknown>[] }> }
  }
  // One session, so the session settings made for the bulk load stay with it.
  const client = await database.pool!.connect()
  return {
    database: { ...database, close: async () => { client.release(); await database.close() } },
    exec: (text, values) => client.query(text, values)
  }
}

/** Deterministic pseudo-random numbers (mulberry32): the same data on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '郭']
const GIVEN = ['伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明']
const INDUSTRIES = ['manufacturing', 'retail', 'finance', 'education', 'healthcare', 'software', 'logistics', 'real_estate']
const REGIONS = ['华东', '华南', '华北', '西南', '华中', '东北', '西北']
const CHANNELS = ['referral', 'wechat', 'web', 'event', 'import']
const STAGES = ['prospect', 'nurturing', 'loyal', 'at_risk', 'churned']
const GENDERS = ['male', 'female', 'unknown']
const TIERS = ['A', 'B', 'C', null]
const KINDS = ['customer', 'employee', 'partner', 'influencer', 'other']

/** Inserts one batch: `columns` are `name::type[]` pairs fed from parallel arrays. */
async function insertUnnest(exec: Exec, table: string, columns: [string, string][], data: unknown[][]): Promise<void> {
  const names = columns.map(([n]) => n).join(', ')
  const args = columns.map(([, t], i) => `$${i + 1}::${t}[]`).join(', ')
  await exec(`insert into ${table} (${names}) select * from unnest(${args})`, data.map(arrayLiteral))
}

/** A PostgreSQL array literal: both drivers pass it through unchanged, whatever the element type. */
function arrayLiteral(values: unknown[]): string {
  return `{${values.map((v) => (v === null || v === undefined ? 'NULL' : `"${String(v).replace(/[\\"]/g, '\\$&')}"`)).join(',')}}`
}

/** Creates the schema and the data; returns counts, time and a sample of customer ids. */
export async function seed(target: BenchDatabase, opts: SeedOptions): Promise<SeedReport> {
  const log = opts.log ?? (() => {})
  const started = performance.now()
  const { database, exec } = await open(target)
  try {
    const rnd = random(20240601)
    const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]
    const pii = new PiiCipher(opts.piiKey)
    const now = Date.now()

    // Bulk load: secondary indexes are dropped and rebuilt once at the end (much faster than per row).
    const indexes = (await exec(`select indexname, indexdef from pg_indexes where schemaname = 'public'
      and tablename in ('customers', 'activities', 'referrers') and indexname not like '%_pkey'`)).rows as { indexname: string; indexdef: string }[]
    for (const ix of indexes) await exec(`drop index ${ix.indexname}`)
    // The generated data is consistent by construction: skip per-row foreign-key triggers.
    await exec('set session_replication_role = replica')
    await exec('set synchronous_commit = off')

    const teamIds = Array.from({ length: opts.teams }, () => uuidv7())
    await insertUnnest(exec, 'teams', [['id', 'uuid'], ['name', 'text']], [teamIds, teamIds.map((_, i) => `Bench team ${i + 1}`)])
    const userIds = Array.from({ length: opts.users }, () => uuidv7())
    await insertUnnest(exec, 'users', [['id', 'uuid'], ['name', 'text'], ['email', 'text'], ['role', 'role'], ['team_id', 'uuid']], [
      userIds, userIds.map((_, i) => `${pick(SURNAMES)}${pick(GIVEN)} ${i + 1}`), userIds.map((_, i) => `rep${i + 1}@bench.example.com`),
      userIds.map((_, i) => (i % 5 === 0 ? 'manager' : 'sales')), userIds.map((_, i) => teamIds[i % teamIds.length])
    ])

    const referrerIds = Array.from({ length: opts.referrers }, () => uuidv7())
    for (let from = 0; from < referrerIds.length; from += opts.batch) {
      const ids = referrerIds.slice(from, from + opts.batch)
      await insertUnnest(exec, 'referrers', [['id', 'uuid'], ['kind', 'referrer_kind'], ['name', 'text'], ['code', 'text'], ['owner_id', 'uuid'], ['created_at', 'timestamptz']], [
        ids, ids.map(() => pick(KINDS)), ids.map((_, i) => `推荐人 ${pick(SURNAMES)}${pick(GIVEN)} ${from + i + 1}`),
        ids.map((_, i) => `B${(from + i).toString(36).toUpperCase().padStart(6, '0')}`), ids.map(() => pick(userIds)),
        ids.map((_, i) => new Date(now - (from + i) * 3_600_000).toISOString())
      ])
    }
    log(`  referrers ${referrerIds.length} (${secondsSince(started)} s)`)

    const sampleIds: string[] = []
    let activities = 0
    for (let from = 0; from < opts.customers; from += opts.batch) {
      const n = Math.min(opts.batch, opts.customers - from)
      const ids: string[] = []; const names: string[] = []; const genders: string[] = []
      const phoneEnc: string[] = []; const phoneIdx: string[] = []; const phoneMasked: string[] = []
      const emailEnc: string[] = []; const emailIdx: string[] = []; const emailMasked: string[] = []
      const companies: string[] = []; const industries: string[] = []; const regions: string[] = []; const channels: string[] = []
      const owners: string[] = []; const refs: string[] = []; const stages: string[] = []; const tiers: (string | null)[] = []; const created: string[] = []
      for (let k = 0; k < n; k++) {
        const i = from + k
        const id = uuidv7()
        ids.push(id)
        if (rnd() < 2000 / opts.customers) sampleIds.push(id)
        names.push(`${pick(SURNAMES)}${pick(GIVEN)}${pick(GIVEN)} ${i + 1}`)
        genders.push(pick(GENDERS))
        // Unique, valid mainland mobiles and emails, normalised as the app stores them.
        const phone = `1${3 + (i % 7)}${String(i).padStart(9, '0')}`
        const email = `customer${i + 1}@bench.example.com`
        phoneEnc.push(pii.seal(phone)); phoneIdx.push(pii.index(phone)); phoneMasked.push(maskPhone(phone))
        emailEnc.push(pii.seal(email)); emailIdx.push(pii.index(email)); emailMasked.push(maskEmail(email))
        companies.push(`Company ${(i % 9973) + 1} Ltd`); industries.push(pick(INDUSTRIES)); regions.push(pick(REGIONS)); channels.push(pick(CHANNELS))
        owners.push(pick(userIds)); refs.push(pick(referrerIds)); stages.push(pick(STAGES)); tiers.push(pick(TIERS))
        // Customer 0 is the newest; one every 10 minutes going back (100k ≈ 2 years).
        created.push(new Date(now - i * 600_000).toISOString())
      }
      await insertUnnest(exec, 'customers', [
        ['id', 'uuid'], ['name', 'text'], ['gender', 'gender'],
        ['phone_enc', 'text'], ['phone_idx', 'text'], ['phone_masked', 'text'], ['email_enc', 'text'], ['email_idx', 'text'], ['email_masked', 'text'],
        ['company', 'text'], ['industry', 'text'], ['region', 'text'], ['source_channel', 'text'],
        ['owner_id', 'uuid'], ['referrer_id', 'uuid'], ['lifecycle_stage', 'lifecycle_stage'], ['tier', 'customer_tier'],
        ['created_at', 'timestamptz'], ['updated_at', 'timestamptz']
      ], [ids, names, genders, phoneEnc, phoneIdx, phoneMasked, emailEnc, emailIdx, emailMasked,
        companies, industries, regions, channels, owners, refs, stages, tiers, created, created])

      const withActivities = Math.max(0, Math.min(n, opts.activityCustomers - from))
      if (withActivities > 0 && opts.activitiesPerCustomer > 0) {
        // Generated in SQL: kinds rotate, times spread after the customer's creation.
        await exec(`insert into activities (id, kind, direction, subject, occurred_at, author_id, customer_id, created_at, updated_at)
          select gen_random_uuid(), (enum_range(null::activity_kind))[1 + ((g + c.ord) % 8)::int], 'outbound', 'Follow-up ' || g,
                 c.created_at + g * interval '7 minutes', c.owner_id, c.id, c.created_at + g * interval '7 minutes', c.created_at + g * interval '7 minutes'
          from unnest($1::uuid[], $2::uuid[], $3::timestamptz[]) with ordinality as c(id, owner_id, created_at, ord)
          cross join generate_series(1, $4::int) as g`,
        [arrayLiteral(ids.slice(0, withActivities)), arrayLiteral(owners.slice(0, withActivities)), arrayLiteral(created.slice(0, withActivities)), opts.activitiesPerCustomer])
        activities += withActivities * opts.activitiesPerCustomer
      }
      if ((from / opts.batch) % 4 === 3 || from + n >= opts.customers) log(`  customers ${from + n}, activities ${activities} (${secondsSince(started)} s)`)
    }
    await exec('set session_replication_role = origin')
    const indexed = performance.now()
    for (const ix of indexes) await exec(ix.indexdef)
    log(`  ${indexes.length} indexes rebuilt in ${secondsSince(indexed)} s`)
    await exec('vacuum analyze')
    return {
      seconds: Number(secondsSince(started)),
      counts: { teams: opts.teams, users: opts.users, referrers: opts.referrers, customers: opts.customers, activities },
      sampleIds
    }
  } finally {
    await database.close()
  }
}

function secondsSince(start: number): string {
  return ((performance.now() - start) / 1000).toFixed(1)
}

// Standalone: seed a database and print how to point the app at it.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2)
  const flag = (name: string) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : undefined }
  const kind = (flag('db') ?? 'postgres') as DbKind
  const piiKey = flag('pii-key') ? Buffer.from(flag('pii-key')!, 'base64') : randomBytes(32)
  const customers = Number(flag('customers') ?? 100_000)
  const opts = { ...defaultSeed(piiKey), customers, activityCustomers: Number(flag('activity-customers') ?? customers), log: console.log }
  const target = await createBenchDatabase(kind)
  const report = await seed(target, opts)
  console.log(`seeded ${JSON.stringify(report.counts)} in ${report.seconds} s`)
  if (args.includes('--keep')) {
    console.log(`kept: ${target.url ? `DATABASE_URL=${target.url}` : `DATA_DIR=${target.dataDir}`} PII_KEY=${piiKey.toString('base64')}`)
  } else {
    await target.drop()
    console.log('dropped (pass --keep to keep it)')
  }
}
