/**
 * Lifecycle stage (生命周期) as of `asOf`, prospect → nurturing → loyal → at_risk → churned.
 * A customer who bought is placed by the time since the last counted order, then by how often:
 *   churned   last order `churnedDays` or more ago;
 *   at_risk   last order `atRiskDays` or more ago;
 *   loyal     at least `loyalMinPaidOrders` counted orders (all time), last one recent;
 *   nurturing one recent order so far.
 * A customer who never bought is `nurturing` while interested (open lead or opportunity, or an
 * activity within `engagedDays`), else `prospect`. Open pipeline does not rescue a lapsed buyer
 * from at_risk: the stage follows purchases once there are any.
 * A recent detractor (the latest NPS 0–6 or CSAT 1–2 given within `detractorDays`, see
 * customer-facts.ts) is `at_risk` whatever else holds, unless already churned; detractorDays 0
 * turns this off.
 */
import { interestOf, recentDetractor, wholeNumberProblems, type CustomerFacts } from './customer-facts.js'
import { recencyDays } from './rfm.js'

export const lifecycleStages = ['prospect', 'nurturing', 'loyal', 'at_risk', 'churned'] as const
export type LifecycleStage = (typeof lifecycleStages)[number]
export type LifecycleConfig = { loyalMinPaidOrders: number; atRiskDays: number; churnedDays: number; engagedDays: number; detractorDays: number }
export type LifecycleDecision = { stage: LifecycleStage; explanation: string }

export const defaultLifecycleConfig: LifecycleConfig = { loyalMinPaidOrders: 2, atRiskDays: 180, churnedDays: 365, engagedDays: 90, detractorDays: 90 }

/** Why a lifecycle config is unusable; empty when fine. */
export function lifecycleConfigProblems(config: LifecycleConfig): string[] {
  const problems = wholeNumberProblems(config, { loyalMinPaidOrders: 1, atRiskDays: 1, churnedDays: 1, engagedDays: 1, detractorDays: 0 })
  if (!problems.length && config.churnedDays <= config.atRiskDays) {
    problems.push(`churnedDays (${config.churnedDays}) must be more than atRiskDays (${config.atRiskDays})`)
  }
  return problems
}

/** The customer's stage as of `asOf`, with a one-line reason. */
export function lifecycleStage(facts: CustomerFacts, asOf: Date, config: LifecycleConfig = defaultLifecycleConfig): LifecycleDecision {
  const p = facts.purchases
  const days = p ? recencyDays(p.lastPaidAt, asOf) : 0
  const last = `last paid order ${days} day(s) ago`
  if (p && days >= config.churnedDays) return { stage: 'churned', explanation: `churned: ${last} (churned from ${config.churnedDays})` }
  // A recent detractor outranks every purchase-based stage but churned: the complaint is the newer signal.
  const detractor = recentDetractor(facts.satisfaction, asOf, config.detractorDays)
  if (detractor) {
    const label = detractor.kind === 'nps' ? 'NPS' : 'CSAT'
    const ago = recencyDays(detractor.answer.at, asOf)
    return { stage: 'at_risk', explanation: `at_risk: latest ${label} answer ${detractor.answer.score}, ${ago} day(s) ago, is a detractor's (within ${config.detractorDays})` }
  }
  if (p) {
    if (days >= config.atRiskDays) return { stage: 'at_risk', explanation: `at_risk: ${last} (at risk from ${config.atRiskDays})` }
    if (p.paidOrders >= config.loyalMinPaidOrders) {
      return { stage: 'loyal', explanation: `loyal: ${p.paidOrders} paid orders, ${last}` }
    }
    return { stage: 'nurturing', explanation: `nurturing: ${p.paidOrders} paid order(s), loyal from ${config.loyalMinPaidOrders}; ${last}` }
  }
  const interest = interestOf(facts, asOf, config.engagedDays)
  if (interest) return { stage: 'nurturing', explanation: `nurturing: no paid order yet, ${interest}` }
  return { stage: 'prospect', explanation: `prospect: no paid order, no open lead or opportunity, no activity within ${config.engagedDays} days` }
}
