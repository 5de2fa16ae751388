import { and, eq, isNull } from 'drizzle-orm'
import type { Executor } from '../../db/client.js'
import { campaigns } from '../../db/schema/campaigns.js'
import { couponTemplates } from '../../db/schema/coupons.js'
import { CrmError, type FieldError } from '../../errors.js'
import type { RuleRow } from './incentive-rules.repository.js'

/** A rule as it will be stored: the fields the cross-field checks look at. */
export type RuleShape = Pick<RuleRow,
  'trigger' | 'calc' | 'rewardType' | 'amount' | 'percentBp' | 'couponCode' | 'couponTemplateId' | 'milestone' | 'orderScope' | 'beneficiary'
  | 'referredAmount' | 'minOrderAmount' | 'validFrom' | 'validUntil' | 'campaignId' | 'currency'>

/**
 * The checks TypeBox cannot express: which fields each calculation, reward type and
 * trigger needs or forbids. Every problem is reported at once, each on its field.
 */
export function ruleProblems(r: RuleShape): FieldError[] {
  const out: FieldError[] = []
  const add = (field: string, message: string, code = 'INVALID') => out.push({ field, message, code })
  const orderBased = r.trigger === 'order_paid'
  if (r.calc === 'percentage') {
    if (r.percentBp === null) add('percentBp', 'is required for a percentage reward (1 to 10000 basis points)', 'REQUIRED')
    if (!orderBased) add('calc', 'percentage needs an order amount: only for trigger order_paid', 'NEEDS_ORDER')
  } else {
    if (r.amount === null) add('amount', `is required for a ${r.calc} reward`, 'REQUIRED')
    if (r.percentBp !== null) add('percentBp', 'is only for percentage rewards', 'NOT_APPLICABLE')
  }
  if (r.calc === 'points' && r.rewardType !== 'points') add('rewardType', 'a points calculation pays points', 'MISMATCH')
  if (r.rewardType === 'coupon' && !r.couponCode && !r.couponTemplateId) add('couponCode', 'is required for a coupon reward, unless couponTemplateId names the template to issue', 'REQUIRED')
  if (r.rewardType !== 'coupon' && r.couponCode) add('couponCode', 'is only for coupon rewards', 'NOT_APPLICABLE')
  if (r.rewardType !== 'coupon' && r.couponTemplateId) add('couponTemplateId', 'is only for coupon rewards', 'NOT_APPLICABLE')
  if (r.trigger === 'referrer_milestone') {
    if (r.milestone === null) add('milestone', 'is required for a referrer_milestone rule (the n-th conversion, at least 1)', 'REQUIRED')
    if (r.beneficiary !== 'referrer') add('beneficiary', 'a milestone rewards the referrer', 'NOT_APPLICABLE')
  } else if (r.milestone !== null) add('milestone', 'is only for referrer_milestone rules', 'NOT_APPLICABLE')
  if (!orderBased && r.orderScope === 'first') add('orderScope', 'first is only for order_paid rules', 'NOT_APPLICABLE')
  if (!orderBased && r.minOrderAmount !== null) add('minOrderAmount', 'is only for order_paid rules', 'NOT_APPLICABLE')
  if (r.referredAmount !== null && r.beneficiary === 'referrer') add('referredAmount', 'is only for rules that reward the referred customer', 'NOT_APPLICABLE')
  if (r.validFrom && r.validUntil && r.validUntil <= r.validFrom) add('validUntil', 'must be after validFrom', 'BEFORE_START')
  return out
}

/** Throws every problem of the rule as one validation error. */
export function assertValidRule(r: RuleShape): void {
  const problems = ruleProblems(r)
  if (problems.length > 0) {
    throw new CrmError('CRM_ERR_VALIDATION', `Invalid rule: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`, problems)
  }
}

/** The coupon template a coupon reward issues must exist. */
export async function assertCouponTemplate(ex: Executor, r: RuleShape): Promise<void> {
  if (!r.couponTemplateId) return
  const [t] = await ex.select({ id: couponTemplates.id }).from(couponTemplates)
    .where(and(eq(couponTemplates.id, r.couponTemplateId), isNull(couponTemplates.deletedAt)))
  if (!t) throw new CrmError('CRM_ERR_VALIDATION', 'couponTemplateId: is not a coupon template', [{ field: 'couponTemplateId', message: 'is not a coupon template', code: 'UNKNOWN_TEMPLATE' }])
}

/**
 * The rule's campaign must exist; a money reward charged to a campaign with a budget must
 * be in the budget's currency, or the budget could not hold it.
 */
export async function assertCampaign(ex: Executor, r: RuleShape): Promise<void> {
  if (!r.campaignId) return
  const [c] = await ex.select({ budgetAmount: campaigns.budgetAmount, budgetCurrency: campaigns.budgetCurrency })
    .from(campaigns).where(and(eq(campaigns.id, r.campaignId), isNull(campaigns.deletedAt)))
  if (!c) throw new CrmError('CRM_ERR_VALIDATION', 'campaignId: is not a known campaign', [{ field: 'campaignId', message: 'is not a known campaign', code: 'UNKNOWN_CAMPAIGN' }])
  if (c.budgetAmount !== null && r.rewardType !== 'points' && c.budgetCurrency !== r.currency) {
    const message = `must be the campaign budget's currency (${c.budgetCurrency})`
    throw new CrmError('CRM_ERR_VALIDATION', `currency: ${message}`, [{ field: 'currency', message, code: 'CURRENCY_MISMATCH' }])
  }
}
