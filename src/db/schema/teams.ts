import { pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core'
import { entityColumns } from './columns.js'

export const teams = pgTable('teams', {
  ...entityColumns(),
  name: text().notNull()
}, (t) => [
  uniqueIndex('teams_name_uq').on(t.name),
  uniqueIndex('teams_external_id_uq').on(t.externalId)
])
