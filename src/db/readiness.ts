import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Database } from './client.js'
import { migrationsFolder } from './migrate.js'
import { isDatabaseUnavailable } from './unavailable.js'

export type Readiness =
  | { ready: true }
  | { ready: false; reason: 'database_unreachable' | 'schema_not_migrated' | 'database_error'; error?: unknown }

/** When drizzle-kit generated the newest migration this build ships (drizzle's migrations table stores it as created_at). */
export function latestShippedMigration(folder = migrationsFolder): number {
  const journal = JSON.parse(readFileSync(join(folder, 'meta', '_journal.json'), 'utf8')) as { entries: { when: number }[] }
  return Math.max(0, ...journal.entries.map((e) => e.when))
}

// SQLSTATE: a table or schema that is not there (an empty or recreated database).
const MISSING = new Set(['42P01', '3F000'])

/**
 * Whether requests can be served: the database answers, holds this build's newest migration
 * (a newer build's are fine: migrations only add), and a table every request needs (API keys,
 * read by authentication) can be read. One statement, cheap enough for a load balancer's probe.
 */
export async function checkReadiness(database: Database, latest: number): Promise<Readiness> {
  try {
    const [row] = await database.raw(
      'select (select max(created_at) from drizzle.__drizzle_migrations) as migrated, exists (select 1 from api_keys) as keys', [])
    return Number(row?.migrated ?? 0) >= latest ? { ready: true } : { ready: false, reason: 'schema_not_migrated' }
  } catch (error) {
    if (isDatabaseUnavailable(error)) return { ready: false, reason: 'database_unreachable', error }
    const code = (error as { code?: string; cause?: { code?: string } })?.code ?? (error as { cause?: { code?: string } })?.cause?.code
    return { ready: false, reason: code && MISSING.has(code) ? 'schema_not_migrated' : 'database_error', error }
  }
}
