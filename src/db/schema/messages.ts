import { sql } from 'drizzle-orm'
import { boolean, index, integer, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { entityColumns, id, tstz } from './columns.js'
import { channelKindEnum, messagePurposeEnum, messageRecipientEnum, messageStatusEnum } from './enums.js'
import { customers } from './customers.js'
import { teams } from './teams.js'
import { users } from './users.js'

/**
 * A way to reach people (docs/notifications.md): a WeCom or DingTalk group robot (a team's
 * group), an SMS provider, an SMTP server. `config` holds what is not secret (URLs, sender,
 * host); `secretEnc` the sealed JSON of what is (robot key, signing secret, API key, password).
 */
export const notificationChannels = pgTable('notification_channels', {
  ...entityColumns(),
  name: text().notNull(),
  kind: channelKindEnum().notNull(),
  /** The team whose group a robot posts to; null for SMS and email. */
  teamId: uuid().references(() => teams.id),
  config: jsonb().$type<Record<string, unknown>>().notNull().default({}),
  secretEnc: text(),
  active: boolean().notNull().default(true),
  /** The channel customer messages of this kind go out on when a step names none. */
  isDefault: boolean().notNull().default(false)
}, (t) => [
  uniqueIndex('notification_channels_external_id_uq').on(t.externalId),
  uniqueIndex('notification_channels_default_uq').on(t.kind).where(sql`${t.isDefault} and ${t.deletedAt} is null`),
  index('notification_channels_team_idx').on(t.teamId)
])

/**
 * A message template per channel kind and language. Variables (`{{customer.name}}`) are
 * checked when it is saved (src/rules/message-template.ts), so a send never meets an unknown one.
 */
export const messageTemplates = pgTable('message_templates', {
  ...entityColumns(),
  key: text().notNull(),
  name: text().notNull(),
  channelKind: channelKindEnum().notNull(),
  language: text().notNull().default('zh-CN'),
  purpose: messagePurposeEnum().notNull(),
  /** text or markdown (robots); email has subject, text and html bodies. */
  format: text().notNull().default('text'),
  subject: text(),
  body: text().notNull(),
  html: text(),
  /** The SMS provider's template code; the body's variables are sent as its parameters. */
  providerTemplateCode: text(),
  /** The variables the bodies use, as saved. */
  variables: text().array().notNull().default(sql`'{}'::text[]`),
  active: boolean().notNull().default(true)
}, (t) => [
  uniqueIndex('message_templates_external_id_uq').on(t.externalId),
  uniqueIndex('message_templates_key_uq').on(t.key, t.channelKind, t.language).where(sql`${t.deletedAt} is null`)
])

/**
 * One message to one recipient, and its fate: the outbox and delivery log of every channel.
 * Guardrails decide at enqueue: `queued` (due at `nextAttemptAt`), `held` (quiet hours,
 * until `sendAfter`), `capped`, `blocked` (no marketing consent, no address), each with its
 * `reason`; nothing is dropped silently. Workers lease due rows (`lockedUntil`, SKIP LOCKED)
 * and retry on the webhook schedule (`step`). `dedupeKey` makes an enqueue happen once
 * (an enrollment's step, an event's notification to one user on one channel).
 */
export const messages = pgTable('messages', {
  id: id(),
  dedupeKey: text(),
  channelId: uuid().references(() => notificationChannels.id),
  channelKind: channelKindEnum().notNull(),
  templateId: uuid().references(() => messageTemplates.id),
  purpose: messagePurposeEnum().notNull(),
  recipientKind: messageRecipientEnum().notNull(),
  customerId: uuid().references(() => customers.id),
  userId: uuid().references(() => users.id),
  teamId: uuid().references(() => teams.id),
  language: text(),
  /** Ids of the records the template's variables come from: customerId, leadId, referralId, orderId, ticketId, ... */
  context: jsonb().$type<Record<string, unknown>>().notNull().default({}),
  /** What went out (subject, text, html, params), kept as sent. */
  content: jsonb().$type<Record<string, unknown>>(),
  status: messageStatusEnum().notNull(),
  reason: text(),
  sendAfter: tstz(),
  attempts: integer().notNull().default(0),
  step: integer().notNull().default(0),
  nextAttemptAt: tstz(),
  lockedUntil: tstz(),
  lastError: text(),
  lastStatusCode: integer(),
  providerMessageId: text(),
  sentAt: tstz(),
  latencyMs: integer(),
  /** Where it came from: a journey's step for one enrollment, or an event for staff. */
  journeyId: uuid(),
  journeyVersion: integer(),
  enrollmentId: uuid(),
  stepKey: text(),
  eventId: uuid(),
  eventType: text(),
  createdAt: tstz().notNull().defaultNow(),
  updatedAt: tstz().notNull().defaultNow()
}, (t) => [
  uniqueIndex('messages_dedupe_uq').on(t.dedupeKey),
  index('messages_due_idx').on(t.nextAttemptAt).where(sql`${t.status} = 'queued'`),
  index('messages_held_idx').on(t.sendAfter).where(sql`${t.status} = 'held'`),
  // The frequency caps count a customer's recent marketing messages.
  index('messages_customer_idx').on(t.customerId, t.createdAt).where(sql`${t.customerId} is not null`),
  index('messages_journey_idx').on(t.journeyId, t.stepKey, t.status).where(sql`${t.journeyId} is not null`),
  index('messages_enrollment_idx').on(t.enrollmentId).where(sql`${t.enrollmentId} is not null`),
  index('messages_channel_idx').on(t.channelId, t.createdAt)
])

/** Every delivery attempt of a message: provider status (null on a network error or timeout), latency, the start of the answer. */
export const messageAttempts = pgTable('message_attempts', {
  id: id(),
  messageId: uuid().notNull().references(() => messages.id),
  attemptedAt: tstz().notNull(),
  statusCode: integer(),
  error: text(),
  latencyMs: integer().notNull(),
  excerpt: text()
}, (t) => [
  index('message_attempts_message_idx').on(t.messageId, t.attemptedAt)
])
