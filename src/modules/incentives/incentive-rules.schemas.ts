import { Type, type Static } from '@sinclair/typebox'
import {
  Currency, DateTimeString, ExpectedVersion, ExternalId, ListQuery, Nullable, optionalAll, StringEnum, Text, Uuid
} from '../common/schemas.js'
import { LevelKey } from '../levels/levels.schemas.js'

export const incentiveTriggers = ['referral_qualified', 'referral_converted', 'order_paid', 'referrer_milestone', 'survey_answered', 'ticket_resolved'] as const
export const rewardCalcs = ['fixed', 'percentage', 'points'] as const
export const rewardTypes = ['cash', 'points', 'coupon'] as const
export const ruleBeneficiaries = ['referrer', 'referred', 'both'] as const
export const capPeriods = ['day', 'week', 'month', 'year', 'all_time'] as const

export const IncentiveTrigger = StringEnum(incentiveTriggers)
export const RewardType = StringEnum(rewardTypes)
const Amount = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'Minor units of the rule currency, or points' })
const Labels = Type.Array(Text(50), { maxItems: 20, uniqueItems: true })

const fields = {
  externalId: Nullable(ExternalId),
  name: Text(200),
  description: Nullable(Text(2000)),
  active: Type.Boolean(),
  campaignId: Nullable(Uuid),
  trigger: IncentiveTrigger,
  orderScope: StringEnum(['first', 'every'] as const),
  milestone: Nullable(Type.Integer({ minimum: 1, maximum: 100000 })),
  calc: StringEnum(rewardCalcs),
  rewardType: RewardType,
  amount: Nullable(Amount),
  percentBp: Nullable(Type.Integer({ minimum: 1, maximum: 10000, description: 'Basis points of the order amount (500 = 5%)' })),
  currency: Currency,
  couponCode: Nullable(Text(100)),
  /** coupon: issue a real coupon of this template to the beneficiary when the reward is approved. */
  couponTemplateId: Nullable(Uuid),
  beneficiary: StringEnum(ruleBeneficiaries),
  referredAmount: Nullable(Amount),
  referrerKinds: Labels,
  referrerTiers: Labels,
  customerLevels: Type.Array(LevelKey, { maxItems: 20, uniqueItems: true, description: "The event's customer is at any of these member levels (keys); empty: any" }),
  minOrderAmount: Nullable(Amount),
  validFrom: Nullable(DateTimeString),
  validUntil: Nullable(DateTimeString),
  capAmount: Nullable(Amount),
  perReferrerCap: Nullable(Amount),
  perReferrerPeriod: StringEnum(capPeriods),
  tierMultipliers: Type.Record(Type.String({ minLength: 1, maxLength: 50 }), Type.Integer({ minimum: 1, maximum: 1_000_000 }),
    { description: 'Referrer tier → multiplier in basis points of 1 (20000 = 2×); positive integers' }),
  priority: Type.Integer({ minimum: -100000, maximum: 100000 }),
  stackable: Type.Boolean(),
  approval: StringEnum(['auto', 'manual'] as const),
  holdDays: Type.Integer({ minimum: 0, maximum: 365 })
}

const { name, trigger, calc, rewardType, ...optional } = fields
export const IncentiveRuleCreate = Type.Object({ name, trigger, calc, rewardType, ...optionalAll(optional) }, { additionalProperties: false })
export const IncentiveRuleUpdate = Type.Object({ ...optionalAll(fields), expectedVersion: Type.Optional(ExpectedVersion) }, { additionalProperties: false })
export type IncentiveRuleCreate = Static<typeof IncentiveRuleCreate>
export type IncentiveRuleUpdate = Static<typeof IncentiveRuleUpdate>

export const ruleOrderFields = ['createdAt', 'updatedAt', 'priority', 'name'] as const
export type RuleOrderField = (typeof ruleOrderFields)[number]

export const IncentiveRuleFilter = Type.Object({
  active: Type.Optional(Type.Boolean()),
  trigger: Type.Optional(Type.Array(IncentiveTrigger, { maxItems: incentiveTriggers.length })),
  campaignId: Type.Optional(Uuid),
  /** Only rules without a campaign (global). */
  global: Type.Optional(Type.Boolean()),
  search: Type.Optional(Type.String({ minLength: 1, maxLength: 200 }))
}, { additionalProperties: false })
export type IncentiveRuleFilter = Static<typeof IncentiveRuleFilter>

