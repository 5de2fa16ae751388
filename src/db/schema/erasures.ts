import { index, pgTable, text, uuid } from 'drizzle-orm/pg-core'
import { tstz } from './columns.js'

/**
 * 墓碑: what is left of an erased person (docs/privacy.md, Erasure): "erased:<entity>:<externalId>"
 * as a blind index (the lookup, so an upsert or an import by the same externalId is refused) and
 * sealed, never clear. Sealed only so a PII key rotation can re-key the index like any other
 * `*_enc`/`*_idx` pair (src/modules/pii-keys): a hash alone could not be recomputed under a new
 * key, and the erased person would come back once the old key is dropped.
 */
export const privacyTombstones = pgTable('privacy_tombstones', {
  subjectIdx: text().primaryKey(),
  subjectEnc: text().notNull(),
  entityType: text().notNull(),
  /** The erasure (its audit entry's request) that left it. */
  erasureId: uuid().notNull(),
  erasedAt: tstz().notNull().defaultNow()
}, (t) => [
  index('privacy_tombstones_erasure_id_idx').on(t.erasureId)
])
