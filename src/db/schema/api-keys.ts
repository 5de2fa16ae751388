import { boolean, index, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { id, tstz } from './columns.js'
import { roleEnum } from './enums.js'
import { users } from './users.js'

/**
 * API keys are stored as a SHA-256 of the whole key (looked up by that hash); the key
 * itself is shown once. `prefix` is its first characters, for people to tell keys apart.
 */
export const apiKeys = pgTable('api_keys', {
  id: id(),
  name: text().notNull(),
  prefix: text().notNull(),
  secretHash: text().notNull(),
  role: roleEnum().notNull(),
  userId: uuid().references(() => users.id),
  readOnly: boolean().notNull().default(false),
  /** When set, the key may touch only these entity types. */
  entities: text().array(),
  createdById: uuid(),
  lastUsedAt: tstz(),
  expiresAt: tstz(),
  revokedAt: tstz(),
  createdAt: tstz().notNull().defaultNow()
}, (t) => [
  uniqueIndex('api_keys_secret_hash_uq').on(t.secretHash),
  index('api_keys_user_id_idx').on(t.userId)
])
