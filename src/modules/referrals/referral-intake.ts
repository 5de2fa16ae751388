import type { Action } from '../../db/action.js'
import type { Executor } from '../../db/client.js'
import { invalid } from '../../errors.js'
import { checkReferral, type CheckDecision } from '../../rules/referral-checks.js'
import type { SealedContact } from '../common/contact.js'
import type { LeadsService } from '../leads/leads.service.js'
import type { ReferrerRow } from '../referrers/referrers.repository.js'
import type { RoutingFacts } from '../routing/routing.facts.js'
import type { ServiceDeps } from '../service-deps.js'
import { insertSubmission, releaseClaims, type SubmissionInsert } from './referral-claims.js'
import { asCurrent, intakeFacts, type IntakeFacts } from './referral-facts.js'
import { issueConsentToken } from './consent.js'
import { referralsRepository as repo, type ReferralInsert, type ReferralRow } from './referrals.repository.js'
import { referralAuditView } from './referrals.views.js'

const DAY = 86_400_000

/** One submission, already validated: the person (contact sealed), who refers, how it came in. */
export type Intake = {
  referrer: ReferrerRow
  person: {
    name: string; company?: string | null; industry?: string | null; region?: string | null; note?: string | null
    campaignId?: string | null; externalId?: string | null
  }
  contact: Required<SealedContact>
  channel: ReferralInsert['channel']
  sourceIp: string | null
  /** The staff user submitting, for routing's team fallback (null: public form, referrer, key). */
  submittedBy: { userId: string | null; teamId: string | null }
  /** The intake facts, if the caller read them with the referrer (used when for this referrer). */
  read?: IntakeFacts
}

export type Recorded = { row: ReferralRow; consentToken: string | null }

/**
 * Records one submission inside the caller's transaction: runs the checks, stores the
 * referral (rejected with its reason, waiting for consent, or submitted), takes the
 * attribution claim, and, once submitted, creates its lead. Shared by every way in.
 */
export async function recordSubmission(deps: ServiceDeps, leads: LeadsService, action: Action, intake: Intake, now: Date): Promise<Recorded> {
  const { tx } = action
  const { referrer, contact } = intake
  const person = { phone: contact.phoneIdx, email: contact.emailIdx }
  if (!person.phone && !person.email) throw invalid('phone', 'a phone or an email is required to identify the person', 'REQUIRED')
  const indexesOf = (i: string) => deps.pii.indexesOf(i)
  const read = intake.read?.referrerId === referrer.id ? intake.read : await intakeFacts(tx, referrer.id, person, now, indexesOf)
  const decision = checkReferral({
    contact: person,
    // During a key rotation the referrer may still hold a previous key's index of the same value.
    referrer: {
      id: referrer.id, customerId: referrer.customerId,
      phone: asCurrent(referrer.phoneIdx, person.phone, indexesOf), email: asCurrent(referrer.emailIdx, person.email, indexesOf)
    },
    ...read.checks,
    limits: { perHour: deps.config.REFERRAL_VELOCITY_PER_HOUR, perDay: deps.config.REFERRAL_VELOCITY_PER_DAY },
    now
  })
  const base: SubmissionInsert = {
    ...intake.person, ...contact, referrerId: referrer.id, channel: intake.channel, sourceIp: intake.sourceIp,
    flags: decision.flags, flaggedForReview: decision.flags.length > 0, status: 'submitted', createdAt: now, updatedAt: now
  }
  if (decision.outcome === 'reject') {
    const { row } = await insertSubmission(tx, { ...base, ...rejection(decision.reason, detailOf(decision), now) }, null)
    announceRejected(action, row, decision.checks)
    return { row, consentToken: null }
  }
  const consent = deps.config.REFERRAL_CONSENT_REQUIRED ? issueConsentToken(now, deps.config.REFERRAL_CONSENT_TTL_HOURS) : null
  const attributionEnds = new Date(now.getTime() + deps.config.REFERRAL_ATTRIBUTION_DAYS * DAY)
  const inserted = await insertSubmission(tx, consent
    ? { ...base, status: 'pending_consent', consentTokenHash: consent.hash, consentExpiresAt: consent.expiresAt }
    : { ...base, status: 'submitted', submittedAt: now }, { contact: person, at: now, expiresAt: attributionEnds })
  let { row } = inserted
  if (!inserted.claimed) {
    // Lost the race: a concurrent submission of the same person committed its claim first.
    await releaseClaims(tx, row.id)
    row = await repo.update(tx, row.id, { ...rejection('duplicate', 'the person was claimed at the same moment by another referral', now), consentTokenHash: null, consentExpiresAt: null })
    announceRejected(action, row, decision.checks)
    return { row, consentToken: null }
  }
  if (consent) {
    action.audit({ action: 'referral.consent_requested', entityType: 'referral', entityId: row.id, changes: { ...referralAuditView(row), checks: decision.checks } })
    action.emit({ type: 'referral.consent_requested', entityType: 'referral', entityId: row.id, data: { referral: referralAuditView(row) } })
    return { row, consentToken: consent.token }
  }
  return { row: await createLead(leads, action, row, intake.submittedBy, now, decision.checks, read.routing), consentToken: null }
}

