import { sql } from 'drizzle-orm'
import { boolean, check, index, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { id, tstz } from './columns.js'
import { consentChannelEnum, consentPurposeEnum, consentSourceEnum } from './enums.js'
import { customers } from './customers.js'
import { referrers } from './referrers.js'
import { messages } from './messages.js'

/**
 * Consent records (docs/consents.md): every grant and withdrawal, per subject, purpose and
 * channel, kept for good (PIPL proof). The current state of a (purpose, channel) is its
 * latest record by `occurredAt`; `any` covers every channel (src/modules/consents/consent-state.ts).
 */
export const consentRecords = pgTable('consent_records', {
  id: id(),
  customerId: uuid().references(() => customers.id),
  referrerId: uuid().references(() => referrers.id),
  purpose: consentPurposeEnum().notNull(),
  channel: consentChannelEnum().notNull(),
  granted: boolean().notNull(),
  /** The version of the consent text the person saw (e.g. privacy-2025-01). */
  textVersion: text(),
  source: consentSourceEnum().notNull(),
  /** Import: a reference to the proof kept elsewhere (signed form, file, call recording). */
  proof: text(),
  /** Staff on behalf of the person: who said what, when. */
  note: text(),
  /** When the person gave or withdrew it (may be before it was recorded). */
  occurredAt: tstz().notNull(),
  recordedAt: tstz().notNull().defaultNow(),
  actorType: text().notNull(),
  actorId: uuid(),
  /** The referral whose double confirmation it was; the message whose unsubscribe link it was. */
  referralId: uuid(),
  messageId: uuid().references(() => messages.id)
}, (t) => [
  check('consent_records_subject_ck', sql`num_nonnulls(${t.customerId}, ${t.referrerId}) = 1`),
  index('consent_records_customer_idx').on(t.customerId, t.purpose, t.channel, t.occurredAt).where(sql`${t.customerId} is not null`),
  index('consent_records_referrer_idx').on(t.referrerId, t.purpose, t.channel, t.occurredAt).where(sql`${t.referrerId} is not null`),
  index('consent_records_recorded_idx').on(t.recordedAt, t.id),
  // One withdrawal per unsubscribe link, however often it is clicked.
  uniqueIndex('consent_records_unsubscribe_uq').on(t.messageId).where(sql`${t.source} = 'unsubscribe'`)
])

/**
 * One row per customer the message gate has seen: the gate locks a batch's customers here
 * (ordered by id) before counting frequency caps, so two transactions cannot both pass a cap.
 */
export const contactLocks = pgTable('contact_locks', {
  customerId: uuid().primaryKey().references(() => customers.id),
  lockedAt: tstz().notNull().defaultNow()
})
