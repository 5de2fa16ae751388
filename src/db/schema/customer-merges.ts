import { index, jsonb, pgTable, uuid } from 'drizzle-orm/pg-core'
import { id, tstz } from './columns.js'
import { customers } from './customers.js'

/** The record of a merge: which customer survived, which was absorbed, what moved. */
export const customerMerges = pgTable('customer_merges', {
  id: id(),
  survivorId: uuid().notNull().references(() => customers.id),
  mergedId: uuid().notNull().references(() => customers.id),
  mergedById: uuid(),
  moved: jsonb().$type<Record<string, number>>().notNull(),
  mergedSnapshot: jsonb().$type<Record<string, unknown>>().notNull(),
  at: tstz().notNull().defaultNow()
}, (t) => [
  index('customer_merges_survivor_id_idx').on(t.survivorId),
  index('customer_merges_merged_id_idx').on(t.mergedId)
])
