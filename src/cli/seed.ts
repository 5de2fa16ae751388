import { parseArgs } from 'node:util'
import { exitWith, UsageError, withServerDatabase } from './cli-support.js'
import { DEFAULT_BATCH, DEFAULT_SEED, seed } from './seed-run.js'

/**
 * `npm run seed -- --customers N --orders M [--referrers K] [--seed S] [--batch B]`:
 * demo and benchmark data in the database the server would use (DATABASE_URL, else PGlite
 * in DATA_DIR), with the server's PII key so the API reads it. docs/operations.md.
 */

const USAGE = `usage: npm run seed -- --customers N --orders M [--referrers K] [--seed S] [--batch B] [--quiet]
  --customers N   customers to add (default 0)
  --orders M      orders to spread over the new customers (default 0)
  --referrers K   referrers to add; about a quarter of the new customers are credited to them (default 0)
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
      seed: { type: 'string' }, batch: { type: 'string' }, quiet: { type: 'boolean' }, help: { type: 'boolean' }
    }
  })
  if (values.help) { process.stdout.write(`${USAGE}\n`); return }
  const options = {
    customers: count('customers', values.customers, 0),
    orders: count('orders', values.orders, 0),
    referrers: count('referrers', values.referrers, 0),
    seed: count('seed', values.seed, DEFAULT_SEED),
    batch: count('batch', values.batch, DEFAULT_BATCH)
  }
  if (options.batch < 1) throw new UsageError('--batch must be at least 1')
  if (options.orders > 0 && options.customers === 0) throw new UsageError('--orders needs --customers: orders belong to the customers this run adds')

  const log = (line: string) => process.stderr.write(`${line}\n`)
  await withServerDatabase(async (database, _config, secrets) => {
    const summary = await seed(database, { ...options, piiKey: secrets.piiKey, log: values.quiet ? undefined : log })
    process.stdout.write(`seeded run ${summary.runId}: ${summary.referrers} referrers, ${summary.customers} customers, ` +
      `${summary.orders} orders, ${summary.refunds} refunds (${summary.rows} rows) in ${summary.seconds.toFixed(1)} s, ` +
      `${summary.rowsPerSecond} rows/s on ${database.kind}\n`)
  })
}

main().catch((err) => exitWith(err, USAGE, 'Seeding'))
