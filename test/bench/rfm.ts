/**
 * Scoring at scale (issue 5): recomputeRfm on seeded data beside ONE raw SQL statement that
 * aggregates the orders per customer, ranks them into tie-aware quintiles and writes the
 * scores into a table with a primary key. Same database, same run, interleaved.
 *   full rebuild  recomputeRfm REBUILD: aggregates recounted from every order, then scored
 *                 (first run on fresh data, then a repair run on scored data)
 *   nightly       recomputeRfm INCREMENTAL a day later, after a day's new orders through recordOrder
 * Also: what the aggregates add to recordOrder, and the Node process's peak RSS throughout.
 * `npm run bench -- --only rfm --db postgres --customers 1000000 --orders 10000000`
 */
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { sql } from 'drizzle-orm'
import { buildApp } from '../../src/app.js'
import { seed } from '../../src/cli/seed-run.js'
import { loadConfig } from '../../src/config.js'
import { systemActor } from '../../src/modules/auth/actor.js'
import { addOrder } from '../../src/modules/scoring/scoring.aggregates.js'
import { SCORING_WORK_MEM } from '../../src/modules/scoring/scoring.service.js'
import { DAY_MS } from '../../src/rules/rfm.js'
import { writeBlock } from './report.js'
import { adminQuery, benchBaseUrl, createBenchDatabase, type BenchDatabase, type DbKind } from './seed.js'

