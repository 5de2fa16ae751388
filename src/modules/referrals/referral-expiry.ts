import { and, asc, eq, inArray, isNull, lte, sql } from 'drizzle-orm'
import { runAction } from '../../db/action.js'
import { referralClaims, referrals } from '../../db/schema/referrals.js'
import { actionContext, systemActor } from '../auth/actor.js'
import type { ServiceDeps } from '../service-deps.js'
import { announceRejected, rejection } from './referral-intake.js'
import { live } from './referrals.repository.js'

const DAY = 86_400_000
/** Rows per transaction: a long backlog is worked off in short transactions. */
const BATCH = 200

/**
 * Referrals whose consent request ran out are rejected as `expired` (their person is
 * released, their token stops working). Locked with SKIP LOCKED, so two processes
 * running the job at once share the work instead of doing it twice.
 */
export async function expirePendingConsents(deps: ServiceDeps, now: Date): Promise<number> {
  let total = 0
  for (;;) {
    const done = await runAction(deps.db, actionContext(systemActor), async (action) => {
      const due = await action.tx.select({ id: referrals.id }).from(referrals)
        .where(and(eq(referrals.status, 'pending_consent'), lte(referrals.consentExpiresAt, now), live))
        .orderBy(asc(referrals.consentExpiresAt)).limit(BATCH).for('update', { skipLocked: true })
      if (due.length === 0) return 0
      const ids = due.map((r) => r.id)
      await action.tx.delete(referralClaims).where(inArray(referralClaims.referralId, ids))
      const rows = await action.tx.update(referrals)
        .set({ ...rejection('expired', 'the person did not answer the consent request in time', now), consentTokenHash: null, version: sql`${referrals.version} + 1`, updatedAt: new Date() })
        .where(inArray(referrals.id, ids)).returning()
      for (const row of rows) announceRejected(action, row)
      return rows.length
    })
    total += done
    if (done < BATCH) return total
  }
}

/**
 * PIPL retention: a referral the person never consented to (expired or declined) keeps
 * its personal fields only REFERRAL_PURGE_AFTER_DAYS after its rejection; then name,
 * contact, company, note and the IPs are cleared and `purgedAt` set.
 */
export async function purgeUnconsented(deps: ServiceDeps, now: Date): Promise<number> {
  const before = new Date(now.getTime() - deps.config.REFERRAL_PURGE_AFTER_DAYS * DAY)
  let total = 0
  for (;;) {
    const done = await runAction(deps.db, actionContext(systemActor), async ({ tx, audit }) => {
      const due = await tx.select({ id: referrals.id }).from(referrals)
        .where(and(eq(referrals.status, 'rejected'), inArray(referrals.rejectionReason, ['expired', 'consent_declined']),
          isNull(referrals.purgedAt), lte(referrals.rejectedAt, before)))
        .limit(BATCH).for('update', { skipLocked: true })
      if (due.length === 0) return 0
      const rows = await tx.update(referrals).set({
        name: null, phoneEnc: null, phoneIdx: null, phoneMasked: null, emailEnc: null, emailIdx: null, emailMasked: null,
        company: null, industry: null, region: null, note: null, sourceIp: null, purgedAt: now,
        // The consent record stays (it is the proof of the answer), without the answering IP.
        consent: sql`${referrals.consent} - 'ip'`,
        version: sql`${referrals.version} + 1`, updatedAt: new Date()
      }).where(inArray(referrals.id, due.map((r) => r.id))).returning({ id: referrals.id, reason: referrals.rejectionReason })
      for (const row of rows) audit({ action: 'referral.purged', entityType: 'referral', entityId: row.id, changes: { reason: row.reason, purgedAt: now.toISOString() } })
      return rows.length
    })
    total += done
    if (done < BATCH) return total
  }
}
