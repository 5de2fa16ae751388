import type { Action } from '../../db/action.js'
import { evaluateIncentives } from '../../rules/incentives.js'
import type { IncentiveEvent, IncentiveRule, RewardDecision, RuleExplanation } from '../../rules/incentives.types.js'
import { levelKeyOf } from '../levels/levels.conditions.js'
import { creditReward } from '../points/points.hooks.js'
import { couponOnRewardApproved } from '../coupons/coupons.rewards.js'
import { lockUsage } from './reward-limits.js'
import { rewardsRepository as repo } from './rewards.repository.js'
import { rewardEventData, type RewardInsert, type RewardRow } from './rewards.views.js'

/**
 * Evaluates `rules` for `event` under the limits' locks and appends the rewards it earns,
 * in the caller's action. Never twice: each entry is unique per (rule, event key,
 * beneficiary) in the database (`rewards_once_uq`), and an entry that exists already is
 * skipped without a word, so a replayed or concurrent event writes and announces nothing.
 */
export async function earnRewards(action: Action, event: IncentiveEvent, rules: readonly IncentiveRule[], now: Date): Promise<RewardRow[]> {
  if (rules.length === 0) return []
  // The customer's member level, read only when a rule is limited to levels.
  if (event.customerLevel === undefined && event.customerId && rules.some((r) => r.customerLevels?.length)) {
    event = { ...event, customerLevel: await levelKeyOf(action.tx, event.customerId) }
  }
  const usage = await lockUsage(action.tx, event, rules)
  const evaluation = evaluateIncentives(event, rules, usage)
  if (evaluation.decisions.length === 0) return []
  const byRule = new Map(rules.map((r) => [r.id, r]))
  const why = new Map(evaluation.explanations.map((e) => [e.ruleId, e]))
  const values = evaluation.decisions.map((d) => entryOf(event, d, byRule.get(d.ruleId)!, why.get(d.ruleId)!, now))
  const created = await repo.insertNew(action.tx, values)
  for (const row of created) {
    announceCreated(action, row)
    // Approved at creation (no hold, automatic approval): a points reward is credited now, a coupon issued.
    if (row.status === 'approved') {
      await creditReward(action, row, row.amount, now)
      await couponOnRewardApproved(action, row, now)
    }
  }
  return created
}

/**
 * An entry for one decision. Approved at once when the rule approves automatically and
 * there is no hold left; otherwise pending (the hold job or a manager approves it). The
 * explanation keeps what the refund rules need later: the base amount and whether the
 * reward is proportional to it.
 */
function entryOf(event: IncentiveEvent, d: RewardDecision, rule: IncentiveRule, why: RuleExplanation, now: Date): RewardInsert {
  const approved = d.approval === 'auto' && (d.holdUntil === null || d.holdUntil <= now)
  const proportional = rule.calc === 'percentage' && !(d.beneficiary === 'referred' && rule.referredAmount !== null)
  return {
    kind: 'reward', ruleId: d.ruleId, eventKey: event.key, beneficiaryType: d.beneficiary, beneficiaryId: d.beneficiaryId,
    referrerId: event.referrer?.id ?? null, customerId: event.customerId, referralId: event.referralId, orderId: event.order?.id ?? null,
    campaignId: rule.campaignId ?? event.campaignId, rewardType: d.rewardType, amount: d.amount, currency: d.currency,
    couponCode: d.couponCode, status: approved ? 'approved' : 'pending', holdUntil: d.holdUntil, approvedAt: approved ? now : null,
    explanation: {
      trigger: event.trigger, rule: rule.name, code: why.code, reason: why.reason, approval: d.approval,
      ...(event.order ? { base: event.order.amount, proportional } : {}),
      ...(event.conversions !== undefined ? { conversions: event.conversions } : {})
    },
    createdAt: now, updatedAt: now
  }
}

function announceCreated(action: Action, row: RewardRow): void {
  const data = rewardEventData(row)
  action.audit({ action: 'reward.created', entityType: 'reward', entityId: row.id, changes: { ...data, explanation: row.explanation } })
  action.emit({ type: 'reward.created', entityType: 'reward', entityId: row.id, data: { reward: data } })
  if (row.status === 'approved') {
    action.audit({ action: 'reward.approved', entityType: 'reward', entityId: row.id, changes: { status: { from: 'pending', to: 'approved' }, via: 'rule' } })
    action.emit({ type: 'reward.approved', entityType: 'reward', entityId: row.id, data: { reward: data, from: 'pending', via: 'rule' } })
  }
}
