import { and, asc, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm'
import type { Executor } from '../../db/client.js'
import { campaigns } from '../../db/schema/campaigns.js'
import { rewards } from '../../db/schema/incentives.js'
import { referrers } from '../../db/schema/referrers.js'
import { periodStart } from '../../rules/incentives.js'
import type { IncentiveEvent, IncentiveRule, IncentiveUsage } from '../../rules/incentives.types.js'

/**
 * What the limits have used, read under the locks that make them hold under concurrency.
 * Locks first (the referrer row when a rule caps per referrer, then each budgeted campaign
 * row, by id), sums after: every transaction that may spend the same cap or budget queues
 * on the same row, and reads the ledger only once the one before it has committed (READ
 * COMMITTED gives each statement a fresh snapshot). `for no key update` leaves the rows'
 * foreign-key readers (inserts that reference them) unblocked.
 *
 * Sums are of the ledger itself (never a stored counter): every entry that is not
 * cancelled, reversals (negative) included.
 */
export async function lockUsage(tx: Executor, event: IncentiveEvent, rules: readonly IncentiveRule[], lock = true): Promise<IncentiveUsage> {
  const capped = event.referrer ? rules.filter((r) => r.perReferrerCap !== null) : []
  const budgeted = [...new Set(rules
    .filter((r) => r.campaignId !== null && r.campaignId === event.campaignId && r.rewardType !== 'points')
    .map((r) => r.campaignId as string))].sort()
  if (lock && capped.length > 0 && event.referrer) {
    await tx.select({ id: referrers.id }).from(referrers).where(eq(referrers.id, event.referrer.id)).for('no key update')
  }
  return {
    referrerPeriodTotal: capped.length > 0 && event.referrer ? await referrerTotals(tx, event.referrer.id, capped, event.at) : {},
    campaignBudgetLeft: budgeted.length > 0 ? await budgetsLeft(tx, budgeted, lock) : {}
  }
}

/** Per capped rule: what the referrer received from it since its period started (as of `at`). */
async function referrerTotals(tx: Executor, referrerId: string, rules: readonly IncentiveRule[], at: Date): Promise<Record<string, number>> {
  const windows: SQL[] = rules.map((r) => {
    const from = periodStart(r.perReferrerPeriod, at)
    return from ? sql`(${rewards.ruleId} = ${r.id} and ${rewards.createdAt} >= ${from.toISOString()}::timestamptz)` : sql`${rewards.ruleId} = ${r.id}`
  })
  const rows = await tx.select({ ruleId: rewards.ruleId, total: sql<number>`coalesce(sum(${rewards.amount}), 0)`.mapWith(Number) })
    .from(rewards)
    .where(and(eq(rewards.beneficiaryType, 'referrer'), eq(rewards.beneficiaryId, referrerId), sql`${rewards.status} <> 'cancelled'`,
      sql`(${sql.join(windows, sql` or `)})`))
    .groupBy(rewards.ruleId)
  return Object.fromEntries(rows.map((r) => [r.ruleId, r.total]))
}

/**
 * Per campaign with a budget: the budget less what the campaign's own rules have paid out
 * of it in its currency (cash and coupons; points are not money). Campaigns without a budget
 * are absent: no limit.
 */
async function budgetsLeft(tx: Executor, campaignIds: readonly string[], lock: boolean): Promise<Record<string, number>> {
  const read = tx.select({ id: campaigns.id, amount: campaigns.budgetAmount, currency: campaigns.budgetCurrency })
    .from(campaigns).where(and(inArray(campaigns.id, [...campaignIds]), isNull(campaigns.deletedAt))).orderBy(asc(campaigns.id))
  const rows = lock ? await read.for('no key update') : await read
  const out: Record<string, number> = {}
  for (const c of rows) {
    if (c.amount === null) continue
    const [spent] = await tx.select({ total: sql<number>`coalesce(sum(${rewards.amount}), 0)`.mapWith(Number) })
      .from(rewards)
      .where(and(
        sql`${rewards.ruleId} in (select id from incentive_rules where campaign_id = ${c.id})`,
        sql`${rewards.status} <> 'cancelled'`, sql`${rewards.rewardType} <> 'points'`, eq(rewards.currency, c.currency)))
    out[c.id] = c.amount - spent.total
  }
  return out
}
