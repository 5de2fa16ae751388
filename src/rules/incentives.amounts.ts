/**
 * How much a matched incentive rule pays each beneficiary, and the limits that cut it:
 *
 *   base       fixed / points: `amount`; percentage: `percentBp` of the order's net
 *              amount; the referred side of a double-sided rule: `referredAmount` if set;
 *   multiplier the referrer side only: × tierMultipliers[referrer's tier] (absent: 1×);
 *   cap        each decision at most `capAmount`;
 *   per referrer   the referrer side at most what is left of `perReferrerCap` this period;
 *   budget     cash and coupons at most what is left of the campaign's budget, used up
 *              decision by decision within one evaluation (points are not money: no budget).
 *
 * Every product with basis points is rounded half up to a whole minor unit (or point):
 * `floor((x × bp + 5000) / 10000)`, i.e. 四舍五入 to the fen, exactly, in integers.
 */
import { factor, gets, money, percent, periodLabel, quantity, sideName } from './incentives.format.js'
import type { CapPeriod, IncentiveEvent, IncentiveRule, IncentiveUsage, RewardDecision } from './incentives.types.js'

const DAY = 86_400_000
const ONE = 10_000

/** x × bp / 10000 rounded half up, for non-negative integers; exact beyond 2^53 too. */
export function applyBasisPoints(x: number, bp: number): number {
  const product = x * bp
  if (Number.isSafeInteger(product + 5000)) {
    const shifted = product + 5000
    return (shifted - (shifted % ONE)) / ONE
  }
  return Number((BigInt(x) * BigInt(bp) + 5000n) / 10_000n)
}

/**
 * Where the cap period containing `at` starts: UTC calendar day, week (from Monday),
 * month or year; all_time: null (no lower bound). The ledger sums a referrer's usage of a
 * rule from this instant, so the evaluator and the ledger agree on the window.
 */
export function periodStart(period: CapPeriod, at: Date): Date | null {
  const y = at.getUTCFullYear()
  const m = at.getUTCMonth()
  const d = at.getUTCDate()
  switch (period) {
    case 'day': return new Date(Date.UTC(y, m, d))
    case 'week': return new Date(Date.UTC(y, m, d - ((at.getUTCDay() + 6) % 7)))
    case 'month': return new Date(Date.UTC(y, m, 1))
    case 'year': return new Date(Date.UTC(y, 0, 1))
    case 'all_time': return null
  }
}

/** What a matched rule pays: its decisions, and one sentence per beneficiary side. */
export type Payout = { rewards: RewardDecision[]; notes: string[] }

const own = (record: Readonly<Record<string, number>>, key: string): number | undefined =>
  Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined

const BOTH: readonly ('referrer' | 'referred')[] = ['referrer', 'referred']
const REFERRER: readonly ('referrer' | 'referred')[] = ['referrer']
const REFERRED: readonly ('referrer' | 'referred')[] = ['referred']

/**
 * Pays each side of a rule whose conditions hold (the referrer is known). `budgets` holds the
 * campaign budget left after earlier decisions of the same evaluation; it is updated.
 */
export function payout(rule: IncentiveRule, event: IncentiveEvent, usage: IncentiveUsage, budgets: Map<string, number>): Payout {
  const sides = rule.beneficiary === 'both' ? BOTH : rule.beneficiary === 'referrer' ? REFERRER : REFERRED
  const result: Payout = { rewards: [], notes: [] }
  for (const side of sides) paySide(rule, event, usage, budgets, side, result)
  return result
}

