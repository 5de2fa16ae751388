import { sql } from 'drizzle-orm'
import { boolean, index, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { entityColumns, contactColumns, tstz } from './columns.js'
import { referralChannelEnum, referralRejectionEnum, referralStatusEnum } from './enums.js'
import { campaigns } from './campaigns.js'
import { customers } from './customers.js'
import { leads } from './leads.js'
import { referrers } from './referrers.js'

export type ReferralConsent = {
  granted: boolean
  at: string
  /** How the person answered: sms_link, form, wechat, phone_call, ... */
  channel: string
  purpose: string
  /** Who answered: normally the referred person themself. */
  by: string
  ip?: string
}

/** 推荐记录: one person referred by one referrer, and what became of it. */
export const referrals = pgTable('referrals', {
  ...entityColumns(),
  referrerId: uuid().notNull().references(() => referrers.id),
  campaignId: uuid().references(() => campaigns.id),
  channel: referralChannelEnum().notNull(),
  /** The referred person; null once purged (an expired, never-consented referral). */
  name: text(),
  ...contactColumns(),
  company: text(),
  industry: text(),
  region: text(),
  note: text(),
  status: referralStatusEnum().notNull(),
  rejectionReason: referralRejectionEnum(),
  /** Why, in words: which customer or referral it matched, which limit it hit. */
  rejectionDetail: text(),
  /** Velocity or other fraud signals: accepted, but a manager should look. */
  flaggedForReview: boolean().notNull().default(false),
  flags: text().array().notNull().default(sql`'{}'::text[]`),
  /** SHA-256 of the single-use consent token; cleared when used. */
  consentTokenHash: text(),
  consentExpiresAt: tstz(),
  consent: jsonb().$type<ReferralConsent>(),
  leadId: uuid().references(() => leads.id),
  customerId: uuid().references(() => customers.id),
  opportunityId: uuid(),
  submittedAt: tstz(),
  consentedAt: tstz(),
  qualifiedAt: tstz(),
  convertedAt: tstz(),
  rejectedAt: tstz(),
  purgedAt: tstz(),
  /** Where the submitter came from (public form): kept for abuse review. */
  sourceIp: text()
}, (t) => [
  uniqueIndex('referrals_external_id_uq').on(t.externalId),
  uniqueIndex('referrals_consent_token_uq').on(t.consentTokenHash),
  index('referrals_referrer_id_idx').on(t.referrerId, t.createdAt, t.id),
  index('referrals_campaign_id_idx').on(t.campaignId, t.createdAt),
  index('referrals_lead_id_idx').on(t.leadId),
  index('referrals_customer_id_idx').on(t.customerId),
  index('referrals_status_idx').on(t.status, t.createdAt, t.id),
  index('referrals_phone_idx').on(t.phoneIdx),
  index('referrals_email_idx').on(t.emailIdx),
  index('referrals_created_at_idx').on(t.createdAt, t.id),
  // Reports find a period's steps by their times (docs/analytics.md).
  index('referrals_submitted_at_idx').on(t.submittedAt),
  index('referrals_qualified_at_idx').on(t.qualifiedAt),
  index('referrals_converted_at_idx').on(t.convertedAt),
  index('referrals_opportunity_id_idx').on(t.opportunityId),
  index('referrals_updated_at_idx').on(t.updatedAt, t.id),
  index('referrals_consent_expires_at_idx').on(t.consentExpiresAt).where(sql`${t.status} = 'pending_consent'`),
  index('referrals_flagged_idx').on(t.createdAt).where(sql`${t.flaggedForReview}`)
])

/**
 * Attribution: who holds a person (by phone or email blind index) until `expiresAt`.
 * The primary key makes "first referrer wins" a database fact: of two concurrent
 * submissions of the same phone, one inserts the claim and the other sees it.
 */
export const referralClaims = pgTable('referral_claims', {
  /** 'phone:<blind index>' or 'email:<blind index>'. */
  contactKey: text().primaryKey(),
  referralId: uuid().notNull().references(() => referrals.id),
  referrerId: uuid().notNull().references(() => referrers.id),
  claimedAt: tstz().notNull().defaultNow(),
  expiresAt: tstz().notNull()
}, (t) => [
  index('referral_claims_referral_id_idx').on(t.referralId),
  index('referral_claims_referrer_id_idx').on(t.referrerId)
])
