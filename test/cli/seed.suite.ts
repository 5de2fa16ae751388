import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { buildApp } from '../../src/app.js'
import { seed, type SeedSummary } from '../../src/cli/seed-run.js'
import { loadConfig } from '../../src/config.js'
import { normalizeReferralCode } from '../../src/rules/referral-code.js'
import { forEachDatabase, type TestApp } from '../helper.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const MOBILE = /^1[3-9]\d{9}$/

/** The run's rows of a table, in the order the seeder made them (by the number in externalId). */
const byRun = (table: string, letter: string, run: string) =>
  `select * from ${table} where external_id like 'seed-${run}-${letter}%' order by (substring(external_id from '-${letter}(\\d+)$'))::int`

/** Aggregates that differ from a direct count over the orders (counted: paid, not fully refunded). */
const AGGREGATE_MISMATCHES = `select count(*)::int as n from (
    select customer_id, count(*)::int as n, sum(amount - refunded_amount)::bigint as net, max(paid_at) as last
    from orders where status = 'paid' and refunded_amount < amount group by customer_id
  ) a full join customer_scores s on s.customer_id = a.customer_id
  where (coalesce(a.n, 0), coalesce(a.net, 0), a.last) is distinct from (s.paid_orders, s.net_paid, s.last_paid_at)`

function piiKeyOf(ctx: TestApp): Buffer {
  return Buffer.from(ctx.app.config.PII_KEY!, 'base64')
}

