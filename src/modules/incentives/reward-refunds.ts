import { and, asc, eq, inArray, sql } from 'drizzle-orm'
import type { Action } from '../../db/action.js'
import { rewards } from '../../db/schema/incentives.js'
import { incentiveRulesRepository } from './incentive-rules.repository.js'
import { cancelEntry, reverseEntry } from './reward-transitions.js'
import type { RewardRow } from './rewards.views.js'
import type { RefundFacts } from './incentive-triggers.js'

/**
 * What a refund does to the rewards its order earned (docs/rewards.md):
 *
 * - the order no longer qualifies (fully refunded, or its net amount fell below the rule's
 *   minimum): the whole reward goes: cancelled while unpaid, reversed (a clawback entry
 *   for what is left of it) once paid;
 * - otherwise a percentage reward keeps the share of itself that the order kept:
 *   `round(reward × net after / net when earned)`, and a reversal entry takes the
 *   difference; a fixed reward (or points, or a fixed referred-side amount) stays.
 *
 * Each reward's current value is the reward plus its reversals so far, so successive
 * partial refunds never take more than once; each refund reverses a reward at most once
 * (`rewards_reversal_once_uq` on the reward and `refund:<refund id>`).
 */
export async function reverseForRefund(action: Action, refund: RefundFacts, now: Date): Promise<void> {
  const earned = await action.tx.select().from(rewards)
    .where(and(eq(rewards.orderId, refund.orderId), eq(rewards.kind, 'reward'), inArray(rewards.status, ['pending', 'approved', 'paid'])))
    .orderBy(asc(rewards.id)).for('update')
  if (earned.length === 0) return
  const ruleRows = await incentiveRulesRepository.byIdsAnyState(action.tx, [...new Set(earned.map((r) => r.ruleId))])
  const minimum = new Map(ruleRows.map((r) => [r.id, r.minOrderAmount]))
  const netAfter = refund.orderAmount - refund.refundedAmount
  const reversedSoFar = await reversalTotals(action, earned.map((r) => r.id))
  const cause = `refund:${refund.refundId}`
  for (const reward of earned) {
    const current = reward.amount + (reversedSoFar.get(reward.id) ?? 0)
    const min = minimum.get(reward.ruleId) ?? null
    const qualifies = netAfter > 0 && (min === null || netAfter >= min)
    const target = qualifies ? keptShare(reward, netAfter, current) : 0
    if (target >= current) continue
    if (target === 0 && reward.status !== 'paid') {
      await cancelEntry(action, reward, reasonOf(netAfter, qualifies), now)
      continue
    }
    const why = target === 0 ? reasonOf(netAfter, qualifies) : 'the refund reduced the order amount'
    await reverseEntry(action, reward, current - target, cause, target === 0, why, now)
  }
}

function reasonOf(netAfter: number, qualifies: boolean): string {
  if (netAfter <= 0) return 'the order was refunded in full'
  return qualifies ? 'the refund left nothing of the reward' : 'the order fell below the rule minimum after the refund'
}

/** What a reward should be worth after the refund, never more than it is now. */
function keptShare(reward: RewardRow, netAfter: number, current: number): number {
  const explanation = reward.explanation as { base?: unknown; proportional?: unknown }
  const base = typeof explanation.base === 'number' ? explanation.base : null
  if (explanation.proportional !== true || base === null || base <= 0 || netAfter >= base) return current
  const share = Number((BigInt(reward.amount) * BigInt(netAfter) * 2n + BigInt(base)) / (2n * BigInt(base)))
  return Math.min(current, share)
}

/** Per reward: the sum of its reversal entries that are not cancelled (≤ 0). */
async function reversalTotals(action: Action, rewardIds: readonly string[]): Promise<Map<string, number>> {
  const rows = await action.tx.select({ id: rewards.reversesId, total: sql<number>`coalesce(sum(${rewards.amount}), 0)`.mapWith(Number) })
    .from(rewards)
    .where(and(inArray(rewards.reversesId, [...rewardIds]), eq(rewards.kind, 'reversal'), sql`${rewards.status} <> 'cancelled'`))
    .groupBy(rewards.reversesId)
  return new Map(rows.map((r) => [r.id as string, r.total]))
}
