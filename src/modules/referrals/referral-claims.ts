import { and, count, eq, gte, inArray, isNull, or, sql } from 'drizzle-orm'
import type { Executor } from '../../db/client.js'
import { customers } from '../../db/schema/customers.js'
import { referralClaims, referrals } from '../../db/schema/referrals.js'
import type { Claim, ContactKind, ContactValues } from '../../rules/referral-checks.js'
import { claimKeys } from '../../rules/referral-checks.js'

/**
 * The facts the duplicate and fraud checks need (src/rules/referral-checks.ts), and the
 * attribution claims that make "first referrer wins" a database fact. Contacts here are
 * blind indexes: the checks compare them, never the clear values.
 */
const HOUR = 3_600_000

/** Live customers whose phone or email index equals the person's. */
export async function customersMatching(ex: Executor, contact: ContactValues): Promise<({ id: string } & ContactValues)[]> {
  const by = [contact.phone ? eq(customers.phoneIdx, contact.phone) : undefined, contact.email ? eq(customers.emailIdx, contact.email) : undefined]
    .filter((c) => c !== undefined)
  if (by.length === 0) return []
  return ex.select({ id: customers.id, phone: customers.phoneIdx, email: customers.emailIdx }).from(customers)
    .where(and(or(...by), isNull(customers.deletedAt)))
}

/** Claims on the person's phone and email, with whether their referral was rejected (released). */
export async function claimsOn(ex: Executor, contact: ContactValues): Promise<Claim[]> {
  const keys = claimKeys(contact)
  if (keys.length === 0) return []
  const rows = await ex.select({
    contactKey: referralClaims.contactKey, referralId: referralClaims.referralId, referrerId: referralClaims.referrerId,
    claimedAt: referralClaims.claimedAt, expiresAt: referralClaims.expiresAt, status: referrals.status
  }).from(referralClaims).innerJoin(referrals, eq(referrals.id, referralClaims.referralId))
    .where(inArray(referralClaims.contactKey, keys))
  return rows.map((r) => ({
    kind: r.contactKey.slice(0, r.contactKey.indexOf(':')) as ContactKind,
    referralId: r.referralId, referrerId: r.referrerId, claimedAt: r.claimedAt, expiresAt: r.expiresAt,
    released: r.status === 'rejected'
  }))
}

/** The referrer's submissions in the hour and the day before `now` (velocity). */
export async function recentSubmissions(ex: Executor, referrerId: string, now: Date): Promise<{ lastHour: number; lastDay: number }> {
  const hourAgo = new Date(now.getTime() - HOUR)
  const [row] = await ex.select({
    lastHour: sql<number>`count(*) filter (where ${referrals.createdAt} >= ${hourAgo.toISOString()}::timestamptz)`.mapWith(Number),
    lastDay: count()
  }).from(referrals)
    .where(and(eq(referrals.referrerId, referrerId), gte(referrals.createdAt, new Date(now.getTime() - 24 * HOUR)), sql`${referrals.createdAt} <= ${now.toISOString()}::timestamptz`))
  return { lastHour: row?.lastHour ?? 0, lastDay: row?.lastDay ?? 0 }
}

/**
 * Takes the person for this referral: inserts each claim key, or takes over one whose
 * window ended or whose referral was rejected. Under concurrency the primary key makes
 * the second writer wait for the first and then see its claim, so exactly one wins.
 * Returns true when every key is now this referral's.
 */
export async function claim(ex: Executor, referral: { id: string; referrerId: string }, contact: ContactValues, now: Date, expiresAt: Date): Promise<boolean> {
  const keys = claimKeys(contact)
  if (keys.length === 0) return true
  const taken = await ex.insert(referralClaims)
    .values(keys.map((contactKey) => ({ contactKey, referralId: referral.id, referrerId: referral.referrerId, claimedAt: now, expiresAt })))
    .onConflictDoUpdate({
      target: referralClaims.contactKey,
      set: {
        referralId: sql`excluded.referral_id`, referrerId: sql`excluded.referrer_id`,
        claimedAt: sql`excluded.claimed_at`, expiresAt: sql`excluded.expires_at`
      },
      setWhere: sql`${referralClaims.expiresAt} <= ${now.toISOString()}::timestamptz
        or exists (select 1 from referrals r where r.id = ${referralClaims.referralId} and r.status = 'rejected')`
    })
    .returning({ contactKey: referralClaims.contactKey })
  return taken.length === keys.length
}

/** A rejected referral lets go of its person, so the next referrer may take them. */
export async function releaseClaims(ex: Executor, referralId: string): Promise<void> {
  await ex.delete(referralClaims).where(eq(referralClaims.referralId, referralId))
}
