import { eq, sql } from 'drizzle-orm'
import type { Executor } from '../../db/client.js'
import { insertShape, rowShape, statement } from '../../db/statement.js'
import { referralClaims, referrals } from '../../db/schema/referrals.js'
import type { CheckFacts, ContactKind, ContactValues } from '../../rules/referral-checks.js'
import { claimKeys } from '../../rules/referral-checks.js'
import { asTaken } from '../common/unique.js'
import type { ReferralInsert, ReferralRow } from './referrals.repository.js'

/**
 * The facts the duplicate and fraud checks need (src/rules/referral-checks.ts), and the
 * attribution claims that make "first referrer wins" a database fact. Contacts here are
 * blind indexes: the checks compare them, never the clear values. Both run on every
 * submission, so each is ONE statement of fixed text (docs/performance.md).
 */
const HOUR = 3_600_000

type CustomerFact = { id: string; phone: string | null; email: string | null }
type ClaimFact = { contactKey: string; referralId: string; referrerId: string; claimedAt: string; expiresAt: string; status: string }

const factsStatement = statement<
  { phone: string; email: string; key1: string; key2: string; referrerId: string; hourAgo: string; dayAgo: string; now: string },
  [CustomerFact[], ClaimFact[], number, number]
>('referral_check_facts', () => sql`
  select
    (select coalesce(json_agg(json_build_object('id', c.id, 'phone', c.phone_idx, 'email', c.email_idx)), '[]')
       from customers c
      where (c.phone_idx = ${sql.placeholder('phone')} or c.email_idx = ${sql.placeholder('email')}) and c.deleted_at is null),
    (select coalesce(json_agg(json_build_object('contactKey', k.contact_key, 'referralId', k.referral_id, 'referrerId', k.referrer_id,
              'claimedAt', k.claimed_at, 'expiresAt', k.expires_at, 'status', r.status)), '[]')
       from referral_claims k join referrals r on r.id = k.referral_id
      where k.contact_key in (${sql.placeholder('key1')}, ${sql.placeholder('key2')})),
    v.last_hour, v.last_day
  from (select count(*) filter (where created_at >= ${sql.placeholder('hourAgo')}::timestamptz)::int as last_hour, count(*)::int as last_day
          from referrals
         where referrer_id = ${sql.placeholder('referrerId')}::uuid
           and created_at >= ${sql.placeholder('dayAgo')}::timestamptz and created_at <= ${sql.placeholder('now')}::timestamptz) v`,
(row) => row as [CustomerFact[], ClaimFact[], number, number])

/**
 * Live customers whose phone or email index equals the person's; claims on the person's
 * phone and email, with whether their referral was rejected (released); the referrer's
 * submissions in the hour and the day before `now` (velocity).
 */
export async function checkFacts(ex: Executor, contact: ContactValues, referrerId: string, now: Date): Promise<Pick<CheckFacts, 'customers' | 'claims' | 'recent'>> {
  // A missing contact is '' (no blind index or claim key is empty), not NULL, and the keys are
  // two parameters, not an array: PostgreSQL's plan for NULLs or an array parameter looks so
  // much cheaper than its generic plan that it would plan this statement on every call.
  const [key1 = '', key2 = ''] = claimKeys(contact)
  const [[customers, claims, lastHour, lastDay]] = await factsStatement(ex, {
    phone: contact.phone ?? '', email: contact.email ?? '', key1, key2, referrerId,
    hourAgo: new Date(now.getTime() - HOUR).toISOString(), dayAgo: new Date(now.getTime() - 24 * HOUR).toISOString(), now: now.toISOString()
  })
  return {
    customers,
    claims: claims.map((r) => ({
      kind: r.contactKey.slice(0, r.contactKey.indexOf(':')) as ContactKind,
      referralId: r.referralId, referrerId: r.referrerId, claimedAt: new Date(r.claimedAt), expiresAt: new Date(r.expiresAt),
      released: r.status === 'rejected'
    })),
    recent: { lastHour, lastDay }
  }
}

/** The columns a submission writes; the others keep their defaults. */
const submissionColumns = [
  'id', 'externalId', 'createdAt', 'updatedAt', 'referrerId', 'campaignId', 'channel', 'name',
  'phoneEnc', 'phoneIdx', 'phoneMasked', 'emailEnc', 'emailIdx', 'emailMasked', 'company', 'industry', 'region', 'note',
  'status', 'rejectionReason', 'rejectionDetail', 'flaggedForReview', 'flags', 'consentTokenHash', 'consentExpiresAt',
  'submittedAt', 'rejectedAt', 'sourceIp'
] as const satisfies readonly (keyof ReferralInsert)[]
export type SubmissionInsert = Pick<ReferralInsert, (typeof submissionColumns)[number]>

const submission = insertShape(referrals, submissionColumns)
const referralRow = rowShape(referrals)

/**
 * Inserts the referral and takes its person in one statement: each claim key is inserted,
 * or takes over one whose window ended or whose referral was rejected. Under concurrency
 * the primary key makes the second writer wait for the first and then see its claim, so
 * exactly one wins. The claim's foreign key is checked at the end of the statement, when
 * the referral exists. No keys (a rejection): only the insert.
 */
const insertStatement = statement<Record<string, unknown>, { row: ReferralRow; taken: number }>('referral_submission_insert', () => sql`
  with referral as (
    insert into ${referrals} (${submission.columns}) values (${submission.placeholders}) returning ${referralRow.list}
  ), claimed as (
    insert into ${referralClaims} (contact_key, referral_id, referrer_id, claimed_at, expires_at)
    select key, ${sql.placeholder('id')}::uuid, ${sql.placeholder('referrerId')}::uuid, ${sql.placeholder('claimedAt')}::timestamptz,
           ${sql.placeholder('claimExpiresAt')}::timestamptz
      from unnest(${sql.placeholder('claimKeys')}::text[]) as key
    on conflict (contact_key) do update set
      referral_id = excluded.referral_id, referrer_id = excluded.referrer_id, claimed_at = excluded.claimed_at, expires_at = excluded.expires_at
    where referral_claims.expires_at <= ${sql.placeholder('claimedAt')}::timestamptz
       or exists (select 1 from referrals r where r.id = referral_claims.referral_id and r.status = 'rejected')
    returning contact_key
  )
  select referral.*, (select count(*)::int from claimed) from referral`,
(row) => ({ row: referralRow.map(row), taken: row[referralRow.size] as number }))

/** The claim a submission takes: its person's keys, from `at` until `expiresAt`. */
export type ClaimRequest = { contact: ContactValues; at: Date; expiresAt: Date }

/** Stores a submission (a taken externalId is CONFLICT / TAKEN); `claimed`: every key of `claim` is now this referral's. */
export async function insertSubmission(ex: Executor, values: SubmissionInsert, claim: ClaimRequest | null): Promise<{ row: ReferralRow; claimed: boolean }> {
  const keys = claim ? claimKeys(claim.contact) : []
  try {
    const [{ row, taken }] = await insertStatement(ex, {
      ...submission.encode(values), claimKeys: keys,
      claimedAt: claim ? claim.at.toISOString() : null, claimExpiresAt: claim ? claim.expiresAt.toISOString() : null
    })
    return { row, claimed: taken === keys.length }
  } catch (err) {
    throw asTaken(err, 'referral')
  }
}

/** A rejected referral lets go of its person, so the next referrer may take them. */
export async function releaseClaims(ex: Executor, referralId: string): Promise<void> {
  await ex.delete(referralClaims).where(eq(referralClaims.referralId, referralId))
}
