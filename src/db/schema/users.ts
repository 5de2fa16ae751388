import { boolean, index, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { entityColumns } from './columns.js'
import { roleEnum } from './enums.js'
import { teams } from './teams.js'

/** Staff: the people who own customers, leads and opportunities. */
export const users = pgTable('users', {
  ...entityColumns(),
  name: text().notNull(),
  email: text(),
  role: roleEnum().notNull(),
  teamId: uuid().references(() => teams.id),
  active: boolean().notNull().default(true)
}, (t) => [
  uniqueIndex('users_external_id_uq').on(t.externalId),
  uniqueIndex('users_email_uq').on(t.email),
  index('users_team_id_idx').on(t.teamId)
])
