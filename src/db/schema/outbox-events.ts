import { sql } from 'drizzle-orm'
import { index, jsonb, pgTable, text, uuid } from 'drizzle-orm/pg-core'
import { id, tstz } from './columns.js'

/**
 * The transactional outbox: an event row commits with the change it reports.
 * Delivery to webhook endpoints reads from here, never from inside a request.
 */
export const outboxEvents = pgTable('outbox_events', {
  id: id(),
  type: text().notNull(),
  occurredAt: tstz().notNull().defaultNow(),
  entityType: text().notNull(),
  entityId: uuid(),
  data: jsonb().$type<Record<string, unknown>>().notNull(),
  publishedAt: tstz(),
  /**
   * Staff notifications' own marker (docs/notifications.md): set when the staff fan-out has
   * turned the event into messages. Only the types it listens to are ever claimed (the
   * partial index below names them), so other events are never touched.
   */
  staffNotifiedAt: tstz(),
  /** When the journeys' trigger pass took it (src/modules/automation/journey-events.ts); webhooks use publishedAt. */
  journeysSeenAt: tstz()
}, (t) => [
  index('outbox_events_unpublished_idx').on(t.occurredAt).where(sql`${t.publishedAt} is null`),
  index('outbox_events_staff_pending_idx').on(t.occurredAt).where(sql`${t.staffNotifiedAt} is null and ${t.type} in ('lead.assigned', 'lead.sla_breached', 'task.created', 'ticket.sla_breached', 'ticket.updated', 'reward.created', 'reward.approved', 'survey.detractor')`),
  index('outbox_events_journeys_unseen_idx').on(t.occurredAt).where(sql`${t.journeysSeenAt} is null`),
  index('outbox_events_entity_idx').on(t.entityType, t.entityId),
  // KPI churn: customers' stage changes by time (docs/analytics.md, KPIs).
  index('outbox_events_customer_stage_idx').on(t.occurredAt).where(sql`${t.entityType} = 'customer' and ${t.type} in ('customer.created', 'customer.updated')`)
])