export type RfmOptions = { kind: DbKind; customers: number; orders: number; newOrders: number; rounds: number; reuse: boolean; log: (line: string) => void }
export type RfmResult = RfmOptions & {
  seedSeconds: number
  baseline: number[]
  firstBuild: number
  rebuild: number[]
  nightly: number
  scored: number
  recordOrderMs: number
  addOrderMs: number
  peakRssMb: number
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const seconds = async (fn: () => Promise<unknown>) => { const t = performance.now(); await fn(); return (performance.now() - t) / 1000 }

/** The baseline: one statement, the same window and counted orders as docs/scoring.md. */
const baselineSql = (asOf: Date) => sql`
  insert into rfm_baseline (customer_id, recency, frequency, monetary, r, f, m)
  with agg as (
    select customer_id, max(paid_at) as last_paid_at, count(*) as frequency, sum(amount - refunded_amount) as monetary
    from orders where status = 'paid' and refunded_amount < amount
      and paid_at >= ${new Date(asOf.getTime() - 365 * DAY_MS).toISOString()}::timestamptz and paid_at <= ${asOf.toISOString()}::timestamptz
    group by customer_id
  ), s as (select *, floor(extract(epoch from (${asOf.toISOString()}::timestamptz - last_paid_at)) / 86400)::int as recency from agg),
  n as (select count(*) as n from s)
  select customer_id, recency, frequency, monetary,
    1 + (5 * (rank() over (order by recency desc) - 1)) / n.n, 1 + (5 * (rank() over (order by frequency) - 1)) / n.n,
    1 + (5 * (rank() over (order by monetary) - 1)) / n.n
  from s, n`

/**
 * The seeded database, and the PII key it was sealed with. With `reuse` (PostgreSQL), the first
 * run at a size keeps a pristine copy as the template `crm_rfm_<customers>_<orders>` (the key in
 * its comment), and later runs start from a copy of it instead of seeding again: at 1M / 10M
 * seeding takes minutes, a copy seconds. Drop the template by hand when done.
 */
async function seededDatabase(opts: RfmOptions, now: Date): Promise<{ target: BenchDatabase; piiKey: Buffer; seedSeconds: number }> {
  const template = `crm_rfm_${opts.customers}_${opts.orders}`
  const base = benchBaseUrl()
  if (opts.reuse && opts.kind === 'postgres') {
    const [found] = await adminQuery(base, `select shobj_description(oid, 'pg_database') as note from pg_database where datname = $1`, [template])
    const key = /^pii:(.+)$/.exec(String(found?.note ?? ''))?.[1]
    if (key) {
      opts.log(`== rfm ${opts.kind}: copying the seeded template ${template}`)
      return { target: await createBenchDatabase('postgres', base, template), piiKey: Buffer.from(key, 'base64'), seedSeconds: 0 }
    }
  }
  const target = await createBenchDatabase(opts.kind)
  const piiKey = randomBytes(32)
  const app = await buildApp({ config: benchConfig(target, piiKey), logger: false })
  let seedSeconds: number
  try {
    opts.log(`== rfm ${opts.kind}: seeding ${opts.customers} customers, ${opts.orders} orders`)
    seedSeconds = (await seed(app.database, { customers: opts.customers, orders: opts.orders, piiKey, now, log: (l) => opts.log(`  ${l}`) })).seconds
    // A database that has been in use is vacuumed; a fresh bulk load is not, and autovacuum
    // would otherwise set about these tables in the middle of the timings.
    if (opts.kind === 'postgres') await app.database.db.execute(sql`vacuum (analyze)`)
  } finally {
    await app.close()
  }
  if (opts.reuse && opts.kind === 'postgres') {
    await adminQuery(base, `drop database if exists ${template}`)
    await adminQuery(base, `create database ${template} template ${new URL(target.url!).pathname.slice(1)}`)
    await adminQuery(base, `comment on database ${template} is 'pii:${piiKey.toString('base64')}'`)
    opts.log(`  kept a copy as the template ${template} (--reuse)`)
  }
  return { target, piiKey, seedSeconds }
}

const benchConfig = (target: BenchDatabase, piiKey: Buffer) => loadConfig({
  ...(target.url ? { DATABASE_URL: target.url, DATABASE_POOL_SIZE: '10' } : {}), DATA_DIR: target.dataDir ?? join('/tmp', 'crm-bench-unused'),
  PII_KEY: piiKey.toString('base64'), JWT_SECRET: randomBytes(24).toString('hex'), JOBS_ENABLED: 'false', LOG_LEVEL: 'silent'
})

export async function benchRfm(opts: RfmOptions): Promise<RfmResult> {
  const { log } = opts
  let peak = 0
  const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss) }, 50)
  const now = new Date()
  const { target, piiKey, seedSeconds } = await seededDatabase(opts, now)
  const app = await buildApp({ config: benchConfig(target, piiKey), logger: false })
  try {
    const db = app.database.db
    await db.execute(sql`create table rfm_baseline (customer_id uuid primary key, recency int, frequency int, monetary bigint, r smallint, f smallint, m smallint)`)
    await db.execute(sql`analyze`)
    const baseline: number[] = []
    const rebuild: number[] = []
    // The baseline at its best: with the work_mem a recompute sets for itself, and with the
    // server's JIT setting and without it, the faster of the two.
    const runBaseline = async () => {
      const times: number[] = []
      for (const jit of ['on', 'off']) {
        await db.execute(sql`truncate rfm_baseline`)
        times.push(await seconds(() => db.transaction(async (tx) => {
          await tx.execute(sql.raw(`set local work_mem = '${SCORING_WORK_MEM}'`))
          if (jit === 'off') await tx.execute(sql`set local jit = off`)
          await tx.execute(baselineSql(now))
        })))
      }
      baseline.push(Math.min(...times))
      log(`  baseline ${times.map((x) => x.toFixed(2)).join(' s (jit on), ')} s (jit off)`)
    }
    let scored = 0
    await runBaseline()
    const firstBuild = await seconds(async () => { scored = (await app.services.scoring.recompute(systemActor, 'rebuild', now)).scored })
    log(`  first full build ${firstBuild.toFixed(2)} s (${scored} scored)`)
    // The first build rewrote most rows; in a deployment autovacuum cleans up after it long
    // before the next night. Done here at once, outside the timings, so it cannot run during them.
    const vacuumSeconds = await seconds(() => db.execute(sql`vacuum (analyze) customers, customer_scores, outbox_events`))
    log(`  vacuum after the first build ${vacuumSeconds.toFixed(1)} s (not timed)`)
    for (let i = 0; i < opts.rounds; i++) {
      await runBaseline()
      rebuild.push(await seconds(() => app.services.scoring.recompute(systemActor, 'rebuild', now)))
      log(`  repair rebuild ${rebuild.at(-1)!.toFixed(2)} s`)
    }
    await runBaseline()
    // A day's orders through the service (aggregates kept in each transaction), then the nightly run.
    const [{ ids }] = (await db.execute(sql`select array_agg(id::text) as ids from (select id from customers order by random() limit ${opts.newOrders}) c`) as unknown as { rows: { ids: string[] }[] }).rows
    const tomorrow = new Date(now.getTime() + DAY_MS)
    let next = 0
    const recordSeconds = await seconds(() => Promise.all(Array.from({ length: 8 }, async () => {
      while (next < ids.length) {
        const customerId = ids[next++]
        await app.services.orders.record(systemActor, { customerId, amount: { amount: 10_000 + next, currency: 'CNY' }, paidAt: new Date(now.getTime() + (next / ids.length) * DAY_MS).toISOString() }, tomorrow)
      }
    })))
    // The aggregates' statement alone, each in a transaction rolled back (nothing kept).
    const rollback = new Error('rollback')
    const addSeconds = await seconds(async () => {
      for (let i = 0; i < 500; i++) {
        await db.transaction(async (tx) => { await addOrder(tx, ids[i % ids.length], 1, now); throw rollback }).catch((e) => { if (e !== rollback) throw e })
      }
    })
    const nightly = await seconds(async () => { scored = (await app.services.scoring.recompute(systemActor, 'incremental', tomorrow)).scored })
    log(`  nightly (incremental, a day later) ${nightly.toFixed(2)} s`)
    await runBaseline()
    return {
      ...opts, seedSeconds, baseline, firstBuild, rebuild, nightly, scored,
      recordOrderMs: (recordSeconds * 1000) / ids.length * 8, addOrderMs: (addSeconds * 1000) / 500, peakRssMb: Math.round(peak / 1e6)
    }
  } finally {
    clearInterval(sampler)
    await app.close()
    await target.drop()
  }
}

