import { sql } from 'drizzle-orm'
import { boolean, check, index, integer, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { entityColumns, id, tstz } from './columns.js'
import { surveyInvitationStatusEnum, surveyKindEnum, surveyTriggerEnum } from './enums.js'
import { customers } from './customers.js'
import { orders } from './orders.js'
import { referrals } from './referrals.js'
import { tickets } from './tickets.js'
import { users } from './users.js'

/** 满意度调查: a CSAT (1–5) or NPS (0–10) question, sent `delayMinutes` after its trigger. */
export const surveys = pgTable('surveys', {
  ...entityColumns(),
  name: text().notNull(),
  kind: surveyKindEnum().notNull(),
  questionZh: text().notNull(),
  questionEn: text(),
  trigger: surveyTriggerEnum().notNull(),
  delayMinutes: integer().notNull().default(0),
  /** How consumers of `survey.sent` should reach the customer: sms, wechat, email, ... */
  channel: text().notNull(),
  /** No second invitation of this survey to a customer within this many days (survey fatigue). */
  cooldownDays: integer().notNull().default(30),
  /** An invitation's token answers for this long after it is sent. */
  expiresAfterHours: integer().notNull().default(168),
  active: boolean().notNull().default(true)
}, (t) => [
  uniqueIndex('surveys_external_id_uq').on(t.externalId),
  index('surveys_trigger_idx').on(t.trigger).where(sql`${t.active} and ${t.deletedAt} is null`),
  check('surveys_delay_nonnegative', sql`${t.delayMinutes} >= 0 and ${t.cooldownDays} >= 0 and ${t.expiresAfterHours} > 0`)
])

/**
 * One survey sent (or to be sent) to one customer because of one trigger. The token is
 * single-use: only its SHA-256 is kept, until the invitation expires (so a second answer is
 * told ALREADY_ANSWERED, not "unknown"); the dispatch job clears it then.
 */
export const surveyInvitations = pgTable('survey_invitations', {
  id: id(),
  surveyId: uuid().notNull().references(() => surveys.id),
  customerId: uuid().notNull().references(() => customers.id),
  status: surveyInvitationStatusEnum().notNull().default('scheduled'),
  /** `<trigger>:<source id>`, unique per survey: a trigger replayed never invites twice. */
  triggerKey: text().notNull(),
  ticketId: uuid().references(() => tickets.id),
  orderId: uuid().references(() => orders.id),
  referralId: uuid().references(() => referrals.id),
  /** The agent (ticket) or owner (order, referral) involved: a detractor's task goes to them. */
  agentId: uuid().references(() => users.id),
  sendAt: tstz().notNull(),
  sentAt: tstz(),
  tokenHash: text(),
  expiresAt: tstz(),
  answeredAt: tstz(),
  createdAt: tstz().notNull().defaultNow()
}, (t) => [
  uniqueIndex('survey_invitations_trigger_uq').on(t.surveyId, t.triggerKey),
  uniqueIndex('survey_invitations_token_hash_uq').on(t.tokenHash),
  index('survey_invitations_customer_idx').on(t.customerId, t.surveyId, t.createdAt),
  index('survey_invitations_due_idx').on(t.sendAt).where(sql`${t.status} = 'scheduled'`),
  index('survey_invitations_sent_at_idx').on(t.sentAt),
  index('survey_invitations_ticket_id_idx').on(t.ticketId),
  index('survey_invitations_order_id_idx').on(t.orderId),
  index('survey_invitations_referral_id_idx').on(t.referralId),
  index('survey_invitations_agent_id_idx').on(t.agentId)
])

/** The one answer to an invitation (unique: two answers, one counted). */
export const surveyResponses = pgTable('survey_responses', {
  id: id(),
  invitationId: uuid().notNull().references(() => surveyInvitations.id),
  surveyId: uuid().notNull().references(() => surveys.id),
  customerId: uuid().notNull().references(() => customers.id),
  kind: surveyKindEnum().notNull(),
  score: integer().notNull(),
  comment: text(),
  ticketId: uuid().references(() => tickets.id),
  orderId: uuid().references(() => orders.id),
  referralId: uuid().references(() => referrals.id),
  agentId: uuid().references(() => users.id),
  answeredAt: tstz().notNull().defaultNow()
}, (t) => [
  uniqueIndex('survey_responses_invitation_uq').on(t.invitationId),
  index('survey_responses_customer_idx').on(t.customerId, t.answeredAt),
  index('survey_responses_answered_at_idx').on(t.answeredAt),
  index('survey_responses_survey_id_idx').on(t.surveyId),
  index('survey_responses_ticket_id_idx').on(t.ticketId),
  index('survey_responses_order_id_idx').on(t.orderId),
  index('survey_responses_referral_id_idx').on(t.referralId),
  index('survey_responses_agent_id_idx').on(t.agentId, t.answeredAt),
  check('survey_responses_score_range', sql`(${t.kind} = 'csat' and ${t.score} between 1 and 5) or (${t.kind} = 'nps' and ${t.score} between 0 and 10)`)
])
