/**
 * Whether an incentive rule applies to an event at all (before amounts and limits), and
 * whether a rule is complete enough to evaluate. Each failure is a code and a clause the
 * explanation completes as "Not applied: <clause>."
 */
import { iso, money, ordinal, triggerLabel } from './incentives.format.js'
import type { ExplanationCode, IncentiveEvent, IncentiveRule } from './incentives.types.js'

export type Failure = { code: ExplanationCode; text: string }

const count = (n: number | null) => n !== null && Number.isSafeInteger(n) && n >= 0

/**
 * What makes a rule impossible to evaluate, as clauses (empty: fine). The service can
 * reject such a rule at creation with the same words; the evaluator explains it as
 * `misconfigured` instead of guessing.
 */
export function incentiveRuleProblems(rule: IncentiveRule): string[] {
  const problems: string[] = []
  if (rule.calc === 'percentage') {
    if (!count(rule.percentBp)) problems.push('a percentage rule needs percentBp (basis points, 500 = 5%)')
    if (rule.trigger !== 'order_paid') problems.push('a percentage needs an order, so the trigger must be order_paid')
  } else if (!count(rule.amount)) {
    problems.push(`a ${rule.calc} rule needs an amount`)
  }
  if (rule.calc === 'points' && rule.rewardType !== 'points') problems.push('calc points must pay rewardType points')
  if (rule.rewardType === 'coupon' && !rule.couponCode && !rule.couponTemplateId) problems.push('a coupon reward needs a couponCode or a couponTemplateId')
  if (rule.trigger === 'referrer_milestone' && !(count(rule.milestone) && (rule.milestone ?? 0) >= 1)) {
    problems.push('a referrer_milestone rule needs a milestone of 1 or more')
  }
  if (rule.referredAmount !== null && !count(rule.referredAmount)) problems.push('referredAmount must be a whole number of 0 or more')
  if (rule.minOrderAmount !== null && !count(rule.minOrderAmount)) problems.push('minOrderAmount must be a whole number of 0 or more')
  if (rule.capAmount !== null && !count(rule.capAmount)) problems.push('capAmount must be a whole number of 0 or more')
  if (rule.perReferrerCap !== null && !count(rule.perReferrerCap)) problems.push('perReferrerCap must be a whole number of 0 or more')
  for (const tier in rule.tierMultipliers) {
    if (Object.prototype.hasOwnProperty.call(rule.tierMultipliers, tier) && !count(rule.tierMultipliers[tier])) {
      problems.push(`the multiplier for tier ${tier} must be whole basis points of 0 or more`)
    }
  }
  if (!count(rule.holdDays)) problems.push('holdDays must be a whole number of 0 or more')
  if (rule.validFrom && rule.validUntil && rule.validFrom.getTime() >= rule.validUntil.getTime()) problems.push('validFrom must be before validUntil')
  return problems
}

const oneOf = (values: readonly string[]) => values.join(', ')

/** Triggers about a customer's own service experience: their referrer is optional (docs/incentives.md, "Service triggers"). */
export const SERVICE_TRIGGERS: ReadonlySet<string> = new Set(['survey_answered', 'ticket_resolved'])

