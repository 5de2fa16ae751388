import { parseArgs } from 'node:util'
import { exitWith, UsageError, withServerDatabase } from './cli-support.js'
import { DEFAULT_BATCH, DEFAULT_SEED, seed } from './seed-run.js'

/**
 * `npm run seed -- --customers N --orders M [--referrers K] [--users U --campaigns C --referrals R] [--seed S] [--batch B]`:
 * demo and benchmark data in the database the server would use (DATABASE_URL, else PGlite
 * in DATA_DIR), with the server's PII key so the API reads it. docs/operations.md.
 */

const USAGE = `usage: npm run seed -- --customers N --orders M [--referrers K] [--users U] [--campaigns C] [--referrals R] [--seed S] [--batch B] [--quiet]
  --customers N   customers to add (default 0)
  --orders M      orders to spread over the new customers (default 0)
  --referrers K   referrers to add; about a quarter of the new customers are credited to them (default 0)
  --users U       sales users to add, in teams of about six with a manager each (default 0)
  --campaigns C   campaigns to add over the last two years, with costs and an incentive rule each (default 0)
  --referrals R   referrals to add (needs --referrers), with their leads, opportunities, activities and rewards;
                  about 12% end in one of the credited customers, whose orders are then attributed (default 0)
  --seed S        PRNG seed: the same seed gives the same data (default ${DEFAULT_SEED})
  --batch B       rows per COPY chunk, one transaction each (default ${DEFAULT_BATCH})
  --quiet         only the summary line
Uses the server's environment: DATABASE_URL (else PGlite in DATA_DIR), PII_KEY (else DATA_DIR/secrets.json).`

function count(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback
  if (!/^\d+$/.test(value)) throw new UsageError(`--${name} must be a whole number, got ${JSON.stringify(value)}`)
  return Number(value)
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      customers: { type: 'string' }, orders: { type: 'string' }, referrers: { type: 'string' },
      users: { type: 'string' }, campaigns: { type: 'string' }, referrals: { type: 'string' },
      seed: { type: 'string' }, batch: { type: 'string' }, quiet: { type: 'boolean' }, help: { type: 'boolean' }
    }
  })
  if (values.help) { process.stdout.write(`${USAGE}\n`); return }
  const options = {
    customers: count('customers', values.customers, 0),
    orders: count('orders', values.orders, 0),
    referrers: count('referrers', values.referrers, 0),
    users: count('users', values.users, 0),
    campaigns: count('campaigns', values.campaigns, 0),
    referrals: count('referrals', values.referrals, 0),
    seed: count('seed', values.seed, DEFAULT_SEED),
    batch: count('batch', values.batch, DEFAULT_BATCH)
  }
  if (options.batch < 1) throw new UsageError('--batch must be at least 1')
  if (options.orders > 0 && options.customers === 0) throw new UsageError('--orders needs --customers: orders belong to the customers this run adds')
  if (options.referrals > 0 && options.referrers === 0) throw new UsageError('--referrals needs --referrers: every referral has one')

  const log = (line: string) => process.stderr.write(`${line}\n`)
  await withServerDatabase(async (database, _config, secrets) => {
    const summary = await seed(database, { ...options, piiKey: secrets.piiKey, log: values.quiet ? undefined : log })
    const f = summary.funnel
    const more = (summary.users || summary.campaigns ? `${summary.users} users, ${summary.campaigns} campaigns (${summary.campaignCosts} costs), ` : '') +
      (f ? `${f.referrals} referrals, ${f.leads} leads, ${f.opportunities} opportunities (${f.stageChanges} stage changes), ${f.activities} activities, ${f.rewards} reward entries, ` : '')
    process.stdout.write(`seeded run ${summary.runId}: ${more}${summary.referrers} referrers, ${summary.customers} customers, ` +
      `${summary.orders} orders, ${summary.refunds} refunds (${summary.rows} rows) in ${summary.seconds.toFixed(1)} s, ` +
      `${summary.rowsPerSecond} rows/s on ${database.kind}\n`)
  })
}

main().catch((err) => exitWith(err, USAGE, 'Seeding'))
