import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { ConfigError, loadConfig } from '../config.js'
import { openDatabase } from '../db/client.js'
import { applyMigrations } from '../db/migrate.js'
import { resolveSecrets } from '../lib/secrets.js'
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

class UsageError extends Error {}

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

  const config = loadConfig(process.env)
  const secrets = resolveSecrets(config)
  const log = (line: string) => process.stderr.write(`${line}\n`)
  if (secrets.generated) log(`No JWT_SECRET/PII_KEY given: generated them in ${config.DATA_DIR}/secrets.json (the server will use them too)`)
  // Exactly where the server looks (src/app.ts): PGlite lives in DATA_DIR/pglite.
  const database = await openDatabase({
    url: config.DATABASE_URL,
    dataDir: config.DATA_DIR.startsWith('memory://') ? config.DATA_DIR : join(config.DATA_DIR, 'pglite'),
    poolSize: 2
  })
  try {
    await applyMigrations(database)
    const summary = await seed(database, { ...options, piiKey: secrets.piiKey, log: values.quiet ? undefined : log })
    process.stdout.write(`seeded run ${summary.runId}: ${summary.referrers} referrers, ${summary.customers} customers, ` +
      `${summary.orders} orders, ${summary.refunds} refunds (${summary.rows} rows) in ${summary.seconds.toFixed(1)} s, ` +
      `${summary.rowsPerSecond} rows/s on ${database.kind}\n`)
  } finally {
    await database.close()
  }
}

main().catch((err) => {
  if (err instanceof UsageError || (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'))) {
    process.stderr.write(`${err.message}\n${USAGE}\n`)
    process.exit(64) // EX_USAGE
  }
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`)
    process.exit(78) // EX_CONFIG
  }
  process.stderr.write(`Seeding failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`)
  process.exit(1)
})
