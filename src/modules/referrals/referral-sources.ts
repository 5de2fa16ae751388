import { and, desc, eq, gt, isNull, lte, or, sql } from 'drizzle-orm'
import type { Executor } from '../../db/client.js'
import { campaigns } from '../../db/schema/campaigns.js'
import { forbidden, invalid, notFound } from '../../errors.js'
import { normalizeReferralCode } from '../../rules/referral-code.js'
import type { Actor } from '../auth/actor.js'
import type { ContactInput, SealedContact } from '../common/contact.js'
import { sealContact } from '../common/contact.js'
import { campaignsRepository } from '../campaigns/campaigns.repository.js'
import type { PiiCipher } from '../../lib/pii.js'
import { referrersRepository, type ReferrerRow } from '../referrers/referrers.repository.js'

/** Who a submission names as its referrer, and where to report a problem with it. */
export type ReferrerRef = { referrerId?: string; referralCode?: string }

/** An active, live referrer by code, or undefined (unknown, suspended, archived, deleted). */
export async function activeReferrerByCode(ex: Executor, code: string): Promise<ReferrerRow | undefined> {
  const normalised = normalizeReferralCode(code)
  if (!normalised.ok) return undefined
  const row = await referrersRepository.byCode(ex, normalised.value)
  return row?.status === 'active' ? row : undefined
}

/**
 * The referrer an authenticated submission names. A referrer token submits only as
 * itself (and may name nobody); staff name one by id or code, which must be active.
 * `byId`: how to find a live referrer by id (the caller may already have read it).
 */
export async function submittingReferrer(
  ex: Executor, actor: Actor, ref: ReferrerRef, byId = (id: string) => referrersRepository.byId(ex, id)
): Promise<ReferrerRow> {
  if (actor.role === 'referrer') {
    const self = actor.referrerId ? await byId(actor.referrerId) : undefined
    const named = ref.referrerId ?? (ref.referralCode ? (await activeReferrerByCode(ex, ref.referralCode))?.id : undefined)
    if (!self || (named !== undefined && named !== self.id) || (ref.referralCode && named === undefined)) {
      throw forbidden('A referrer token submits referrals only as its own referrer')
    }
    if (self.status !== 'active') throw invalid('referrerId', `is ${self.status}, not active`, 'INACTIVE_REFERRER')
    return self
  }
  if (ref.referrerId) {
    const row = await byId(ref.referrerId)
    if (!row) throw invalid('referrerId', 'is not a known referrer', 'UNKNOWN_REFERRER')
    if (row.status !== 'active') throw invalid('referrerId', `is ${row.status}, not active`, 'INACTIVE_REFERRER')
    return row
  }
  if (ref.referralCode) {
    const row = await activeReferrerByCode(ex, ref.referralCode)
    if (!row) throw invalid('referralCode', 'is not the code of an active referrer', 'UNKNOWN_REFERRER')
    return row
  }
  throw invalid('referrerId', 'is required (or referralCode)', 'REQUIRED')
}

/** A named campaign must exist; any status is accepted (a referral may arrive after the push ended). */
export async function assertCampaign(ex: Executor, campaignId: string | null | undefined): Promise<void> {
  if (!campaignId) return
  if (!(await campaignsRepository.byId(ex, campaignId))) throw invalid('campaignId', 'is not a known campaign', 'UNKNOWN_CAMPAIGN')
}

/** The person's contact sealed for storage; every key present (null where absent). */
export function sealPerson(pii: PiiCipher, input: ContactInput): Required<SealedContact> {
  const sealed = sealContact(pii, { phone: input.phone ?? null, email: input.email ?? null })
  if (!sealed.phoneIdx && !sealed.emailIdx) throw invalid('phone', 'a phone or an email is required to identify the person', 'REQUIRED')
  return {
    phoneEnc: sealed.phoneEnc ?? null, phoneIdx: sealed.phoneIdx ?? null, phoneMasked: sealed.phoneMasked ?? null,
    emailEnc: sealed.emailEnc ?? null, emailIdx: sealed.emailIdx ?? null, emailMasked: sealed.emailMasked ?? null
  }
}

/**
 * The campaign a landing page shows: the one asked for if it is running, else the
 * running campaign that started last. Running: status active, inside its start and end.
 */
export async function runningCampaign(ex: Executor, now: Date, campaignId?: string): Promise<{ id: string; name: string } | null> {
  const [row] = await ex.select({ id: campaigns.id, name: campaigns.name }).from(campaigns)
    .where(and(
      campaignId ? eq(campaigns.id, campaignId) : undefined,
      eq(campaigns.status, 'active'), isNull(campaigns.deletedAt),
      or(isNull(campaigns.startsAt), lte(campaigns.startsAt, now)),
      or(isNull(campaigns.endsAt), gt(campaigns.endsAt, now))
    ))
    .orderBy(desc(sql`coalesce(${campaigns.startsAt}, ${campaigns.createdAt})`), desc(campaigns.id))
    .limit(1)
  return row ?? null
}

/** Missing: the same as unknown, so a landing page cannot tell suspended from never-existed. */
export const unknownCode = () => notFound('Referral code')
