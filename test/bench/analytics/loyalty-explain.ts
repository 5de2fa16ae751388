/**
 * `npx tsx test/bench/analytics/loyalty-explain.ts [entriesMillions]` with TEST_DATABASE_URL:
 * the loyalty report's statements (src/modules/analytics/loyalty/) EXPLAIN ANALYZEd on
 * PostgreSQL over a ledger of millions of entries, coupons in the millions, and customers with
 * levels; for the last 30 days, a year and a team's reach. Prints each plan's shape and time, and
 * checks that the opening balance read from either side is the same. docs/loyalty-analytics.md,
 * "Performance". The database is made from the test template and dropped at the end (KEEP=1
 * keeps it, REUSE=<its name> runs on it again without seeding).
 */
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import type { SQL } from 'drizzle-orm'
import { PgDialect } from 'drizzle-orm/pg-core'
import { resolvePeriod } from '../../../src/modules/analytics/analytics.period.js'
import type { ReportContext } from '../../../src/modules/analytics/analytics.report.js'
import { couponFigures } from '../../../src/modules/analytics/loyalty/coupons.js'
import { levelCounts } from '../../../src/modules/analytics/loyalty/levels.js'
import { pointsSummary } from '../../../src/modules/analytics/loyalty/points-summary.js'
import type { Actor } from '../../../src/modules/auth/actor.js'
import type { Reach } from '../../../src/modules/auth/permissions.js'
import { createFromTemplate, postgresTemplate } from '../../support/postgres-template.js'

const base = process.env.TEST_DATABASE_URL
if (!base) throw new Error('TEST_DATABASE_URL is required')
const ENTRIES = Math.round(Number(process.argv[2] ?? 3) * 1_000_000)
const CUSTOMERS = Math.round(ENTRIES / 10)
const REFERRERS = Math.round(CUSTOMERS / 20)
const COUPONS = Math.round(ENTRIES * 2 / 3)
const DAY = 86_400_000

const log = (line: string) => process.stdout.write(`${line}\n`)

async function seed(client: pg.Client): Promise<void> {
  const t0 = Date.now()
  await client.query(`insert into teams (id, name) select gen_random_uuid(), 'team ' || i from generate_series(1, 5) i`)
  await client.query(`insert into users (id, name, role, team_id) select gen_random_uuid(), 'rep ' || i, 'sales', (select id from teams order by id offset (i % 5) limit 1) from generate_series(1, 50) i`)
  await client.query(`create temp table reps as select id, row_number() over (order by id) as n from users`)
  await client.query(`insert into customers (id, name, owner_id) select gen_random_uuid(), 'c' || i, (select id from reps where n = 1 + i % 50) from generate_series(1, $1) i`, [CUSTOMERS])
  await client.query(`insert into referrers (id, kind, name, code, owner_id) select gen_random_uuid(), 'partner', 'r' || i, 'R' || i, (select id from reps where n = 1 + i % 50) from generate_series(1, $1) i`, [REFERRERS])
  await client.query(`insert into points_accounts (id, holder_type, customer_id) select gen_random_uuid(), 'customer', id from customers`)
  await client.query(`insert into points_accounts (id, holder_type, referrer_id) select gen_random_uuid(), 'referrer', id from referrers`)
  await client.query(`create temp table acc as select id, row_number() over (order by id) as n from points_accounts`)
  await client.query('create index on acc (n)')
  await client.query(`create temp table cust as select id, row_number() over (order by id) as n from customers`)
  await client.query('create index on cust (n)')
  log(`  holders: ${((Date.now() - t0) / 1000).toFixed(1)} s`)
  // Three years of entries, earnings dominating; kinds and signs as the ledger's checks require.
  // Appended in time order, as the ledger is: a period's entries lie together on disk.
  await client.query(`insert into points_entries (id, account_id, kind, amount, source_type, source_id, balance_after, created_at, shortfall)
    select gen_random_uuid(), a.id, k.kind::points_entry_kind,
      case k.kind when 'earn' then 100 + (i % 900) when 'adjust' then case when i % 2 = 0 then 50 else -10 end
        when 'reverse' then case when i % 2 = 0 then 20 else -20 end else -(1 + i % 80) end,
      case k.kind when 'reverse' then case when i % 2 = 0 then 'redemption' else 'refund' end when 'expire' then 'expiry' else 'order' end,
      null, 0, now() - interval '1095 days' + (i::float8 / $1) * interval '1095 days', 0
    from generate_series(1, $1) i
    cross join lateral (select (array['earn','earn','earn','earn','redeem','redeem','expire','adjust','reverse','earn'])[1 + i % 10] as kind) k
    join acc a on a.n = 1 + (i::bigint * 7919) % (select count(*) from acc)`, [ENTRIES])
  log(`  entries: ${((Date.now() - t0) / 1000).toFixed(1)} s`)
  await client.query(`update points_accounts a set balance = s.total from (select account_id, sum(amount) as total from points_entries group by account_id) s
    where s.account_id = a.id and s.total >= 0`)
  // The few accounts that came out negative get a correcting credit at their first entry, so balance = ledger everywhere.
  await client.query(`with neg as (select account_id, sum(amount) as total, min(created_at) as first from points_entries group by account_id having sum(amount) < 0)
    insert into points_entries (id, account_id, kind, amount, source_type, balance_after, created_at) select gen_random_uuid(), account_id, 'adjust', -total, 'manual', 0, first from neg`)
  log(`  ${ENTRIES.toLocaleString('en')} entries and balances: ${((Date.now() - t0) / 1000).toFixed(1)} s`)
  await client.query(`insert into coupon_templates (id, name, kind, amount_off, campaign_id) select gen_random_uuid(), 'template ' || i, 'amount_off', 1000, null from generate_series(1, 40) i`)
  await client.query(`create temp table tpl as select id, row_number() over (order by id) as n from coupon_templates`)
  await client.query(`insert into coupons (id, template_id, code, customer_id, status, issued_at, voided_at)
    select gen_random_uuid(), t.id, md5(i::text), case when i % 3 = 0 then null else (select id from cust where n = 1 + i % $2) end,
      'issued', now() - (random() * interval '730 days'), case when i % 50 = 0 then now() - (random() * interval '300 days') end
    from generate_series(1, $1) i join tpl t on t.n = 1 + i % 40`, [COUPONS, CUSTOMERS])
  await client.query(`insert into coupon_redemptions (id, coupon_id, template_id, customer_id, order_amount, currency, discount, redeemed_at, restored_at)
    select gen_random_uuid(), c.id, c.template_id, c.customer_id, 100000, 'CNY', 1000, c.issued_at + interval '3 days',
      case when random() < 0.05 then c.issued_at + interval '10 days' end
    from coupons c where random() < 0.3`)
  await client.query(`insert into member_levels (id, key, name_zh, name_en, rank, min_spend) values (gen_random_uuid(), 'silver', '银卡', 'Silver', 1, 100000), (gen_random_uuid(), 'gold', '金卡', 'Gold', 2, 500000)`)
  await client.query(`insert into customer_levels (customer_id, level_id, reached_at)
    select c.id, case when c.n % 2 = 0 then (select id from member_levels where key = 'silver') else (select id from member_levels where key = 'gold') end, now()
    from cust c where c.n % 5 = 0`)
  await client.query('analyze')
  log(`  seeded in ${((Date.now() - t0) / 1000).toFixed(1)} s`)
}

