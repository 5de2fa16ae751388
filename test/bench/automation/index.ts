/**
 * `npm run bench -- --only automation --db postgres`: a segment-entry journey enrolling
 * --customers N (default 1,000,000 on PostgreSQL, 100,000 on PGlite) customers, with one
 * marketing SMS step, against hand-written set-based SQL doing the same writes (handwritten.ts).
 * Each run starts from a fresh copy of the same seeded database (seed.ts; PostgreSQL: CREATE
 * DATABASE … TEMPLATE then CHECKPOINT; PGlite: a copy of the data directory); --rounds R rounds
 * interleaved (A B, B A, …). Per run two phases are timed:
 *   enrollment  app: services.journeyEngine.scan(now) (what the journey-scan job runs);
 *               hand: one INSERT of the audience snapshot and the enrollments
 *   step        app: runDue(now) batch after batch (--batch, default JOURNEY_BATCH) until none
 *               is due, the gate deciding consent, address, caps (what the worker loops);
 *               hand: one statement with the consent and cap checks in SQL
 * After each phase both sides' writes are compared (digests: rows ids aside, the unsubscribe
 * links checked against an HMAC in SQL), so a fast wrong answer cannot pass. The app runs
 * in process on a database opened with openDatabase as the app opens it.
 * Then (PostgreSQL) the cap under concurrency (caps.ts).
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'drizzle-orm'
import { loadConfig } from '../../../src/config.js'
import { openDatabase, type Database } from '../../../src/db/client.js'
import { PiiCipher } from '../../../src/lib/pii.js'
import { createServices } from '../../../src/modules/services.js'
import { messageGateOf } from '../../../src/modules/automation/journey-messages.js'
import { runDueSteps } from '../../../src/modules/automation/journey-runner.js'
import { adminQuery, benchBaseUrl, createBenchDatabase, type BenchDatabase, type DbKind } from '../seed.js'
import { withSession } from '../points/seed.js'
import { ENROLL_DIGEST, enrollSql, stepDigest, stepSql } from './handwritten.js'
import { seedAutomation } from './seed.js'
import { benchCaps, type CapsResult } from './caps.js'

export type AutomationOptions = { kind: DbKind; customers: number; rounds: number; batch: number | null; reuse: boolean; log: (line: string) => void }
export type AutomationResult = AutomationOptions & {
  seedSeconds: number | null; counts: Record<string, number>; batchUsed: number
  app: { enrollMs: number[]; stepMs: number[]; passes: number }; hand: { enrollMs: number[]; stepMs: number[] }
  enrolled: number; outcomes: Record<string, number>; caps: CapsResult | null
}

type Copy = { open(): Promise<Database>; drop(): Promise<void> }

async function copyOf(kind: DbKind, seeded: BenchDatabase, template: string | null): Promise<Copy> {
  if (kind === 'postgres') {
    const copy = await createBenchDatabase('postgres', benchBaseUrl(), template!)
    await adminQuery(copy.url!, 'checkpoint')
    return { open: () => openDatabase({ url: copy.url, poolSize: 4 }), drop: copy.drop }
  }
  const dir = mkdtempSync(join(tmpdir(), 'crm-bench-automation-'))
  cpSync(seeded.dataDir!, dir, { recursive: true })
  return { open: () => openDatabase({ dataDir: join(dir, 'pglite') }), drop: async () => rmSync(dir, { recursive: true, force: true }) }
}

/** Noon in Shanghai today (no quiet hours), the instant every run uses. */
function benchNow(): Date {
  const d = new Date()
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), 4, 0, 0))
}

