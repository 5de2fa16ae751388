import { and, count, inArray } from 'drizzle-orm'
import type { Executor } from '../../db/client.js'
import { referrals } from '../../db/schema/referrals.js'
import type { ReferralStatus } from '../../rules/referral-status.js'
import { live } from './referrals.repository.js'

/** Referrer.stats: counts over every referral a referrer made. */
export type ReferrerStats = {
  /** Every referral made, whatever became of it. */
  submitted: number
  pendingConsent: number
  /** Passed consent and the checks: submitted, qualified or converted. */
  accepted: number
  /** Reached qualified: qualified or converted. */
  qualified: number
  converted: number
  rejected: number
  /** converted / accepted, 4 decimals; 0 while nothing is accepted. */
  conversionRate: number
}

/** Stats from the number of referrals in each status. Rejections do not count against the rate. */
export function statsFrom(byStatus: Partial<Record<ReferralStatus, number>>): ReferrerStats {
  const n = (s: ReferralStatus) => byStatus[s] ?? 0
  const accepted = n('submitted') + n('qualified') + n('converted')
  return {
    submitted: accepted + n('pending_consent') + n('rejected'),
    pendingConsent: n('pending_consent'),
    accepted,
    qualified: n('qualified') + n('converted'),
    converted: n('converted'),
    rejected: n('rejected'),
    conversionRate: accepted === 0 ? 0 : Math.round((n('converted') / accepted) * 10_000) / 10_000
  }
}

/** Stats of many referrers in one grouped query, in the order asked. */
export async function statsOf(ex: Executor, referrerIds: readonly string[]): Promise<ReferrerStats[]> {
  const ids = [...new Set(referrerIds)]
  const rows = ids.length === 0 ? [] : await ex.select({ referrerId: referrals.referrerId, status: referrals.status, n: count() })
    .from(referrals).where(and(inArray(referrals.referrerId, ids), live))
    .groupBy(referrals.referrerId, referrals.status)
  const byReferrer = new Map<string, Partial<Record<ReferralStatus, number>>>()
  for (const r of rows) byReferrer.set(r.referrerId, { ...byReferrer.get(r.referrerId), [r.status]: r.n })
  return referrerIds.map((id) => statsFrom(byReferrer.get(id) ?? {}))
}