/** An executor that EXPLAIN ANALYZEs every statement before running it, and prints the plan's shape. */
function explaining(client: pg.Client, label: () => string) {
  const dialect = new PgDialect()
  return {
    async execute(query: SQL) {
      const q = dialect.sqlToQuery(query)
      const plan = await client.query(`explain (analyze, buffers, format json) ${q.sql}`, q.params)
      const root = (plan.rows[0]['QUERY PLAN'] as any[])[0]
      const nodes: string[] = []
      const walk = (n: any) => {
        if (n['Node Type'].includes('Scan')) nodes.push(`${n['Node Type']}${n['Index Name'] ? ` ${n['Index Name']}` : ''} on ${n['Relation Name'] ?? n['CTE Name'] ?? '?'} (${n['Actual Rows'] * (n['Actual Loops'] ?? 1)} rows)`)
        for (const c of n.Plans ?? []) walk(c)
      }
      walk(root.Plan)
      log(`  ${label()}: ${root['Execution Time'].toFixed(1)} ms — ${[...new Set(nodes)].join('; ')}`)
      if (process.env.PLANS) {
        const text = await client.query(`explain (analyze, buffers) ${q.sql}`, q.params)
        log(text.rows.map((r) => `      ${r['QUERY PLAN']}`).join('\n'))
      }
      return client.query(q.sql, q.params)
    }
  }
}

async function main(): Promise<void> {
  const admin = new pg.Client({ connectionString: base })
  await admin.connect()
  // REUSE=<database>: a database this script seeded and kept before (KEEP=1).
  const name = process.env.REUSE ?? `crm_loyalty_explain_${randomBytes(4).toString('hex')}`
  if (!process.env.REUSE) await createFromTemplate(admin, name, await postgresTemplate(admin, base!))
  const url = new URL(base!)
  url.pathname = `/${name}`
  const client = new pg.Client({ connectionString: url.toString() })
  await client.connect()
  try {
    log(`== loyalty report statements on PostgreSQL: ${ENTRIES.toLocaleString('en')} entries, ${CUSTOMERS.toLocaleString('en')} customers, ${COUPONS.toLocaleString('en')} coupons`)
    if (!process.env.REUSE) await seed(client)
    let step = ''
    const db = explaining(client, () => step)
    const [rep] = (await client.query<{ id: string; team_id: string }>('select id, team_id from users limit 1')).rows
    const now = new Date()
    const cases: [string, Reach, number][] = [['30 days, all', 'all', 30], ['365 days, all', 'all', 365], ['30 days, team', 'team', 30], ['1095 days, all', 'all', 1095]]
    for (const [what, reach, days] of cases) {
      const actor = { role: reach === 'all' ? 'admin' : 'manager', userId: rep.id, teamId: rep.team_id } as Actor
      const period = resolvePeriod({ from: new Date(now.getTime() - days * DAY), to: now, bucket: days > 60 ? 'month' : 'day' }, 'Asia/Shanghai', now)
      const ctx = { deps: { db }, actor, reach, period, now } as unknown as ReportContext
      log(`-- ${what}`)
      step = 'points (direction heuristic)'
      await pointsSummary(ctx, period, period.buckets())
      const answers: string[] = []
      for (const side of ['before', 'after'] as const) {
        step = `points, balances from ${side}`
        const s = await pointsSummary(ctx, period, period.buckets(), side)
        answers.push(JSON.stringify(s))
        log(`     opening ${s.totals.customers.openingLiability} + ${s.totals.referrers.openingLiability}, liability ${s.totals.total.liability}`)
      }
      if (answers[0] !== answers[1]) throw new Error('the two sides answer differently')
      step = 'coupons'
      await couponFigures(ctx, period, null)
      step = 'levels'
      await levelCounts(ctx)
    }
  } finally {
    await client.end()
    if (!process.env.KEEP && !process.env.REUSE) await admin.query(`drop database if exists ${name} with (force)`)
    else log(`kept ${name}`)
    await admin.end()
  }
}

await main()
