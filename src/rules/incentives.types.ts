/**
 * The shapes the incentive evaluator (src/rules/incentives.ts) works on. Money is integer
 * minor units (fen for CNY); points are whole points. Time is always an argument.
 */

export type IncentiveTrigger = 'referral_qualified' | 'referral_converted' | 'order_paid' | 'referrer_milestone'
/** fixed: `amount`; percentage: `percentBp` basis points of the order's net amount; points: `amount` points. */
export type RewardCalc = 'fixed' | 'percentage' | 'points'
export type RewardType = 'cash' | 'points' | 'coupon'
export type Beneficiary = 'referrer' | 'referred' | 'both'
export type CapPeriod = 'day' | 'week' | 'month' | 'year' | 'all_time'

export type IncentiveRule = {
  id: string
  name: string
  active: boolean
  /** Only events of this campaign (the referral's campaign, or the order's); null: any. */
  campaignId: string | null
  trigger: IncentiveTrigger
  /** order_paid: the referred customer's first paid order only, or every paid order. */
  orderScope: 'first' | 'every'
  /** referrer_milestone: rewards the n-th converted referral of a referrer. */
  milestone: number | null
  calc: RewardCalc
  rewardType: RewardType
  /** fixed / points: the amount (minor units, or points). */
  amount: number | null
  /** percentage: basis points (500 = 5%) of the order's net amount. */
  percentBp: number | null
  currency: string
  /** coupon: the code handed out. */
  couponCode: string | null
  beneficiary: Beneficiary
  /** Double-sided rules may give the referred customer a different amount; null: the same. */
  referredAmount: number | null
  /** Conditions; an empty list matches any. */
  referrerKinds: readonly string[]
  referrerTiers: readonly string[]
  minOrderAmount: number | null
  validFrom: Date | null
  validUntil: Date | null
  /** Limits: most one reward may be (after multipliers); per referrer per period; the campaign's budget is the campaign's. */
  capAmount: number | null
  perReferrerCap: number | null
  perReferrerPeriod: CapPeriod
  /** Tier → multiplier in basis points of 1 (20000 = 2×). */
  tierMultipliers: Readonly<Record<string, number>>
  /** Smaller first. */
  priority: number
  /** false: once this rule pays for an event, later non-stacking rules do not. */
  stackable: boolean
  /** auto: approved at once (or, for orders, when the hold ends); manual: a manager approves. */
  approval: 'auto' | 'manual'
  /** Days an order-based reward waits (the refund window) before it can be approved. */
  holdDays: number
}

/** The event that may earn rewards, with the facts the conditions look at. */
export type IncentiveEvent = {
  trigger: IncentiveTrigger
  /** Identifies the triggering event: with the rule and beneficiary it makes a reward unique. */
  key: string
  at: Date
  referrer: { id: string; kind: string; tier: string } | null
  /** The referred customer, once there is one. */
  customerId: string | null
  referralId: string | null
  campaignId: string | null
  /** order_paid: the order's net amount and currency, and whether it is the customer's first paid order. */
  order?: { id: string; amount: number; currency: string; first: boolean }
  /** referrer_milestone: how many converted referrals the referrer has now. */
  conversions?: number
}

/** What limits have already used, read by the caller inside its transaction (locked). */
export type IncentiveUsage = {
  /** Per rule id: what the event's referrer received from it in the rule's current period. */
  referrerPeriodTotal: Readonly<Record<string, number>>
  /** Per campaign id: budget left (minor units); absent: no budget. */
  campaignBudgetLeft: Readonly<Record<string, number>>
}

export type RewardDecision = {
  ruleId: string
  beneficiary: 'referrer' | 'referred'
  beneficiaryId: string
  rewardType: RewardType
  amount: number
  currency: string
  couponCode: string | null
  /** When it may be approved (order rewards: the end of the hold). */
  holdUntil: Date | null
  approval: 'auto' | 'manual'
}

export type RuleExplanation = {
  ruleId: string
  name: string
  matched: boolean
  /** Why it matched (and how the amount was computed), or which condition or limit failed. */
  reason: string
  rewards: RewardDecision[]
}

export type IncentiveEvaluation = { decisions: RewardDecision[]; explanations: RuleExplanation[] }
