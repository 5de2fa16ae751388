import { index, integer, jsonb, pgTable, text, uuid } from 'drizzle-orm/pg-core'
import { id, tstz } from './columns.js'

/**
 * Who read personal data in clear: one row per request (and entity type), never one per
 * record. `entityIds` is bounded (src/modules/audit/access-recorder.ts, MAX_IDS); `rowCount`
 * is exact. Holds no personal value: ids, field names and a filter with personal values
 * redacted. Append-only (a trigger refuses UPDATE and DELETE).
 */
export const accessEntries = pgTable('access_entries', {
  id: id(),
  at: tstz().notNull().defaultNow(),
  actorType: text().$type<'user' | 'api_key' | 'referrer' | 'system' | 'public'>().notNull(),
  actorId: uuid(),
  actorRole: text(),
  apiKeyId: uuid(),
  /** `<entity>.read` or `<entity>.exported`. */
  action: text().notNull(),
  entityType: text().notNull(),
  entityIds: uuid().array().notNull(),
  rowCount: integer().notNull(),
  /** The personal fields read in clear (phone, email). */
  fields: text().array().notNull(),
  /** An export's filter, personal values redacted. */
  filter: jsonb().$type<Record<string, unknown>>(),
  requestId: text()
}, (t) => [
  index('access_entries_at_idx').on(t.at),
  index('access_entries_actor_id_idx').on(t.actorId, t.at),
  index('access_entries_entity_idx').on(t.entityType, t.at),
  index('access_entries_entity_ids_idx').using('gin', t.entityIds)
])
