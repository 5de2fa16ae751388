import { eq, sql } from 'drizzle-orm'
import { uuidv7 } from 'uuidv7'
import type { Executor } from '../../db/client.js'
import { insertedRow, insertShape, statement } from '../../db/statement.js'
import { referralClaims, referrals } from '../../db/schema/referrals.js'
import { claimKeys, type ContactValues } from '../../rules/referral-checks.js'
import { asTaken } from '../common/unique.js'
import type { ReferralInsert, ReferralRow } from './referrals.repository.js'

/**
 * The attribution claims that make "first referrer wins" a database fact, taken with the
 * referral in ONE statement of fixed text (every submission runs it; docs/performance.md).
 * Contacts here are blind indexes, never the clear values.
 */

/** The columns a submission writes; the others keep their defaults. */
const submissionColumns = [
  'id', 'externalId', 'createdAt', 'updatedAt', 'referrerId', 'campaignId', 'channel', 'name',
  'phoneEnc', 'phoneIdx', 'phoneMasked', 'emailEnc', 'emailIdx', 'emailMasked', 'company', 'industry', 'region', 'note',
  'status', 'rejectionReason', 'rejectionDetail', 'flaggedForReview', 'flags', 'consentTokenHash', 'consentExpiresAt',
  'submittedAt', 'rejectedAt', 'sourceIp'
] as const satisfies readonly (keyof ReferralInsert)[]
export type SubmissionInsert = Pick<ReferralInsert, (typeof submissionColumns)[number]>

const submission = insertShape(referrals, submissionColumns)
const referralRow = insertedRow(referrals)

/**
 * Inserts the referral and takes its person in one statement: each claim key is inserted,
 * or takes over one whose window ended or whose referral was rejected. Under concurrency
 * the primary key makes the second writer wait for the first and then see its claim, so
 * exactly one wins. The claim's foreign key is checked at the end of the statement, when
 * the referral exists. No keys (a rejection): only the insert. Nothing of the row comes
 * back: it is what was inserted (`insertedRow`).
 */
const insertStatement = statement<Record<string, unknown>, number>('referral_submission_insert', () => sql`
  with referral as (
    insert into ${referrals} (${submission.columns}) values (${submission.placeholders})
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
  select count(*)::int from claimed`, (row) => row[0] as number)

/** The claim a submission takes: its person's keys, from `at` until `expiresAt`. */
export type ClaimRequest = { contact: ContactValues; at: Date; expiresAt: Date }

/** Stores a submission (a taken externalId is CONFLICT / TAKEN); `claimed`: every key of `claim` is now this referral's. */
export async function insertSubmission(ex: Executor, values: SubmissionInsert, claim: ClaimRequest | null): Promise<{ row: ReferralRow; claimed: boolean }> {
  const keys = claim ? claimKeys(claim.contact) : []
  const row = referralRow({ ...values, id: values.id ?? uuidv7() })
  try {
    const [taken] = await insertStatement(ex, {
      ...submission.encode(row), claimKeys: keys,
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
