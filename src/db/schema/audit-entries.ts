import { index, jsonb, pgTable, text, uuid } from 'drizzle-orm/pg-core'
import { id, tstz } from './columns.js'

/** Who did what to which record, when, and what changed. Append-only. */
export const auditEntries = pgTable('audit_entries', {
  id: id(),
  at: tstz().notNull().defaultNow(),
  actorType: text().$type<'user' | 'api_key' | 'referrer' | 'system' | 'public'>().notNull(),
  actorId: uuid(),
  actorRole: text(),
  apiKeyId: uuid(),
  action: text().notNull(),
  entityType: text().notNull(),
  entityId: uuid(),
  changes: jsonb().$type<Record<string, unknown>>(),
  requestId: text()
}, (t) => [
  index('audit_entries_entity_idx').on(t.entityType, t.entityId, t.at),
  index('audit_entries_actor_id_idx').on(t.actorId, t.at),
  index('audit_entries_at_idx').on(t.at)
])