await forEachDatabase(t, async (t, ctx) => {
  const rep = await ctx.staff('sales')
  const now = new Date()
  const options = { customers: 300, orders: 2000, referrers: 5, seed: 7, batch: 700, now, piiKey: piiKeyOf(ctx) }
  const first: SeedSummary = await seed(ctx.app.database, options)
  const run = first.runId

  await t.test('writes the counts asked for and says so', async (t) => {
    t.match(first, { referrers: 5, customers: 300, orders: 2000 })
    const [c] = await ctx.sql<{ customers: number; orders: number; referrers: number; refunds: number }>(`select
      (select count(*)::int from customers where external_id like 'seed-${run}-c%') as customers,
      (select count(*)::int from orders where external_id like 'seed-${run}-o%') as orders,
      (select count(*)::int from referrers where external_id like 'seed-${run}-r%') as referrers,
      (select count(*)::int from order_refunds where external_id like 'seed-${run}-f%') as refunds`)
    t.same(c, { customers: 300, orders: 2000, referrers: 5, refunds: first.refunds })
    t.equal(first.rows, 5 + 300 + 2000 + first.refunds)
    t.ok(first.rowsPerSecond > 0)
  })

  await t.test('every order belongs to a seeded customer, paid after they became one and not in the future', async (t) => {
    const [r] = await ctx.sql<{ orders: number; early: number; future: number; misattributed: number; amounts: number }>(`select
      count(*)::int as orders,
      (count(*) filter (where o.paid_at < c.created_at))::int as early,
      (count(*) filter (where o.paid_at > $1 or o.created_at > $1 or o.updated_at > $1))::int as future,
      (count(*) filter (where o.referrer_id is distinct from c.referrer_id))::int as misattributed,
      (count(*) filter (where o.amount < 2000 or o.amount > 5000000 or o.currency <> 'CNY'))::int as amounts
      from orders o join customers c on c.id = o.customer_id and c.external_id like 'seed-${run}-c%'
      where o.external_id like 'seed-${run}-o%'`, [now.toISOString()])
    t.same(r, { orders: 2000, early: 0, future: 0, misattributed: 0, amounts: 0 })
  })

  await t.test('refunded exactly when fully refunded; refunded amounts are the sum of the refunds', async (t) => {
    const [r] = await ctx.sql<{ inconsistent: number; unmatched: number; full: number; partial: number; buyers: number; never: number }>(`select
      (count(*) filter (where (o.status = 'refunded') <> (o.refunded_amount = o.amount)))::int as inconsistent,
      (count(*) filter (where o.refunded_amount <> coalesce((select sum(f.amount) from order_refunds f where f.order_id = o.id), 0)))::int as unmatched,
      (count(*) filter (where o.status = 'refunded'))::int as full,
      (count(*) filter (where o.refunded_amount > 0 and o.refunded_amount < o.amount))::int as partial,
      count(distinct o.customer_id)::int as buyers,
      (select count(*)::int from customers c where c.external_id like 'seed-${run}-c%' and not exists (select 1 from orders x where x.customer_id = c.id)) as never
      from orders o where o.external_id like 'seed-${run}-o%'`)
    t.match(r, { inconsistent: 0, unmatched: 0 })
    // ~2% and ~3% of 2000 orders.
    t.ok(r.full >= 15 && r.full <= 80, `full refunds: ${r.full}`)
    t.ok(r.partial >= 25 && r.partial <= 110, `partial refunds: ${r.partial}`)
    t.ok(r.never > 0, 'some customers never buy')
    t.equal(r.buyers + r.never, 300)
  })

  await t.test('most buyers buy once or twice; a few buy many times', async (t) => {
    const counts = (await ctx.sql<{ n: number }>(`select count(*)::int as n from orders where external_id like 'seed-${run}-o%' group by customer_id`)).map((r) => r.n)
    t.ok(counts.filter((n) => n <= 2).length > counts.length / 2, 'over half of buyers have one or two orders')
    t.ok(Math.max(...counts) >= 30, `the busiest buyer has ${Math.max(...counts)} orders`)
  })

  await t.test('customers are owned by existing staff and credited only to referrers who existed before them', async (t) => {
    const [r] = await ctx.sql<{ unowned: number; credited: number; early: number }>(`select
      (count(*) filter (where c.owner_id is distinct from $1::uuid))::int as unowned,
      (count(*) filter (where c.referrer_id is not null and c.source_channel = 'referral'))::int as credited,
      (count(*) filter (where f.created_at > c.created_at))::int as early
      from customers c left join referrers f on f.id = c.referrer_id where c.external_id like 'seed-${run}-c%'`, [rep.userId])
    t.equal(r.unowned, 0)
    t.equal(r.early, 0)
    t.ok(r.credited > 0, `${r.credited} customers credited to a referrer`)
    for (const ref of await ctx.sql<{ code: string }>(`select code from referrers where external_id like 'seed-${run}-r%'`)) {
      t.same(normalizeReferralCode(ref.code), { ok: true, value: ref.code }, `code ${ref.code}`)
    }
  })

  await t.test('phone and email are sealed with the app\'s key: the API decrypts them and finds by them', async (t) => {
    const rows = (await ctx.sql<{ id: string; phone_masked: string | null; email_masked: string | null }>(byRun('customers', 'c', run))).slice(0, 12)
    for (const row of rows) {
      const res = await ctx.rest(ctx.adminToken, 'GET', `/api/v1/customers/${row.id}`)
      t.equal(res.statusCode, 200)
      const body = res.json()
      if (row.phone_masked === null) { t.equal(body.phone, null); continue }
      t.match(body.phone, MOBILE)
      t.equal(`${body.phone.slice(0, 3)}****${body.phone.slice(-4)}`, row.phone_masked)
      if (row.email_masked) t.match(body.email, /^[a-z0-9._]+@[a-z0-9.]+\.[a-z]+$/)
      const found = await ctx.rest(ctx.adminToken, 'GET', `/api/v1/customers?search=${body.phone}&limit=50`)
      t.ok(found.json().data.some((c: { id: string }) => c.id === row.id), 'found by its phone (blind index)')
    }
  })

  await t.test('customer_scores match a direct aggregate over the orders', async (t) => {
    t.same(await ctx.sql(AGGREGATE_MISMATCHES), [{ n: 0 }])
  })

  await t.test('the same seed gives the same data; the run appends beside the first', async (t) => {
    const second = await seed(ctx.app.database, options)
    t.not(second.runId, run)
    t.equal(second.refunds, first.refunds)
    const people = (r: string) => ctx.sql<Record<string, unknown>>(`select name, gender, birthday, company, region, tags, created_at from (${byRun('customers', 'c', r)}) c`)
    const sales = (r: string) => ctx.sql<Record<string, unknown>>(`select amount, refunded_amount, status, paid_at from (${byRun('orders', 'o', r)}) o`)
    t.same(await people(second.runId), await people(run))
    t.same(await sales(second.runId), await sales(run))
    const fewer = await seed(ctx.app.database, { ...options, customers: 20, orders: 50, referrers: 0 })
    t.same((await people(fewer.runId)).map((p) => p.name), (await people(run)).slice(0, 20).map((p) => p.name), 'the same people without referrers or with fewer customers')
    const other = await seed(ctx.app.database, { ...options, customers: 20, orders: 50, seed: 8 })
    t.not((await people(other.runId)).map((p) => p.name).join(), (await people(run)).slice(0, 20).map((p) => p.name).join())
    t.same(await ctx.sql(AGGREGATE_MISMATCHES), [{ n: 0 }], 'aggregates still match after appending')
  })

  await t.test('refuses orders without customers and counts that are not whole numbers', async (t) => {
    await t.rejects(seed(ctx.app.database, { customers: 0, orders: 5, piiKey: piiKeyOf(ctx) }), RangeError)
    await t.rejects(seed(ctx.app.database, { customers: 1.5, orders: 0, piiKey: piiKeyOf(ctx) }), RangeError)
  })
})

