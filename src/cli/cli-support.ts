import { join } from 'node:path'
import { ConfigError, loadConfig, type Config } from '../config.js'
import { openDatabase, type Database } from '../db/client.js'
import { applyMigrations } from '../db/migrate.js'
import { CrmError } from '../errors.js'
import { resolveSecrets } from '../lib/secrets.js'

/** A command-line mistake: printed with the usage, exit 64. */
export class UsageError extends Error {}

/**
 * The database the server would use (DATABASE_URL, else PGlite in DATA_DIR/pglite, exactly
 * where src/app.ts looks), migrated, with the server's secrets; closed after `fn`.
 */
export async function withServerDatabase<T>(fn: (database: Database, config: Config, secrets: ReturnType<typeof resolveSecrets>) => Promise<T>): Promise<T> {
  const config = loadConfig(process.env)
  const secrets = resolveSecrets(config)
  if (secrets.generated) process.stderr.write(`No JWT_SECRET/PII_KEY given: generated them in ${config.DATA_DIR}/secrets.json (the server will use them too)\n`)
  const database = await openDatabase({
    url: config.DATABASE_URL,
    dataDir: config.DATA_DIR.startsWith('memory://') ? config.DATA_DIR : join(config.DATA_DIR, 'pglite'),
    poolSize: 2
  })
  try {
    await applyMigrations(database)
    return await fn(database, config, secrets)
  } finally {
    await database.close()
  }
}

/** Ends a CLI run that threw, with the sysexits status its cause deserves. */
export function exitWith(err: unknown, usage: string, what: string): never {
  if (err instanceof UsageError || (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'))) {
    process.stderr.write(`${err.message}\n${usage}\n`)
    process.exit(64) // EX_USAGE
  }
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`)
    process.exit(78) // EX_CONFIG
  }
  if (err instanceof CrmError) {
    process.stderr.write(`${what} refused: ${err.message}\n`)
    process.exit(65) // EX_DATAERR
  }
  process.stderr.write(`${what} failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`)
  process.exit(1)
}
