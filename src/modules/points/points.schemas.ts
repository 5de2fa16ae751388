import { Type, type Static } from '@sinclair/typebox'
import { pointsEntryKindEnum } from '../../db/schema/enums.js'
import { Currency, DateTimeString, ExpectedVersion, ExternalId, ListQuery, MoneyInput, Nullable, optionalAll, StringEnum, Text, Uuid } from '../common/schemas.js'

export const entryKinds = pointsEntryKindEnum.enumValues
/** The most points one request may move: well inside a JavaScript number. */
const MAX_POINTS = 1_000_000_000_000
export const Points = Type.Integer({ minimum: 1, maximum: MAX_POINTS, description: 'Whole points' })
const Reference = Type.String({ minLength: 1, maxLength: 200, pattern: '^\\S(.*\\S)?$' })

/** Whose account: exactly one of these (checked in the service, which names the field). */
const HolderFields = {
  customerId: Type.Optional(Uuid),
  customerExternalId: Type.Optional(ExternalId),
  referrerId: Type.Optional(Uuid)
}

export const RedemptionCreate = Type.Object({
  ...HolderFields,
  amount: Points,
  /** The caller's id of this redemption: a retry with it gets the first answer. */
  externalId: Type.Optional(Nullable(ExternalId)),
  /** What the points pay for: the CRM order, the ERP's order id, and/or an item code. */
  orderId: Type.Optional(Nullable(Uuid)),
  orderExternalId: Type.Optional(Nullable(Reference)),
  itemCode: Type.Optional(Nullable(Reference)),
  value: Type.Optional(Nullable(MoneyInput)),
  note: Type.Optional(Nullable(Type.String({ maxLength: 2000 })))
}, { additionalProperties: false })
export type RedemptionCreate = Static<typeof RedemptionCreate>

export const RedemptionReverse = Type.Object({
  /** Points to give back; absent: all not yet given back. */
  amount: Type.Optional(Points),
  reason: Type.Optional(Nullable(Type.String({ maxLength: 500 })))
}, { additionalProperties: false })
export type RedemptionReverse = Static<typeof RedemptionReverse>

export const PointsAdjust = Type.Object({
  ...HolderFields,
  /** Positive: credited as a new lot (expiring by the policy); negative: taken first-expiring-first. */
  amount: Type.Integer({ minimum: -MAX_POINTS, maximum: MAX_POINTS, description: 'Whole points, not 0' }),
  reason: Text(500)
}, { additionalProperties: false })
export type PointsAdjust = Static<typeof PointsAdjust>

export const LedgerFilter = Type.Object({
  kind: Type.Optional(StringEnum(entryKinds))
}, { additionalProperties: false })
export type LedgerFilter = Static<typeof LedgerFilter>

export const LedgerQuery = Type.Object({ ...ListQuery, ...HolderFields, kind: Type.Optional(StringEnum(entryKinds)) }, { additionalProperties: false })

export const SettingsUpdate = Type.Object({
  expiryMonths: Type.Optional(Type.Integer({ minimum: 0, maximum: 120, description: '0: points never expire' })),
  expiryRounding: Type.Optional(StringEnum(['month_end', 'exact'] as const)),
  timeZone: Type.Optional(Text(64)),
  expectedVersion: Type.Optional(ExpectedVersion)
}, { additionalProperties: false })
export type SettingsUpdate = Static<typeof SettingsUpdate>

const earningRuleFields = {
  name: Text(200),
  kind: StringEnum(['base', 'multiplier'] as const),
  active: Type.Optional(Type.Boolean()),
  campaignId: Type.Optional(Nullable(Uuid)),
  currency: Type.Optional(Currency),
  points: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 1_000_000 }))),
  unitAmount: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }))),
  multiplierBp: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'Basis points of 1: 15000 = 1.5×' }))),
  minOrderAmount: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }))),
  validFrom: Type.Optional(Nullable(DateTimeString)),
  validUntil: Type.Optional(Nullable(DateTimeString)),
  priority: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
  externalId: Type.Optional(Nullable(ExternalId))
}
export const EarningRuleCreate = Type.Object(earningRuleFields, { additionalProperties: false })
export type EarningRuleCreate = Static<typeof EarningRuleCreate>
const { kind: _kind, ...changeable } = earningRuleFields
export const EarningRuleUpdate = Type.Object({
  ...optionalAll(changeable),
  expectedVersion: Type.Optional(ExpectedVersion)
}, { additionalProperties: false })
export type EarningRuleUpdate = Static<typeof EarningRuleUpdate>

// Response shapes (OpenAPI).
const Nullish = <T extends Parameters<typeof Nullable>[0]>(s: T) => Nullable(s)
export const PointsAccountView = Type.Object({
  id: Type.String(), holderType: Type.String(), customerId: Nullish(Type.String()), referrerId: Nullish(Type.String()), balance: Type.Integer()
})
export const PointsEntryView = Type.Object({
  id: Type.String(), accountId: Type.String(), kind: Type.String(), amount: Type.Integer(), balanceAfter: Type.Integer(),
  sourceType: Type.String(), sourceId: Nullish(Type.String()), reason: Nullish(Type.String()), orderId: Nullish(Type.String()),
  campaignId: Nullish(Type.String()), expiresAt: Nullish(Type.String()),
  lots: Type.Array(Type.Object({ lot: Type.String(), amount: Type.Integer() })), shortfall: Type.Integer(), createdAt: Type.String()
})
export const PointsRedemptionView = Type.Object({
  id: Type.String(), externalId: Nullish(Type.String()), accountId: Type.String(), customerId: Nullish(Type.String()),
  referrerId: Nullish(Type.String()), amount: Type.Integer(), reversedAmount: Type.Integer(), status: Type.String(),
  orderId: Nullish(Type.String()), orderExternalId: Nullish(Type.String()), itemCode: Nullish(Type.String()),
  value: Nullish(Type.Object({ amount: Type.Integer(), currency: Type.String() })), note: Nullish(Type.String()),
  version: Type.Integer(), createdAt: Type.String(), updatedAt: Type.String()
})
export const PointsBalanceView = Type.Object({
  accountId: Nullish(Type.String()), balance: Type.Integer(), bookedBalance: Type.Integer(),
  expiringSoon: Nullish(Type.Object({ amount: Type.Integer(), at: Type.String() }))
})
export const LoyaltySettingsView = Type.Object({
  expiryMonths: Type.Integer(), expiryRounding: Type.String(), timeZone: Type.String(), version: Type.Integer(), updatedAt: Type.String()
})
export const HolderQuery = Type.Object(HolderFields, { additionalProperties: false })
export const EarningRuleView = Type.Object({
  id: Type.String(), externalId: Nullish(Type.String()), name: Type.String(), kind: Type.String(), active: Type.Boolean(),
  campaignId: Nullish(Type.String()), currency: Type.String(), points: Nullish(Type.Integer()), unitAmount: Nullish(Type.Integer()),
  multiplierBp: Nullish(Type.Integer()), minOrderAmount: Nullish(Type.Integer()), validFrom: Nullish(Type.String()),
  validUntil: Nullish(Type.String()), priority: Type.Integer(), version: Type.Integer(), createdAt: Type.String(), updatedAt: Type.String()
})
