/**
 * The shapes the incentive evaluator (src/rules/incentives.ts) works on. Money is integer
 * minor units (fen for CNY); points are whole points. Time is always an argument.
 * The rules reference is docs/incentives.md.
 */

export type IncentiveTrigger = 'referral_qualified' | 'referral_converted' | 'order_paid' | 'referrer_milestone' | 'survey_answered' | 'ticket_resolved'
/** fixed: `amount`; percentage: `percentBp` basis points of the order's net amount; points: `amount` points. */
export type RewardCalc = 'fixed' | 'percentage' | 'points'
export type RewardType = 'cash' | 'points' | 'coupon'
export type Beneficiary = 'referrer' | 'referred' | 'both'
export type CapPeriod = 'day' | 'week' | 'month' | 'year' | 'all_time'

export type IncentiveRule = {
  id: string
  name: string
  active: boolean
  /** Only events of this campaign (the referral's campaign, or the order's); null for events of any campaign or none. */
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
  /** coupon: the template whose coupon is issued on approval (instead of, or beside, a fixed code). */
  couponTemplateId?: string | null
  beneficiary: Beneficiary
  /** Double-sided rules may give the referred customer a different amount; null: the same. */
  referredAmount: number | null
  /** Conditions; an empty list matches any. Compared exactly (tiers are free text, e.g. `gold`). */
  referrerKinds: readonly string[]
  referrerTiers: readonly string[]
  /** The event's customer is at any of these member levels (keys); absent or empty: any level. */
  customerLevels?: readonly string[]
  /** order_paid: the order's net amount must be at least this (same currency). */
  minOrderAmount: number | null
  /** Valid while validFrom <= event.at < validUntil; null: open on that side. */
  validFrom: Date | null
  validUntil: Date | null
  /** The most one reward (one beneficiary's decision) may be, after the tier multiplier. */
  capAmount: number | null
  /** The most the referrer may get from this rule per `perReferrerPeriod` (UTC calendar, see periodStart). */
  perReferrerCap: number | null
  perReferrerPeriod: CapPeriod
  /** Referrer's tier → multiplier in basis points of 1 (20000 = 2×); referrer side only; absent tier: 1×. */
  tierMultipliers: Readonly<Record<string, number>>
  /** Smaller first. */
  priority: number
  /** false: once this rule pays for an event, later non-stacking rules do not (stacking rules always may). */
  stackable: boolean
  /** auto: approved at once (or, for orders, when the hold ends); manual: a manager approves. */
  approval: 'auto' | 'manual'
  /** Days an order-based reward waits (the refund window) before it can be approved; other triggers: no hold. */
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
  /** The customer's member level key when some rule looks at it; undefined: not read. */
  customerLevel?: string | null
}

/** What limits have already used, read by the caller inside its transaction (locked). */
export type IncentiveUsage = {
  /**
   * Per rule id: what the event's referrer received from it (referrer-side rewards only) since
   * `periodStart(rule.perReferrerPeriod, event.at)`; absent: 0. Only read for rules with a perReferrerCap.
   */
  referrerPeriodTotal: Readonly<Record<string, number>>
  /** Per campaign id: budget left (minor units); absent: no budget. Cash and coupon rewards use it, points do not. */
  campaignBudgetLeft: Readonly<Record<string, number>>
}

export type RewardDecision = {
  ruleId: string
  beneficiary: 'referrer' | 'referred'
  beneficiaryId: string
  rewardType: RewardType
  /** Minor units for cash and coupons (the coupon's face value), points for points; an integer > 0. */
  amount: number
  /** The rule's currency (points carry it too, because the ledger row needs one). */
  currency: string
  couponCode: string | null
  /** When it may be approved (order rewards: the end of the hold). */
  holdUntil: Date | null
  approval: 'auto' | 'manual'
}

/** Why a rule did or did not pay; `reason` says the same in a sentence. */
export type ExplanationCode =
  | 'matched'
  | 'inactive'
  | 'other_trigger'
  | 'misconfigured'
  | 'not_yet_valid'
  | 'expired'
  | 'other_campaign'
  | 'no_referrer'
  | 'referrer_kind'
  | 'referrer_tier'
  | 'customer_level'
  | 'no_order'
  | 'not_first_order'
  | 'currency'
  | 'below_minimum'
  | 'milestone'
  | 'not_stacked'
  /** Conditions met, but limits (caps, budget), rounding or a missing customer left nothing to pay. */
  | 'nothing_to_pay'

export type RuleExplanation = {
  ruleId: string
  name: string
  /** True exactly when the rule pays something (rewards is not empty). */
  matched: boolean
  code: ExplanationCode
  /** Why it matched (and how the amount was computed), or which condition or limit failed. */
  reason: string
  rewards: RewardDecision[]
}

/** Explanations: one per rule given, in evaluation order. Decisions: those of all explanations, same order. */
export type IncentiveEvaluation = { decisions: RewardDecision[]; explanations: RuleExplanation[] }
