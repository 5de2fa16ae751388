/**
 * The analytics benchmark's data: the seed CLI's full set (src/cli/seed-run.ts) at a size
 * scaled from --customers, in a fresh PostgreSQL database or PGlite directory. With
 * `--reuse` the first run at a size keeps a pristine copy (PostgreSQL: the database
 * `crm_bench_analytics_<size>`, its PII key in the database comment; PGlite: a directory
 * in the OS temp dir with the key beside it) and later runs copy it: seeding takes many
 * minutes, a copy one or two. Drop the template by hand when done.
 */
import { randomBytes } from 'node:crypto'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execFileSync } from 'node:child_process'
import { openDatabase, type Database } from '../../../src/db/client.js'
import { applyMigrations } from '../../../src/db/migrate.js'
import { seed } from '../../../src/cli/seed-run.js'
import { adminQuery, benchBaseUrl, type DbKind } from '../seed.js'

export type Sizes = { customers: number; orders: number; referrers: number; referrals: number; users: number; campaigns: number }

/** The full size at 1,000,000 customers, everything else scaled with it (at least a few teams and campaigns). */
export function sizesFor(customers: number): Sizes {
  const big = customers >= 500_000
  return {
    customers, orders: customers * 10, referrers: Math.round(customers / 5), referrals: customers * 2,
    users: big ? 60 : 30, campaigns: big ? 120 : 40
  }
}

export const sizeLabel = (n: number) => (n % 1_000_000 === 0 ? `${n / 1_000_000}m` : n % 1000 === 0 ? `${n / 1000}k` : String(n))

export type Seeded = {
  kind: DbKind
  url?: string
  dataDir?: string
  piiKey: Buffer
  /** 0 when copied from a kept template. */
  seedSeconds: number
  copySeconds: number
  template: string | null
  bytes: number
  drop(): Promise<void>
}

type Log = (line: string) => void

export async function seededDatabase(kind: DbKind, sizes: Sizes, reuse: boolean, log: Log): Promise<Seeded> {
  return kind === 'postgres' ? postgres(sizes, reuse, log) : pglite(sizes, reuse, log)
}

async function postgres(sizes: Sizes, reuse: boolean, log: Log): Promise<Seeded> {
  const base = benchBaseUrl()
  const template = `crm_bench_analytics_${sizeLabel(sizes.customers)}`
  const urlOf = (name: string) => { const u = new URL(base); u.pathname = `/${name}`; return u.toString() }
  const name = `crm_bench_${Date.now()}_${randomBytes(2).toString('hex')}`
  const drop = async () => { await adminQuery(base, `drop database if exists ${name} with (force)`) }
  const [kept] = reuse ? await adminQuery(base, `select shobj_description(oid, 'pg_database') as note from pg_database where datname = $1`, [template]) : []
  const key = typeof kept?.note === 'string' && kept.note.startsWith('pii:') ? kept.note.slice(4) : null
  // A template without its key is still being seeded (or was left half-done): never drop it from here.
  if (kept && !key) throw new Error(`${template} exists but has no PII key in its comment (${JSON.stringify(kept.note)}): still seeding? Wait, or drop it by hand`)
  let piiKey: Buffer
  let seedSeconds = 0
  if (key) {
    piiKey = Buffer.from(key, 'base64')
  } else {
    piiKey = randomBytes(32)
    log(`  seeding ${JSON.stringify(sizes)} into ${reuse ? template : name} (PostgreSQL)`)
    const into = reuse ? template : name
    if (reuse) await adminQuery(base, `drop database if exists ${template} with (force)`)
    await adminQuery(base, `create database ${into}`)
    seedSeconds = await seedInto(await openDatabase({ url: urlOf(into), dataDir: '', poolSize: 2 }), sizes, piiKey, log)
    if (!reuse) return { kind: 'postgres', url: urlOf(name), piiKey, seedSeconds, copySeconds: 0, template: null, bytes: await pgBytes(base, name), drop }
    await adminQuery(base, `comment on database ${template} is 'pii:${piiKey.toString('base64')}'`)
    log(`  kept ${template} as the template for --reuse`)
  }
  // FILE_COPY: a file-level copy, far faster than the default WAL-logged one for a big database.
  const started = performance.now()
  await adminQuery(base, `create database ${name} template ${template} strategy file_copy`)
  const copySeconds = (performance.now() - started) / 1000
  log(`  copied the template ${template} in ${copySeconds.toFixed(0)} s`)
  return { kind: 'postgres', url: urlOf(name), piiKey, seedSeconds, copySeconds, template, bytes: await pgBytes(base, name), drop }
}

async function pglite(sizes: Sizes, reuse: boolean, log: Log): Promise<Seeded> {
  const templateDir = join(tmpdir(), `crm-bench-analytics-pglite-${sizeLabel(sizes.customers)}`)
  const dataDir = mkdtempSync(join(tmpdir(), 'crm-bench-analytics-'))
  const drop = async () => rmSync(dataDir, { recursive: true, force: true })
  let piiKey: Buffer
  let seedSeconds = 0
  let copySeconds = 0
  if (reuse && existsSync(join(templateDir, 'pii.key'))) {
    piiKey = Buffer.from(readFileSync(join(templateDir, 'pii.key'), 'utf8').trim(), 'base64')
    const started = performance.now()
    cpSync(join(templateDir, 'pglite'), join(dataDir, 'pglite'), { recursive: true })
    copySeconds = (performance.now() - started) / 1000
    log(`  copied the PGlite template ${templateDir} in ${copySeconds.toFixed(0)} s`)
  } else {
    piiKey = randomBytes(32)
    log(`  seeding ${JSON.stringify(sizes)} into ${dataDir} (PGlite)`)
    seedSeconds = await seedInto(await openDatabase({ dataDir: join(dataDir, 'pglite'), poolSize: 1 }), sizes, piiKey, log)
    if (reuse) {
      rmSync(templateDir, { recursive: true, force: true })
      mkdirSync(templateDir, { recursive: true })
      cpSync(join(dataDir, 'pglite'), join(templateDir, 'pglite'), { recursive: true })
      writeFileSync(join(templateDir, 'pii.key'), piiKey.toString('base64'))
      log(`  kept ${templateDir} as the template for --reuse`)
    }
  }
  const bytes = Number(execFileSync('du', ['-sb', dataDir], { encoding: 'utf8' }).split('\t')[0])
  return { kind: 'pglite', dataDir, piiKey, seedSeconds, copySeconds, template: reuse ? templateDir : null, bytes, drop }
}

/** Migrates, seeds, vacuums (visibility maps and statistics, as a day of autovacuum would leave them) and closes; returns seconds. */
async function seedInto(database: Database, sizes: Sizes, piiKey: Buffer, log: Log): Promise<number> {
  const started = performance.now()
  try {
    await applyMigrations(database)
    const summary = await seed(database, { ...sizes, piiKey, log: (line) => { if (!/\d+\/\d+ \(/.test(line) || /000000\//.test(line)) log(`    ${line}`) } })
    log(`    seeded ${summary.rows.toLocaleString('en')} rows in ${summary.seconds.toFixed(0)} s`)
    await database.raw('vacuum analyze', [])
  } finally {
    await database.close()
  }
  return (performance.now() - started) / 1000
}

async function pgBytes(base: string, name: string): Promise<number> {
  const [row] = await adminQuery(base, 'select pg_database_size($1)::bigint as bytes', [name])
  return Number(row.bytes)
}