type Run = { code: number | null; stdout: string; stderr: string }

function runCli(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/seed.ts', ...args], { cwd: root, env: { PATH: process.env.PATH, ...env } })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => { stdout += d })
    child.stderr.on('data', (d) => { stderr += d })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

await t.test('the CLI', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'crm-seed-cli-'))
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }))

  await t.test('seeds PGlite in DATA_DIR, prints a summary and exits 0; the server reads what it wrote', async (t) => {
    const run = await runCli(['--customers', '50', '--orders', '200'], { DATA_DIR: dataDir })
    t.equal(run.code, 0, run.code === 0 ? 'exits 0' : run.stderr)
    t.match(run.stdout, /^seeded run [A-Z0-9]{6}: 0 referrers, 50 customers, 200 orders, \d+ refunds \(\d+ rows\) in [\d.]+ s, \d+ rows\/s on pglite\n$/)
    t.match(run.stderr, /customers 50\/50/)
    t.ok(existsSync(join(dataDir, 'secrets.json')), 'the PII key the server will use')

    // The server on the same DATA_DIR, with no keys given, reads the key the CLI generated.
    const app = await buildApp({
      config: loadConfig({ DATA_DIR: dataDir, BOOTSTRAP_ADMIN_KEY: 'crm_seed_cli_test_admin_key_0123456789', JOBS_ENABLED: 'false', LOG_LEVEL: 'silent' }),
      logger: false
    })
    t.teardown(() => app.close())
    const token = (await app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { apiKey: 'crm_seed_cli_test_admin_key_0123456789' } })).json().accessToken
    const list = (await app.inject({ method: 'GET', url: '/api/v1/customers?limit=50', headers: { authorization: `Bearer ${token}` } })).json()
    t.equal(list.data.length, 50)
    const phones = list.data.map((c: { phone: string | null }) => c.phone).filter((p: string | null) => p !== null)
    t.ok(phones.length > 0 && phones.every((p: string) => MOBILE.test(p)), 'phones decrypt to mainland mobiles')
  })

  await t.test('with users, campaigns and referrals the summary names them', async (t) => {
    // Into the same DATA_DIR as above (a second run beside the first): a fresh one would cost another initdb and migrations.
    const run = await runCli(['--customers', '30', '--orders', '60', '--referrers', '5', '--users', '6', '--campaigns', '2', '--referrals', '40'], { DATA_DIR: dataDir })
    t.equal(run.code, 0, run.code === 0 ? 'exits 0' : run.stderr)
    t.match(run.stdout, /^seeded run [A-Z0-9]{6}: 6 users, 2 campaigns \(\d+ costs\), 40 referrals, \d+ leads, \d+ opportunities \(\d+ stage changes\), \d+ activities, \d+ reward entries, 5 referrers, 30 customers, 60 orders, /)
    t.match(run.stderr, /referrals 40\/40/)
  })

  await t.test('a usage error exits 64 before touching the database', async (t) => {
    const run = await runCli(['--orders', '5'], { DATA_DIR: join(dataDir, 'unused') })
    t.equal(run.code, 64)
    t.match(run.stderr, /--orders needs --customers/)
    t.notOk(existsSync(join(dataDir, 'unused')))
    const referrals = await runCli(['--customers', '5', '--referrals', '5'], { DATA_DIR: join(dataDir, 'unused') })
    t.equal(referrals.code, 64)
    t.match(referrals.stderr, /--referrals needs --referrers/)
    t.notOk(existsSync(join(dataDir, 'unused')))
  })
})
