import { eq } from 'drizzle-orm'
import type { Db } from '../../db/client.js'
import { orders } from '../../db/schema/orders.js'
import { referrals } from '../../db/schema/referrals.js'
import { invalid } from '../../errors.js'
import { evaluateIncentives } from '../../rules/incentives.js'
import type { IncentiveEvaluation, IncentiveEvent, IncentiveRule } from '../../rules/incentives.types.js'
import { parse } from '../common/validate.js'
import { SERVICE_TRIGGERS } from '../../rules/incentives.conditions.js'
import { levelKeyOf } from '../levels/levels.conditions.js'
import { conversionsOf, isFirstOrder, referrerFacts } from './incentive-facts.js'
import { customerReferral } from './service-triggers.js'
import { incentiveRulesRepository as repo, toRule } from './incentive-rules.repository.js'
import { IncentivePreviewInput } from './incentive-rules.schemas.js'
import { lockUsage } from './reward-limits.js'

/** Stands in for the referrer or order of an ad-hoc event that names none (facts given by hand). */
const AD_HOC_ID = '00000000-0000-0000-0000-000000000000'

/**
 * previewIncentives: the evaluation of an event, with the ledger's current usage, and no
 * write at all (no lock either). The event is built from the records named and completed
 * or overridden by the ad-hoc fields, so a marketer can ask "what would a ¥800 first order
 * of a gold partner earn?" without any such order existing.
 */
export async function previewIncentives(db: Db, input: unknown, now: Date): Promise<IncentiveEvaluation> {
  const data = parse(IncentivePreviewInput, input)
  const event = await eventOf(db, data, now)
  const rules = await rulesOf(db, data, event.campaignId)
  const usage = await lockUsage(db, event, rules, false)
  return evaluateIncentives(event, rules, usage)
}

async function rulesOf(db: Db, data: IncentivePreviewInput, campaignId: string | null): Promise<IncentiveRule[]> {
  if (!data.ruleIds) return (await repo.activeFor(db, data.trigger, campaignId)).map(toRule)
  const rows = await repo.byIds(db, data.ruleIds)
  const missing = data.ruleIds.filter((id) => !rows.some((r) => r.id === id))
  if (missing.length > 0) throw invalid('ruleIds', `unknown rule ${missing[0]}`, 'UNKNOWN_RULE')
  // Trying a draft: the rules named are evaluated as if active.
  return rows.map((r) => ({ ...toRule(r), active: true }))
}

async function eventOf(db: Db, data: IncentivePreviewInput, now: Date): Promise<IncentiveEvent> {
  // An existing order is evaluated at its payment, as its trigger was (validity, hold).
  let at = data.at ? new Date(data.at) : now
  let referrerId = data.referrerId ?? null
  let campaignId = data.campaignId ?? null
  let customerId = data.customerId ?? null
  let referralId = data.referralId ?? null
  let order: IncentiveEvent['order']
  if (data.referralId) {
    const [r] = await db.select({ referrerId: referrals.referrerId, campaignId: referrals.campaignId, customerId: referrals.customerId })
      .from(referrals).where(eq(referrals.id, data.referralId))
    if (!r) throw invalid('referralId', 'is not a known referral', 'UNKNOWN_REFERRAL')
    referrerId ??= r.referrerId
    campaignId = data.campaignId ?? r.campaignId
    customerId ??= r.customerId
  }
  if (data.orderId) {
    const [o] = await db.select().from(orders).where(eq(orders.id, data.orderId))
    if (!o) throw invalid('orderId', 'is not a known order', 'UNKNOWN_ORDER')
    referrerId ??= o.referrerId
    referralId ??= o.referralId
    campaignId = data.campaignId ?? o.campaignId
    customerId ??= o.customerId
    if (!data.at) at = o.paidAt
    order = { id: o.id, amount: o.amount - o.refundedAmount, currency: o.currency, first: await isFirstOrder(db, o) }
  }
  if (data.orderAmount) {
    order = { id: order?.id ?? AD_HOC_ID, amount: data.orderAmount.amount, currency: data.orderAmount.currency ?? 'CNY', first: order?.first ?? true }
  }
  if (order && data.firstOrder !== undefined) order = { ...order, first: data.firstOrder }
  // A service event is about a customer: their referral names the referrer and campaign, as onSurveyAnswered / onTicketResolved find them.
  if (SERVICE_TRIGGERS.has(data.trigger) && customerId && !data.referrerId && !data.referralId) {
    const found = await customerReferral(db, customerId)
    referrerId = found.referrer?.id ?? null
    referralId = found.referralId
    campaignId = data.campaignId ?? found.campaignId
  }
  let referrer = await referrerFacts(db, referrerId)
  if (referrerId && !referrer) throw invalid('referrerId', 'is not a known referrer', 'UNKNOWN_REFERRER')
  if (data.referrerKind || data.referrerTier) {
    referrer = { id: referrer?.id ?? AD_HOC_ID, kind: data.referrerKind ?? referrer?.kind ?? 'other', tier: data.referrerTier ?? referrer?.tier ?? 'standard' }
  }
  const conversions = data.conversions ?? (data.trigger === 'referrer_milestone' && referrer && referrer.id !== AD_HOC_ID
    ? await conversionsOf(db, referrer.id, null) : undefined)
  const customerLevel = data.customerLevel ?? (customerId ? await levelKeyOf(db, customerId) : null)
  return {
    trigger: data.trigger, key: `preview:${data.trigger}`, at, referrer, customerId, referralId, campaignId, customerLevel,
    ...(order ? { order } : {}), ...(conversions !== undefined ? { conversions } : {})
  }
}
