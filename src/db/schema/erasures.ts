import { index, pgTable, text, uuid } from 'drizzle-orm/pg-core'
import { tstz } from './columns.js'

/**
 * 墓碑: what is left of an erased person (docs/privacy.md, Erasure). Only a keyed hash of
 * "<entity>:<externalId>" (never the id itself), so an upsert or an import by the same
 * externalId can be refused without keeping anything that names the person.
 */
export const privacyTombstones = pgTable('privacy_tombstones', {
  keyHash: text().primaryKey(),
  entityType: text().notNull(),
  /** The erasure (its audit entry's request) that left it. */
  erasureId: uuid().notNull(),
  erasedAt: tstz().notNull().defaultNow()
}, (t) => [
  index('privacy_tombstones_erasure_id_idx').on(t.erasureId)
])
