import { index, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { entityColumns, tstz } from './columns.js'
import { taskPriorityEnum, taskStatusEnum } from './enums.js'
import { customers } from './customers.js'
import { leads } from './leads.js'
import { opportunities } from './opportunities.js'
import { referrers } from './referrers.js'
import { users } from './users.js'

/** A follow-up due on a customer, lead, opportunity or referrer. */
export const tasks = pgTable('tasks', {
  ...entityColumns(),
  title: text().notNull(),
  description: text(),
  dueAt: tstz(),
  status: taskStatusEnum().notNull().default('open'),
  priority: taskPriorityEnum().notNull().default('normal'),
  /** 'manual' or the policy that created it (e.g. 'follow_up_policy'). */
  origin: text().notNull().default('manual'),
  assigneeId: uuid().references(() => users.id),
  customerId: uuid().references(() => customers.id),
  referrerId: uuid().references(() => referrers.id),
  leadId: uuid().references(() => leads.id),
  opportunityId: uuid().references(() => opportunities.id),
  completedAt: tstz(),
  completedById: uuid().references(() => users.id),
  completionNote: text()
}, (t) => [
  uniqueIndex('tasks_external_id_uq').on(t.externalId),
  index('tasks_assignee_id_idx').on(t.assigneeId, t.status, t.dueAt),
  index('tasks_customer_id_idx').on(t.customerId),
  index('tasks_referrer_id_idx').on(t.referrerId),
  index('tasks_lead_id_idx').on(t.leadId),
  index('tasks_opportunity_id_idx').on(t.opportunityId),
  index('tasks_completed_by_id_idx').on(t.completedById),
  index('tasks_status_due_at_idx').on(t.status, t.dueAt),
  index('tasks_created_at_idx').on(t.createdAt, t.id)
])