/** The figures as markdown, also written to docs/performance.md between the bench:rfm-<kind> markers. */
export function reportRfm(r: RfmResult, command: string, file?: string): string {
  const base = median(r.baseline)
  const lines = [
    `Last run: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, \`${command}\`; ${r.kind}, ${r.customers.toLocaleString('en')} customers, ${r.orders.toLocaleString('en')} orders (${r.seedSeconds > 0 ? `seeded in ${r.seedSeconds.toFixed(0)} s` : 'a copy of the seeded template kept by --reuse'}), ${r.scored.toLocaleString('en')} scored.`,
    '',
    '| run | seconds | × baseline | goal |',
    '|---|---|---|---|',
    `| raw SQL baseline (one statement), median of ${r.baseline.length} | ${base.toFixed(2)} | 1.00 | |`,
    `| full rebuild, first on fresh data (writes every score) | ${r.firstBuild.toFixed(2)} | ${(r.firstBuild / base).toFixed(2)} | ≤ 1.0 |`,
    `| full rebuild, repair on scored data, median of ${r.rebuild.length} | ${median(r.rebuild).toFixed(2)} | ${(median(r.rebuild) / base).toFixed(2)} | ≤ 1.0 |`,
    `| nightly (incremental) a day later, after ${r.newOrders.toLocaleString('en')} new orders | ${r.nightly.toFixed(2)} | ${(r.nightly / base).toFixed(2)} | ≤ 0.2 |`,
    '',
    `recordOrder with 8 concurrent callers: ${r.recordOrderMs.toFixed(2)} ms each; the aggregates' statement alone (addOrder, own transaction): ${r.addOrderMs.toFixed(2)} ms. Peak RSS of the Node process (seeding included): ${r.peakRssMb} MB (limit 500).`,
    '',
    `The baseline runs with the recompute's own work_mem (${SCORING_WORK_MEM}), the faster of JIT on and off, before and after each measured run; the ratio is to the median. After the first build the tables are vacuumed (outside the timings), as autovacuum would have done before the next night.`
  ].join('\n')
  if (file) writeBlock(file, `rfm-${r.kind}`, `## Scoring at scale (${r.kind})`, lines)
  return lines
}