const Time = Type.String({ format: 'date-time' })
const Int = Type.Integer()

/** What a client sees of a rule (REST body and GraphQL type carry the same fields). */
export const IncentiveRuleView = Type.Object({
  id: Uuid, externalId: Nullable(Type.String()), name: Type.String(), description: Nullable(Type.String()), active: Type.Boolean(),
  campaignId: Nullable(Type.String()), trigger: Type.String(), orderScope: Type.String(), milestone: Nullable(Int),
  calc: Type.String(), rewardType: Type.String(), amount: Nullable(Int), percentBp: Nullable(Int), currency: Type.String(),
  couponCode: Nullable(Type.String()), couponTemplateId: Nullable(Type.String()), beneficiary: Type.String(), referredAmount: Nullable(Int),
  referrerKinds: Type.Array(Type.String()), referrerTiers: Type.Array(Type.String()), customerLevels: Type.Array(Type.String()), minOrderAmount: Nullable(Int),
  validFrom: Nullable(Time), validUntil: Nullable(Time), capAmount: Nullable(Int), perReferrerCap: Nullable(Int),
  perReferrerPeriod: Type.String(), tierMultipliers: Type.Record(Type.String(), Int), priority: Int, stackable: Type.Boolean(),
  approval: Type.String(), holdDays: Int, createdBy: Nullable(Type.String()), version: Int, createdAt: Time, updatedAt: Time
})

export const IncentiveRuleListQuery = Type.Object({
  limit: ListQuery.limit,
  cursor: ListQuery.cursor,
  direction: ListQuery.direction,
  search: ListQuery.search,
  orderBy: Type.Optional(StringEnum(ruleOrderFields)),
  active: Type.Optional(Type.Boolean()),
  trigger: Type.Optional(Type.Array(IncentiveTrigger, { maxItems: incentiveTriggers.length })),
  campaignId: Type.Optional(Uuid),
  global: Type.Optional(Type.Boolean())
}, { additionalProperties: false })

/**
 * previewIncentives: an event to evaluate without writing anything. Ids load the facts
 * (the referral's referrer and campaign, the order's amount, the referrer's kind, tier and
 * conversions); the ad-hoc fields fill in or override them.
 */
export const IncentivePreviewInput = Type.Object({
  trigger: IncentiveTrigger,
  referrerId: Type.Optional(Uuid),
  referralId: Type.Optional(Uuid),
  orderId: Type.Optional(Uuid),
  campaignId: Type.Optional(Uuid),
  customerId: Type.Optional(Uuid),
  orderAmount: Type.Optional(Type.Object({ amount: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }), currency: Type.Optional(Currency) }, { additionalProperties: false })),
  firstOrder: Type.Optional(Type.Boolean()),
  conversions: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000_000 })),
  referrerKind: Type.Optional(Text(50)),
  referrerTier: Type.Optional(Text(50)),
  /** The customer's member level key, instead of the one stored. */
  customerLevel: Type.Optional(LevelKey),
  at: Type.Optional(DateTimeString),
  /** Evaluate exactly these rules (as if active: test a draft); default: the active rules of the trigger. */
  ruleIds: Type.Optional(Type.Array(Uuid, { maxItems: 50, uniqueItems: true }))
}, { additionalProperties: false })
export type IncentivePreviewInput = Static<typeof IncentivePreviewInput>

const Decision = Type.Object({
  ruleId: Type.String(), beneficiary: Type.String(), beneficiaryId: Type.String(), rewardType: Type.String(), amount: Int,
  currency: Type.String(), couponCode: Nullable(Type.String()), holdUntil: Nullable(Time), approval: Type.String()
})
export const IncentivePreviewView = Type.Object({
  decisions: Type.Array(Decision),
  explanations: Type.Array(Type.Object({ ruleId: Type.String(), name: Type.String(), matched: Type.Boolean(), code: Type.String(), reason: Type.String(), rewards: Type.Array(Decision) }))
})