/** The first condition of `rule` that `event` fails, in the documented order; null: all hold. */
export function conditionFailure(rule: IncentiveRule, event: IncentiveEvent): Failure | null {
  if (!rule.active) return { code: 'inactive', text: 'the rule is inactive' }
  if (rule.trigger !== event.trigger) {
    return { code: 'other_trigger', text: `the rule is for ${triggerLabel[rule.trigger]}, the event is ${triggerLabel[event.trigger]}` }
  }
  const problems = incentiveRuleProblems(rule)
  if (problems.length > 0) return { code: 'misconfigured', text: `the rule is misconfigured: ${problems.join('; ')}` }
  const at = event.at.getTime()
  if (rule.validFrom && at < rule.validFrom.getTime()) {
    return { code: 'not_yet_valid', text: `the rule is valid from ${iso(rule.validFrom)} and the event, at ${iso(event.at)}, is earlier` }
  }
  if (rule.validUntil && at >= rule.validUntil.getTime()) {
    return { code: 'expired', text: `the rule was valid until ${iso(rule.validUntil)} (not included) and the event is at ${iso(event.at)}` }
  }
  if (rule.campaignId !== null && rule.campaignId !== event.campaignId) {
    return {
      code: 'other_campaign',
      text: event.campaignId === null
        ? `the rule is for campaign ${rule.campaignId} and the event belongs to no campaign`
        : `the rule is for campaign ${rule.campaignId}, the event belongs to campaign ${event.campaignId}`
    }
  }
  const referrer = event.referrer
  if (!referrer) {
    // A service event (survey answered, ticket resolved) rewards its own customer without a
    // referrer; the referrer side, and conditions on the referrer, still need one.
    if (!SERVICE_TRIGGERS.has(event.trigger)) return { code: 'no_referrer', text: 'the event has no referrer (only referrals earn incentives)' }
    if (rule.beneficiary === 'referrer' || rule.referrerKinds.length || rule.referrerTiers.length) {
      return { code: 'no_referrer', text: 'the customer was not referred by anyone, and the rule rewards or looks at the referrer' }
    }
    return levelFailure(rule, event)
  }
  if (rule.referrerKinds.length && !rule.referrerKinds.includes(referrer.kind)) {
    return { code: 'referrer_kind', text: `the referrer is of kind ${referrer.kind}, not one of ${oneOf(rule.referrerKinds)}` }
  }
  if (rule.referrerTiers.length && !rule.referrerTiers.includes(referrer.tier)) {
    return { code: 'referrer_tier', text: `the referrer's tier ${referrer.tier} is not one of ${oneOf(rule.referrerTiers)}` }
  }
  const level = levelFailure(rule, event)
  if (level) return level
  if (rule.trigger === 'order_paid') return orderFailure(rule, event)
  if (rule.trigger === 'referrer_milestone' && event.conversions !== rule.milestone) {
    return {
      code: 'milestone',
      text: event.conversions === undefined
        ? 'the event does not say how many conversions the referrer has'
        : `the referrer has ${event.conversions} conversions, the rule pays on the ${ordinal(rule.milestone ?? 0)}`
    }
  }
  return null
}

/** A rule limited to member levels (会员等级) applies to customers at one of them. */
function levelFailure(rule: IncentiveRule, event: IncentiveEvent): Failure | null {
  const levels = rule.customerLevels ?? []
  if (levels.length === 0) return null
  if (event.customerLevel != null) {
    return levels.includes(event.customerLevel) ? null
      : { code: 'customer_level', text: `the customer's member level ${event.customerLevel} is not one of ${oneOf(levels)}` }
  }
  if (!event.customerId) return { code: 'customer_level', text: `the event has no customer, and the rule is for customers at the levels ${oneOf(levels)}` }
  return { code: 'customer_level', text: `the customer's member level is not known, and the rule is for the levels ${oneOf(levels)}` }
}

function orderFailure(rule: IncentiveRule, event: IncentiveEvent): Failure | null {
  const order = event.order
  if (!order) return { code: 'no_order', text: 'the event carries no order' }
  if (rule.orderScope === 'first' && !order.first) {
    return { code: 'not_first_order', text: 'the order is not the customer\'s first paid order, and the rule pays on the first only' }
  }
  // A percentage, a cash or coupon value, and a minimum are all amounts in the rule's currency.
  const needsCurrency = rule.calc === 'percentage' || rule.rewardType !== 'points' || rule.minOrderAmount !== null
  if (needsCurrency && order.currency !== rule.currency) {
    return { code: 'currency', text: `the order is in ${order.currency}, the rule in ${rule.currency}` }
  }
  if (rule.minOrderAmount !== null && order.amount < rule.minOrderAmount) {
    return { code: 'below_minimum', text: `the order's net amount ${money(order.amount, order.currency)} is below the minimum ${money(rule.minOrderAmount, rule.currency)}` }
  }
  return null
}
