import { Type, type Static } from '@sinclair/typebox'
import { DateTimeString, ExpectedVersion, ExternalId, ListQuery, MinorUnits, Nullable, optionalAll, StringEnum, Text, Uuid } from '../common/schemas.js'

/** The level every customer starts at (seeded by migrations/0015_loyalty.sql): rank 0, no thresholds, always active. */
export const BASE_LEVEL_ID = '01900000-0000-7000-8000-00000000c001'
/** Level thresholds are minor units of the deployment's currency; orders in another currency do not count. */
export const LEVEL_CURRENCY = 'CNY'

export const LevelKey = Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$', description: 'Lower-case letters, digits and _, starting with a letter (gold, vip_2)' })
const Points = Type.Integer({ minimum: 0, maximum: 1_000_000_000_000, description: 'Whole points' })

const levelFields = {
  nameZh: Text(50),
  nameEn: Text(50),
  rank: Type.Integer({ minimum: 1, maximum: 1000, description: 'Higher is better; unique; 0 is the base level' }),
  minSpend: Nullable(MinorUnits),
  minPoints: Nullable(Points),
  match: StringEnum(['any', 'all'] as const),
  windowMonths: Type.Integer({ minimum: 1, maximum: 120 }),
  reviewMonths: Type.Integer({ minimum: 1, maximum: 120 }),
  pointsMultiplierBp: Type.Integer({ minimum: 0, maximum: 1_000_000, description: 'Basis points of 1: 15000 = 1.5×' }),
  discountBp: Type.Integer({ minimum: 0, maximum: 10000, description: 'Basis points: 500 = 5% off, for integrations to apply' }),
  couponTemplateIds: Type.Array(Uuid, { maxItems: 20, uniqueItems: true, description: 'Coupon templates issued on reaching the level' }),
  externalId: Nullable(ExternalId)
}

const { nameZh, nameEn, rank, ...optional } = levelFields
export const LevelCreate = Type.Object({ key: LevelKey, nameZh, nameEn, rank, ...optionalAll(optional) }, { additionalProperties: false })
export type LevelCreate = Static<typeof LevelCreate>
/** The key is fixed: incentive rules and audiences name levels by it. */
export const LevelUpdate = Type.Object({
  ...optionalAll(levelFields), active: Type.Optional(Type.Boolean()), expectedVersion: Type.Optional(ExpectedVersion)
}, { additionalProperties: false })
export type LevelUpdate = Static<typeof LevelUpdate>

export const LevelListQuery = Type.Object({
  active: Type.Optional(Type.Boolean({ description: 'true: active levels only; false: inactive only' }))
}, { additionalProperties: false })

/** A manual level (reason `manual` in the history): the level by id or key, and why. */
export const SetCustomerLevel = Type.Object({
  customerId: Uuid,
  levelId: Type.Optional(Uuid),
  levelKey: Type.Optional(LevelKey),
  reason: Text(500),
  /** When the level is next reviewed; default: now + the level's reviewMonths (none for the base level). */
  reviewAt: Type.Optional(Nullable(DateTimeString))
}, { additionalProperties: false })
export type SetCustomerLevel = Static<typeof SetCustomerLevel>

export const ReviewLevels = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, description: 'Customers reviewed by this call at most' }))
}, { additionalProperties: false })

export const HistoryQuery = Type.Object({ limit: ListQuery.limit, cursor: ListQuery.cursor }, { additionalProperties: false })
export const CustomerParams = Type.Object({ id: Uuid }, { additionalProperties: false })

// Response shapes (OpenAPI).
const Time = Type.String({ format: 'date-time' })
export const MemberLevelView = Type.Object({
  id: Type.String(), externalId: Nullable(Type.String()), key: Type.String(), nameZh: Type.String(), nameEn: Type.String(),
  rank: Type.Integer(), base: Type.Boolean(), minSpend: Nullable(Type.Integer()), minPoints: Nullable(Type.Integer()),
  spendCurrency: Type.String(), match: Type.String(), windowMonths: Type.Integer(), reviewMonths: Type.Integer(),
  pointsMultiplierBp: Type.Integer(), discountBp: Type.Integer(), couponTemplateIds: Type.Array(Type.String()),
  active: Type.Boolean(), version: Type.Integer(), createdAt: Time, updatedAt: Time
})
export const CustomerLevelView = Type.Object({
  level: MemberLevelView,
  reachedAt: Nullable(Time),
  reviewAt: Nullable(Time)
}, { description: "The customer's member level (the base level, reachedAt null, until it first moves)" })
export const LevelFactsView = Type.Object({
  windowMonths: Type.Integer(), from: Time, spend: Type.Object({ amount: Type.Integer(), currency: Type.String() }), points: Type.Integer()
})
export const LevelChangeView = Type.Object({
  id: Type.String(), customerId: Type.String(), reason: Type.String(), fromLevelId: Nullable(Type.String()), toLevelId: Type.String(),
  at: Time, reviewAt: Nullable(Time), occasion: Nullable(Type.String()), facts: Type.Array(LevelFactsView),
  explanation: Nullable(Type.String()), note: Nullable(Type.String())
})
export const LevelCountView = Type.Object({ level: MemberLevelView, count: Type.Integer() })
export const ReviewResultView = Type.Object({
  reviewed: Type.Integer(), upgraded: Type.Integer(), downgraded: Type.Integer(), renewed: Type.Integer(), failed: Type.Integer(), more: Type.Boolean()
})
