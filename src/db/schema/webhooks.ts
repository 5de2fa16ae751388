import { sql } from 'drizzle-orm'
import { boolean, check, index, integer, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { id, tstz } from './columns.js'
import { outboxEvents } from './outbox-events.js'

/**
 * A webhook consumer (docs/webhooks.md). Secrets are `whsec_<base64>`, sealed at rest with
 * the PII key; during a rotation the previous secret signs too until `previousSecretExpiresAt`.
 * `failingSince` is the first failed attempt after the last success: five days of it disables
 * the endpoint (as does a 410), with `disabledReason` saying why.
 */
export const webhookEndpoints = pgTable('webhook_endpoints', {
  id: id(),
  url: text().notNull(),
  description: text(),
  /** Subscribed event types; null means every event. */
  eventTypes: text().array(),
  secretEnc: text().notNull(),
  previousSecretEnc: text(),
  previousSecretExpiresAt: tstz(),
  active: boolean().notNull().default(true),
  disabledReason: text(),
  disabledAt: tstz(),
  failingSince: tstz(),
  version: integer().notNull().default(1),
  createdAt: tstz().notNull().defaultNow(),
  updatedAt: tstz().notNull().defaultNow(),
  deletedAt: tstz()
}, (t) => [
  index('webhook_endpoints_live_idx').on(t.createdAt).where(sql`${t.deletedAt} is null`)
])

/**
 * One event for one endpoint: the unit that is retried and replayed. The deliveries table is
 * itself the work queue: workers claim due rows with FOR UPDATE SKIP LOCKED and hold a lease
 * (`lockedUntil`), so a worker that dies mid-attempt only delays the row until the lease ends.
 * `step` is the position in the retry schedule; a replay starts it again.
 */
export const webhookDeliveries = pgTable('webhook_deliveries', {
  id: id(),
  endpointId: uuid().notNull().references(() => webhookEndpoints.id),
  eventId: uuid().notNull().references(() => outboxEvents.id),
  eventType: text().notNull(),
  /** pending (waiting for its next attempt), succeeded, failed (schedule exhausted or endpoint gone). */
  status: text().notNull().default('pending'),
  attempts: integer().notNull().default(0),
  step: integer().notNull().default(0),
  nextAttemptAt: tstz(),
  lockedUntil: tstz(),
  lastAttemptAt: tstz(),
  lastStatusCode: integer(),
  lastError: text(),
  /** Set by replayWebhookDelivery: the next attempt is a replay (recorded as such), then cleared. */
  replayRequestedAt: tstz(),
  createdAt: tstz().notNull().defaultNow(),
  updatedAt: tstz().notNull().defaultNow()
}, (t) => [
  uniqueIndex('webhook_deliveries_endpoint_event_key').on(t.endpointId, t.eventId),
  index('webhook_deliveries_due_idx').on(t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
  index('webhook_deliveries_endpoint_idx').on(t.endpointId, t.createdAt),
  // Each active endpoint's oldest undelivered delivery in one probe: the backlog-age gauge (webhook-metrics.ts).
  index('webhook_deliveries_pending_idx').on(t.endpointId, t.createdAt).where(sql`${t.status} = 'pending'`),
  index('webhook_deliveries_event_idx').on(t.eventId),
  check('webhook_deliveries_status', sql`${t.status} in ('pending', 'succeeded', 'failed')`)
])

/** Every attempt, successful or not: HTTP status (null on a network error or timeout), latency, the start of the answer. */
export const webhookAttempts = pgTable('webhook_attempts', {
  id: id(),
  deliveryId: uuid().notNull().references(() => webhookDeliveries.id),
  attemptedAt: tstz().notNull(),
  statusCode: integer(),
  error: text(),
  latencyMs: integer().notNull(),
  responseExcerpt: text(),
  /** Why this attempt was made: schedule, replay. */
  trigger: text().notNull().default('schedule')
}, (t) => [
  index('webhook_attempts_delivery_idx').on(t.deliveryId, t.attemptedAt)
])