/**
 * The referral became submitted: its lead is created (routed and assigned by the leads
 * module) in the same transaction, and `referral.submitted` announces both. `checks`:
 * the duplicate and fraud checks' explanation, audited when they ran just now.
 */
export async function createLead(
  leads: LeadsService, action: Action, row: ReferralRow, by: Intake['submittedBy'], now: Date, checks?: unknown, routing?: RoutingFacts
): Promise<ReferralRow> {
  const linkedAt = new Date()
  const lead = await leads.createFromReferral(action, {
    referralId: row.id, referrerId: row.referrerId, campaignId: row.campaignId, name: row.name ?? '',
    phoneEnc: row.phoneEnc, phoneIdx: row.phoneIdx, phoneMasked: row.phoneMasked,
    emailEnc: row.emailEnc, emailIdx: row.emailIdx, emailMasked: row.emailMasked,
    company: row.company, industry: row.industry, region: row.region, note: row.note,
    submittedByUserId: by.userId, teamId: by.teamId, routing, linkedAt
  }, now)
  // The lead's statement pointed the referral at it; `row` is the referral as this
  // transaction wrote it, so the updated row is known without reading it back.
  const after: ReferralRow = { ...row, leadId: lead.id, version: row.version + 1, updatedAt: linkedAt }
  action.audit({ action: 'referral.submitted', entityType: 'referral', entityId: row.id, changes: { ...referralAuditView(after), ...(checks ? { checks } : {}) } })
  action.emit({ type: 'referral.submitted', entityType: 'referral', entityId: row.id, data: { referral: referralAuditView(after), leadId: lead.id } })
  return after
}

export function rejection(
  reason: NonNullable<ReferralInsert['rejectionReason']>, detail: string | null, now: Date
): Pick<ReferralInsert, 'status' | 'rejectionReason' | 'rejectionDetail' | 'rejectedAt'> {
  return { status: 'rejected', rejectionReason: reason, rejectionDetail: detail, rejectedAt: now }
}

/** The rejection as staff see it: the rule's words and the id of what it matched. */
function detailOf(decision: Extract<CheckDecision, { outcome: 'reject' }>): string {
  return decision.matched ? `${decision.detail} (${decision.matched.kind} ${decision.matched.id})` : decision.detail
}

export function announceRejected({ audit, emit }: Action, row: ReferralRow, checks?: unknown): void {
  const data = { referral: referralAuditView(row), reason: row.rejectionReason, detail: row.rejectionDetail }
  audit({ action: 'referral.rejected', entityType: 'referral', entityId: row.id, changes: { ...data, ...(checks ? { checks } : {}) } })
  emit({ type: 'referral.rejected', entityType: 'referral', entityId: row.id, data })
}

/** Rejects a referral that still holds its person and lets the person go. */
export async function rejectAndRelease(tx: Executor, id: string, values: Partial<ReferralInsert>): Promise<ReferralRow> {
  await releaseClaims(tx, id)
  return repo.update(tx, id, { ...values, consentTokenHash: null })
}