function paySide(rule: IncentiveRule, event: IncentiveEvent, usage: IncentiveUsage, budgets: Map<string, number>, side: 'referrer' | 'referred', result: Payout): void {
  const { rewardType, currency } = rule
  const beneficiaryId = side === 'referrer' ? event.referrer?.id ?? null : event.customerId
  if (beneficiaryId === null) {
    result.notes.push(`${sideName(side)} gets nothing: the event has no ${side === 'referrer' ? 'referrer' : 'customer yet'}.`)
    return
  }
  // `how` shows the arithmetic; it is left out of the sentence when the amount is simply the rule's.
  let amount: number
  let how: string
  let plain = true
  if (side === 'referred' && rule.referredAmount !== null) {
    amount = rule.referredAmount
    how = quantity(amount, rewardType, currency)
  } else if (rule.calc === 'percentage') {
    const base = Math.max(0, event.order?.amount ?? 0)
    amount = applyBasisPoints(base, rule.percentBp ?? 0)
    how = `${percent(rule.percentBp ?? 0)} of ${money(base, currency)} = ${quantity(amount, rewardType, currency)}`
    plain = false
  } else {
    amount = rule.amount ?? 0
    how = quantity(amount, rewardType, currency)
  }
  if (side === 'referrer' && event.referrer) {
    const bp = own(rule.tierMultipliers, event.referrer.tier)
    if (bp !== undefined && bp !== ONE) {
      amount = applyBasisPoints(amount, bp)
      how += ` × ${factor(bp)} for tier ${event.referrer.tier} = ${quantity(amount, rewardType, currency)}`
      plain = false
    }
  }
  if (rule.capAmount !== null && amount > rule.capAmount) {
    amount = rule.capAmount
    how += `, capped at ${quantity(amount, rewardType, currency)} per reward`
    plain = false
  }
  if (amount === 0) {
    result.notes.push(`${sideName(side)} gets nothing: the reward comes to ${how}.`)
    return
  }
  if (side === 'referrer' && rule.perReferrerCap !== null) {
    const left = Math.max(0, rule.perReferrerCap - (own(usage.referrerPeriodTotal, rule.id) ?? 0))
    const cap = `the per-referrer cap of ${quantity(rule.perReferrerCap, rewardType, currency)} ${periodLabel[rule.perReferrerPeriod]}`
    if (left === 0) {
      result.notes.push(`${sideName(side)} gets nothing: ${cap} is used up.`)
      return
    }
    if (amount > left) {
      amount = left
      how += `, cut to the ${quantity(left, rewardType, currency)} left of ${cap}`
      plain = false
    }
  }
  const campaignId = rule.campaignId
  if (rewardType !== 'points' && campaignId !== null) {
    const budgetLeft = budgets.get(campaignId) ?? own(usage.campaignBudgetLeft, campaignId)
    if (budgetLeft !== undefined) {
      const left = Math.max(0, budgetLeft)
      if (left === 0) {
        result.notes.push(`${sideName(side)} gets nothing: the campaign budget is used up.`)
        return
      }
      if (amount > left) {
        amount = left
        how += `, cut to the ${money(left, currency)} left in the campaign budget`
        plain = false
      }
      budgets.set(campaignId, left - amount)
    }
  }
  result.rewards.push({
    ruleId: rule.id,
    beneficiary: side,
    beneficiaryId,
    rewardType,
    amount,
    currency,
    couponCode: rewardType === 'coupon' ? rule.couponCode : null,
    holdUntil: event.trigger === 'order_paid' ? new Date(event.at.getTime() + rule.holdDays * DAY) : null,
    approval: rule.approval
  })
  result.notes.push(`${gets(side, amount, rewardType, currency, rule.couponCode)}${plain ? '' : `: ${how}`}.`)
}

/** The closing sentence of a paying rule: who approves, and when. `holdIso` is holdUntil as ISO text. */
export function approvalNote(rule: IncentiveRule, holdIso: string | null): string {
  const hold = holdIso && rule.holdDays > 0 ? `${rule.holdDays}-day hold ends at ${holdIso}` : null
  if (rule.approval === 'auto') return hold ? `Approved automatically when the ${hold}.` : 'Approved automatically.'
  return hold ? `A manager approves it after the ${hold}.` : 'A manager approves it.'
}