export async function benchAutomation(o: AutomationOptions): Promise<AutomationResult> {
  const { log } = o
  const base = benchBaseUrl()
  // A fixed key per size, so a kept template's sealed phones and the SQL HMAC agree across runs.
  const piiKey = Buffer.alloc(32, 7)
  const pii = new PiiCipher(piiKey)
  const config = loadConfig({ REPORTING_TIMEZONE: 'Asia/Shanghai', ...(o.batch ? { JOURNEY_BATCH: String(o.batch) } : {}) })
  const now = benchNow()
  const at = now.toISOString()
  const keptName = `crm_automation_${o.customers}_${at.slice(0, 10).replace(/-/g, '')}`
  let seeded: BenchDatabase
  let template: string | null = null
  let seedSeconds: number | null = null
  const kept = o.reuse && o.kind === 'postgres' && (await adminQuery(base, 'select 1 from pg_database where datname = $1', [keptName])).length > 0
  if (kept) {
    log(`\n== automation ${o.kind}: the seeded template ${keptName} (--reuse)`)
    seeded = { kind: 'postgres', drop: async () => {} }
    template = keptName
  } else {
    log(`\n== automation ${o.kind}: seeding ${o.customers.toLocaleString('en')} customers in the audience`)
    seeded = await createBenchDatabase(o.kind)
    const started = performance.now()
    const counts = await withSession(seeded, (exec) => seedAutomation(exec, { customers: o.customers, now, pii }))
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
  const app = { enrollMs: [] as number[], stepMs: [] as number[], passes: 0 }
  const hand = { enrollMs: [] as number[], stepMs: [] as number[] }
  let refEnroll: Record<string, unknown> | undefined
  let refStep: Record<string, unknown> | undefined
  let counts: Record<string, number> = {}
  let enrolled = 0
  const compare = (what: string, side: string, digest: Record<string, unknown>, ref: Record<string, unknown> | undefined) => {
    const differs = ref ? Object.keys(digest).filter((k) => digest[k] !== ref[k]) : []
    if (differs.length) throw new Error(`${side} wrote another ${what} (${differs.join(', ')}): ${JSON.stringify(digest)} vs ${JSON.stringify(ref)}`)
    return ref ? ', same writes' : ''
  }
  try {
    for (let round = 0; round < o.rounds; round++) {
      for (const side of round % 2 === 0 ? (['app', 'hand'] as const) : (['hand', 'app'] as const)) {
        const copy = await copyOf(o.kind, seeded, template)
        const database = await copy.open()
        try {
          const raw = (text: string) => database.raw(text, [])
          if (round === 0 && side === 'app') {
            const [c] = await raw(`select (select count(*) from customers)::int as customers, (select count(*) from customer_scores where segment = 'At Risk')::int as audience,
              (select count(*) from consent_records)::int as "consent records", (select count(*) from messages)::int as "earlier messages"`)
            counts = c as Record<string, number>
          }
          let started = performance.now()
          if (side === 'app') {
            const deps = { db: database.db, raw: database.raw, pii, config }
            const services = createServices(deps)
            const failed = (err: unknown, item: Record<string, unknown>) => { throw Object.assign(new Error(`engine failure ${JSON.stringify(item)}`), { cause: err }) }
            const r = await services.journeyEngine.scan(now, failed)
            enrolled = r.enrolled
            app.enrollMs.push(performance.now() - started)
            log(`  round ${round + 1} app  journeyEngine.scan: ${((performance.now() - started) / 1000).toFixed(1)} s, ${r.enrolled.toLocaleString('en')} enrolled${compare('enrollment', 'the engine', (await raw(ENROLL_DIGEST))[0], refEnroll)}`)
            refEnroll ??= (await raw(ENROLL_DIGEST))[0]
            // The worker's loop: runDue until nothing is due. Until journey-messages.ts is wired to the gate, the runner gets services.messageGate directly.
            const wired = messageGateOf(deps) !== null
            const runDue = wired
              ? () => services.journeyEngine.runDue(now, config.JOURNEY_BATCH, failed)
              : () => runDueSteps({ db: database.db, pii, timeZone: config.REPORTING_TIMEZONE, gate: services.messageGate, failed }, now, config.JOURNEY_BATCH)
            started = performance.now()
            let passes = 0
            for (;;) {
              const s = await runDue()
              if (s.ran === 0) break
              passes++
            }
            app.stepMs.push(performance.now() - started)
            app.passes = passes
            const digest = (await raw(stepDigest(piiKey, config.PUBLIC_BASE_URL)))[0]
            log(`  round ${round + 1} app  runDue × ${passes} (batch ${config.JOURNEY_BATCH}${wired ? '' : ', gate passed in by the bench'}): ${(app.stepMs.at(-1)! / 1000).toFixed(1)} s${compare('step', 'the engine', digest, refStep)}`)
            refStep ??= digest
          } else {
            await database.db.transaction(async (tx) => { await tx.execute(sql.raw(enrollSql(at))) })
            hand.enrollMs.push(performance.now() - started)
            log(`  round ${round + 1} hand enrollment statement: ${((performance.now() - started) / 1000).toFixed(1)} s${compare('enrollment', 'the hand-written statement', (await raw(ENROLL_DIGEST))[0], refEnroll)}`)
            refEnroll ??= (await raw(ENROLL_DIGEST))[0]
            started = performance.now()
            await database.db.transaction(async (tx) => { await tx.execute(sql.raw(stepSql(at, piiKey, config.PUBLIC_BASE_URL))) })
            hand.stepMs.push(performance.now() - started)
            const digest = (await raw(stepDigest(piiKey, config.PUBLIC_BASE_URL)))[0]
            log(`  round ${round + 1} hand step statement: ${(hand.stepMs.at(-1)! / 1000).toFixed(1)} s${compare('step', 'the hand-written statement', digest, refStep)}`)
            refStep ??= digest
          }
        } finally {
          await database.close()
          await copy.drop()
        }
      }
    }
    const ref = refStep as Record<string, string | number>
    if (ref['genuine links'] !== ref['with content']) throw new Error(`unsubscribe links: ${ref['genuine links']} genuine of ${ref['with content']}`)
    if (ref['keyed to their enrollment'] !== ref.messages) throw new Error('messages not keyed to their enrollments')
    log(`  both wrote ${JSON.stringify(refEnroll)} and ${JSON.stringify(ref)}`)
    const caps = o.kind === 'postgres' ? await benchCaps({ template: template!, pii, config, now, log }) : null
    return {
      ...o, seedSeconds, counts, batchUsed: config.JOURNEY_BATCH, app, hand, enrolled,
      outcomes: JSON.parse(String(ref.outcomes)) as Record<string, number>, caps
    }
  } finally {
    if (!kept) await seeded.drop()
  }
}
