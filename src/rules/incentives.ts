/**
 * Incentive evaluation (激励规则计算): which rewards an event earns under the incentive rules,
 * with an explanation for every rule. Pure and deterministic: no clock (the event carries
 * its time), no randomness, no I/O; the caller reads the limits' usage in its transaction.
 * Reference for marketers: docs/incentives.md.
 *
 * Order: rules are tried by `priority` (smaller first), ties by `id` (code-unit order).
 * For each rule, first failure wins: inactive → other trigger → misconfigured → validity
 * window → campaign → referrer (present, kind, tier) → order (present, first, currency,
 * minimum) or milestone → stacking → amounts and limits (incentives.amounts.ts).
 *
 * Stacking: a stackable rule always applies when it matches. The first non-stackable rule
 * that pays (at least one decision) makes every later non-stackable rule `not_stacked` for
 * this event; a non-stackable rule that matches but pays nothing (caps, budget) blocks
 * nothing. Priority therefore decides which exclusive offer wins.
 */
import { approvalNote, payout } from './incentives.amounts.js'
import { conditionFailure } from './incentives.conditions.js'
import type { IncentiveEvaluation, IncentiveEvent, IncentiveRule, IncentiveUsage, RewardDecision, RuleExplanation } from './incentives.types.js'

export { applyBasisPoints, periodStart } from './incentives.amounts.js'
export { incentiveRuleProblems } from './incentives.conditions.js'
export type * from './incentives.types.js'

const noUsage: IncentiveUsage = { referrerPeriodTotal: {}, campaignBudgetLeft: {} }

/** Evaluation order: priority ascending, then id (plain comparison, so no locale can change it). */
export function byEvaluationOrder(a: IncentiveRule, b: IncentiveRule): number {
  return a.priority - b.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
}

/** The rewards `event` earns under `rules`, and why each rule did or did not pay. */
export function evaluateIncentives(event: IncentiveEvent, rules: readonly IncentiveRule[], usage: IncentiveUsage = noUsage): IncentiveEvaluation {
  const ordered = [...rules].sort(byEvaluationOrder)
  const budgets = new Map<string, number>()
  const decisions: RewardDecision[] = []
  const explanations: RuleExplanation[] = []
  let exclusive: IncentiveRule | null = null
  // Most rules hold for the same number of days: print each hold end once per evaluation.
  const holdText = new Map<number, string>()
  for (const rule of ordered) {
    const failure = conditionFailure(rule, event)
    if (failure) {
      explanations.push({ ruleId: rule.id, name: rule.name, matched: false, code: failure.code, reason: `Not applied: ${failure.text}.`, rewards: [] })
      continue
    }
    if (!rule.stackable && exclusive) {
      const reason = `Not applied: rule "${exclusive.name}" (${exclusive.id}) already pays for this event and neither rule stacks.`
      explanations.push({ ruleId: rule.id, name: rule.name, matched: false, code: 'not_stacked', reason, rewards: [] })
      continue
    }
    const { rewards, notes } = payout(rule, event, usage, budgets)
    if (rewards.length === 0) {
      explanations.push({ ruleId: rule.id, name: rule.name, matched: false, code: 'nothing_to_pay', reason: `Conditions met, but nothing to pay. ${notes.join(' ')}`, rewards })
      continue
    }
    const hold = rewards[0].holdUntil
    let holdIso: string | null = null
    if (hold) {
      holdIso = holdText.get(rule.holdDays) ?? hold.toISOString()
      holdText.set(rule.holdDays, holdIso)
    }
    const reason = `Matched. ${notes.join(' ')} ${approvalNote(rule, holdIso)}`
    explanations.push({ ruleId: rule.id, name: rule.name, matched: true, code: 'matched', reason, rewards })
    decisions.push(...rewards)
    if (!rule.stackable) exclusive = rule
  }
  return { decisions, explanations }
}
