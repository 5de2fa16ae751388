import { eq } from 'drizzle-orm'
import type { Action } from '../../db/action.js'
import { incentiveRules } from '../../db/schema/incentives.js'
import { issueCouponInAction } from './coupons.issue.js'
import { couponsRepository as repo } from './coupons.repository.js'
import { voidInAction } from './coupons.use.js'

/**
 * Where incentive rewards meet coupons, inside the reward's action: a coupon reward whose
 * rule names a template issues a real coupon to the beneficiary when the reward is approved
 * (once per reward: coupons_reward_uq), and a cancelled or reversed reward voids its coupon
 * if it is still unused (a used one stays used; the reversal records the value).
 */

/** The reward facts this needs (a row of rewards). */
export type CouponReward = { id: string; ruleId: string; rewardType: string; beneficiaryType: 'referrer' | 'referred'; beneficiaryId: string }

async function templateOf(action: Action, reward: CouponReward): Promise<string | null> {
  if (reward.rewardType !== 'coupon') return null
  const [rule] = await action.tx.select({ templateId: incentiveRules.couponTemplateId }).from(incentiveRules).where(eq(incentiveRules.id, reward.ruleId))
  return rule?.templateId ?? null
}

/** An approved coupon reward: its coupon, issued to the referrer or the referred customer. */
export async function couponOnRewardApproved(action: Action, reward: CouponReward, now: Date): Promise<void> {
  const templateId = await templateOf(action, reward)
  if (!templateId) return
  const holder = reward.beneficiaryType === 'referrer' ? { referrerId: reward.beneficiaryId } : { customerId: reward.beneficiaryId }
  await issueCouponInAction(action, { templateId, ...holder, rewardId: reward.id }, now)
}

/** A cancelled or fully reversed coupon reward: its coupon voided while unused. */
export async function couponOnRewardWithdrawn(action: Action, reward: CouponReward, reason: string, now: Date): Promise<void> {
  if (reward.rewardType !== 'coupon') return
  const coupon = await repo.byReward(action.tx, reward.id)
  if (coupon?.status === 'issued') await voidInAction(action, coupon.id, reason, now)
}
