import { integer, pgTable, text } from 'drizzle-orm/pg-core'
import { tstz } from './columns.js'

/**
 * Rate-limit counters shared by every API process (docs/security.md, "Rate limits"): one row
 * per limited key (an API key, a referrer, a client address's failed token requests), a fixed
 * window that starts at the key's first hit. Hot, tiny and disposable: the migration makes the
 * table UNLOGGED (no WAL, so a hit's commit waits for no disk flush; a crash empties it, which
 * only resets the windows), and a timer in each process deletes rows whose window has ended.
 */
export const rateLimitCounters = pgTable('rate_limit_counters', {
  /** `<policy>:<subject>`, e.g. `api:key:<uuid>` or `token-failures:203.0.113.7`. */
  key: text().primaryKey(),
  hits: integer().notNull(),
  resetsAt: tstz().notNull()
})
