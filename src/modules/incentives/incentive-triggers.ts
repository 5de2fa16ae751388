import type { Action } from '../../db/action.js'
import type { IncentiveEvent, IncentiveTrigger } from '../../rules/incentives.types.js'
import { conversionsOf, isFirstOrder, referrerFacts } from './incentive-facts.js'
import { incentiveRulesRepository as rules, toRule } from './incentive-rules.repository.js'
import { earnRewards } from './reward-ledger.js'
import { reverseForRefund } from './reward-refunds.js'

/**
 * The events other modules report to the incentives module, inside their own open action
 * (transaction), so the rewards an event earns commit with the event itself (DESIGN.md:
 * one business action, one transaction). Each function evaluates the active rules for
 * the event (src/rules/incentives.ts), takes the limits' locks, and writes the reward
 * entries with their audit entries and `reward.created` events.
 */

/** A referred customer's paid order (recorded, or upserted into paid). */
export type PaidOrderFacts = {
  id: string
  customerId: string
  referralId: string | null
  referrerId: string | null
  campaignId: string | null
  /** Net paid amount (amount − refunded), minor units. */
  amount: number
  currency: string
  paidAt: Date
}

/** A refund of an order: pending rewards of the order are cancelled, paid ones reversed. */
export type RefundFacts = {
  orderId: string
  refundId: string
  /** This refund's amount, and the order's totals after it. */
  amount: number
  orderAmount: number
  refundedAmount: number
  currency: string
}

/** A referral that moved to `qualified` or `converted` (after the move). */
export type ReferralFacts = {
  id: string
  referrerId: string
  campaignId: string | null
  customerId: string | null
}

/** The active rules of the trigger that may apply to an event of `campaignId` (global ones too). */
async function rulesFor(action: Action, trigger: IncentiveTrigger, campaignId: string | null) {
  return (await rules.activeFor(action.tx, trigger, campaignId)).map(toRule)
}

/**
 * Order rewards (trigger order_paid), keyed `order_paid:<order id>`. The event's time is the
 * payment's: validity windows and the hold (the refund window) count from it.
 */
export async function incentivesOnOrderPaid(action: Action, order: PaidOrderFacts, now: Date): Promise<void> {
  const active = await rulesFor(action, 'order_paid', order.campaignId)
  if (active.length === 0) return
  const referrer = await referrerFacts(action.tx, order.referrerId)
  const first = active.some((r) => r.orderScope === 'first') ? await isFirstOrder(action.tx, order) : false
  await earnRewards(action, {
    trigger: 'order_paid', key: `order_paid:${order.id}`, at: order.paidAt, referrer, customerId: order.customerId,
    referralId: order.referralId, campaignId: order.campaignId,
    order: { id: order.id, amount: order.amount, currency: order.currency, first }
  }, active, now)
}

/** A refund cancels or reverses the order's rewards (docs/rewards.md, "Refunds and reversals"). */
export async function incentivesOnOrderRefunded(action: Action, refund: RefundFacts, now: Date): Promise<void> {
  await reverseForRefund(action, refund, now)
}

/**
 * Referral rewards, keyed `<trigger>:<referral id>`. A conversion also counts the referrer's
 * converted referrals (under the referrer's lock, so two conversions at once count 1 then 2)
 * and evaluates the referrer_milestone rules: global ones on all its conversions, a
 * campaign's own on its conversions in that campaign.
 */
export async function incentivesOnReferral(action: Action, trigger: 'referral_qualified' | 'referral_converted', referral: ReferralFacts, now: Date): Promise<void> {
  const converted = trigger === 'referral_converted'
  const active = await rulesFor(action, trigger, referral.campaignId)
  const milestones = converted ? await rulesFor(action, 'referrer_milestone', referral.campaignId) : []
  if (active.length === 0 && milestones.length === 0) return
  const referrer = await referrerFacts(action.tx, referral.referrerId, milestones.length > 0)
  const base: Omit<IncentiveEvent, 'trigger' | 'key'> = {
    at: now, referrer, customerId: referral.customerId, referralId: referral.id, campaignId: referral.campaignId
  }
  await earnRewards(action, { ...base, trigger, key: `${trigger}:${referral.id}` }, active, now)
  if (!referrer || milestones.length === 0) return
  const overall = milestones.filter((r) => r.campaignId === null)
  if (overall.length > 0) {
    const conversions = await conversionsOf(action.tx, referrer.id, null)
    await earnRewards(action, {
      ...base, campaignId: null, trigger: 'referrer_milestone', key: `referrer_milestone:${referrer.id}:${conversions}`, conversions
    }, overall, now)
  }
  const inCampaign = milestones.filter((r) => r.campaignId !== null)
  if (inCampaign.length > 0 && referral.campaignId) {
    const conversions = await conversionsOf(action.tx, referrer.id, referral.campaignId)
    await earnRewards(action, {
      ...base, trigger: 'referrer_milestone', key: `referrer_milestone:${referrer.id}:${referral.campaignId}:${conversions}`, conversions
    }, inCampaign, now)
  }
}
