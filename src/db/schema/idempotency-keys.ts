import { index, integer, jsonb, pgTable, primaryKey, text } from 'drizzle-orm/pg-core'
import { tstz } from './columns.js'

/**
 * Idempotency-Key records (docs/idempotency.md): one per (caller, key). The first request
 * inserts the row as in flight; its answer is stored when it ends, and retries within
 * `expiresAt` get that answer back. `requestHash` tells a retry from a different request
 * that reuses the key.
 */
export const idempotencyKeys = pgTable('idempotency_keys', {
  /** The caller: api key id, user id or referrer id, with its kind (e.g. `key:<uuid>`). */
  scope: text().notNull(),
  key: text().notNull(),
  requestHash: text().notNull(),
  /** in_flight, done */
  state: text().notNull().default('in_flight'),
  responseStatus: integer(),
  responseHeaders: jsonb().$type<Record<string, string>>(),
  responseBody: text(),
  createdAt: tstz().notNull().defaultNow(),
  /** An in-flight record whose request died is taken over after this. */
  lockedUntil: tstz(),
  expiresAt: tstz().notNull()
}, (t) => [
  primaryKey({ columns: [t.scope, t.key] }),
  index('idempotency_keys_expires_idx').on(t.expiresAt)
])
