import { Type, type Static } from '@sinclair/typebox'
import { couponBatchStatusEnum, couponKindEnum, couponStatusEnum } from '../../db/schema/enums.js'
import { refusalReasons } from '../../rules/coupon-validity.js'
import { Currency, DateTimeString, ExpectedVersion, ExternalId, ListQuery, MoneyInput, Nullable, optionalAll, StringEnum, Text, Uuid } from '../common/schemas.js'

export const couponKinds = couponKindEnum.enumValues
export const couponStatuses = couponStatusEnum.enumValues
export const batchStatuses = couponBatchStatusEnum.enumValues
/** Why a code does not apply: the rules' reasons, plus a string that is no code at all and a code nobody holds. */
export const validationReasons = ['INVALID_CODE', 'NOT_FOUND', ...refusalReasons] as const

const Money = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'Minor units (fen)' })
const Reference = Type.String({ minLength: 1, maxLength: 200, pattern: '^\\S(.*\\S)?$' })
/** A code as typed or scanned: separators and case are forgiven, so the length limit is generous. */
export const CodeInput = Type.String({ minLength: 1, maxLength: 64, description: 'A coupon code: case, spaces and hyphens do not matter' })

const templateFields = {
  name: Text(200),
  description: Nullable(Text(2000)),
  kind: StringEnum(couponKinds),
  currency: Currency,
  amountOff: Nullable(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'amount_off: minor units taken off' })),
  percentBp: Nullable(Type.Integer({ minimum: 1, maximum: 10000, description: 'percent_off: basis points of the order amount (1500 = 15%)' })),
  maxDiscount: Nullable(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'percent_off: the most it takes off' })),
  giftItemCode: Nullable(Reference),
  minOrderAmount: Money,
  validFrom: Nullable(DateTimeString),
  validUntil: Nullable(DateTimeString),
  validDays: Nullable(Type.Integer({ minimum: 1, maximum: 3650, description: 'Days from issue' })),
  perCustomerLimit: Nullable(Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'Uses per customer of this template' })),
  totalQuantity: Nullable(Type.Integer({ minimum: 1, maximum: 2_000_000_000, description: 'The most coupons it may ever issue' })),
  stackable: Type.Boolean(),
  restoreOnRefund: Type.Boolean(),
  campaignId: Nullable(Uuid),
  active: Type.Boolean(),
  externalId: Nullable(ExternalId)
}
const { name, kind, ...optional } = templateFields
export const TemplateCreate = Type.Object({ name, kind, ...optionalAll(optional) }, { additionalProperties: false })
export type TemplateCreate = Static<typeof TemplateCreate>
export const TemplateUpdate = Type.Object({ ...optionalAll(templateFields), expectedVersion: Type.Optional(ExpectedVersion) }, { additionalProperties: false })
export type TemplateUpdate = Static<typeof TemplateUpdate>

export const TemplateFilter = Type.Object({
  active: Type.Optional(Type.Boolean()),
  kind: Type.Optional(StringEnum(couponKinds)),
  campaignId: Type.Optional(Uuid)
}, { additionalProperties: false })
export type TemplateFilter = Static<typeof TemplateFilter>

/** Whose coupon: exactly one of these (checked in the service, which names the field). */
const HolderFields = {
  customerId: Type.Optional(Uuid),
  customerExternalId: Type.Optional(ExternalId),
  referrerId: Type.Optional(Uuid)
}
/** The buyer at the till, when known. */
const BuyerFields = {
  customerId: Type.Optional(Nullable(Uuid)),
  customerExternalId: Type.Optional(Nullable(ExternalId))
}

export const IssueInput = Type.Object({ templateId: Uuid, ...HolderFields }, { additionalProperties: false })
export const BatchInput = Type.Object({
  quantity: Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'Codes to generate (up to 10,000 at once in the request; more by a job)' })
}, { additionalProperties: false })
export const AssignInput = Type.Object({ code: CodeInput, ...HolderFields }, { additionalProperties: false })
export const VoidInput = Type.Object({ reason: Text(500) }, { additionalProperties: false })
export const RestoreInput = Type.Object({ reason: Type.Optional(Nullable(Text(500))) }, { additionalProperties: false })

export const ValidateInput = Type.Object({ code: CodeInput, ...BuyerFields, orderAmount: MoneyInput }, { additionalProperties: false })
export type ValidateInput = Static<typeof ValidateInput>
export const RedeemInput = Type.Object({
  code: CodeInput,
  ...BuyerFields,
  orderAmount: MoneyInput,
  /** The order the coupon is used on: the CRM's order, or the ERP's order id (linked when the CRM knows it). */
  orderId: Type.Optional(Nullable(Uuid)),
  orderExternalId: Type.Optional(Nullable(Reference))
}, { additionalProperties: false })
export type RedeemInput = Static<typeof RedeemInput>

export const CouponFilter = Type.Object({
  ...HolderFields,
  templateId: Type.Optional(Uuid),
  batchId: Type.Optional(Uuid),
  rewardId: Type.Optional(Uuid),
  status: Type.Optional(StringEnum(couponStatuses)),
  /** true: only codes nobody holds yet. */
  unassigned: Type.Optional(Type.Boolean())
}, { additionalProperties: false })
export type CouponFilter = Static<typeof CouponFilter>

// REST queries and response shapes (OpenAPI).
export const TemplateListQuery = Type.Object({ limit: ListQuery.limit, cursor: ListQuery.cursor, ...TemplateFilter.properties }, { additionalProperties: false })
export const CouponListQuery = Type.Object({ limit: ListQuery.limit, cursor: ListQuery.cursor, ...CouponFilter.properties }, { additionalProperties: false })
export const CodeParams = Type.Object({ code: CodeInput }, { additionalProperties: false })

const N = <T extends Parameters<typeof Nullable>[0]>(s: T) => Nullable(s)
const Str = Type.String()
const Int = Type.Integer()
const MoneyOut = Type.Object({ amount: Int, currency: Str })
export const TemplateView = Type.Object({
  id: Str, externalId: N(Str), name: Str, description: N(Str), kind: Str, currency: Str, amountOff: N(Int), percentBp: N(Int),
  maxDiscount: N(Int), giftItemCode: N(Str), minOrderAmount: Int, validFrom: N(Str), validUntil: N(Str), validDays: N(Int),
  perCustomerLimit: N(Int), totalQuantity: N(Int), issuedCount: Int, stackable: Type.Boolean(), restoreOnRefund: Type.Boolean(),
  campaignId: N(Str), active: Type.Boolean(), version: Int, createdAt: Str, updatedAt: Str
})
export const OfferView = Type.Object({
  name: Str, description: N(Str), kind: Str, currency: Str, amountOff: N(Int), percentBp: N(Int), maxDiscount: N(Int),
  giftItemCode: N(Str), minOrderAmount: Int, perCustomerLimit: N(Int), stackable: Type.Boolean()
})
export const CouponView = Type.Object({
  id: Str, code: Str, displayCode: Str, templateId: Str, batchId: N(Str), customerId: N(Str), referrerId: N(Str), status: Str,
  issuedAt: Str, validFrom: N(Str), validUntil: N(Str), redeemedAt: N(Str), voidedAt: N(Str), voidReason: N(Str), rewardId: N(Str),
  version: Int, offer: OfferView
})
export const BatchView = Type.Object({
  id: Str, templateId: Str, quantity: Int, issued: Int, status: Str, error: N(Str), createdAt: Str, completedAt: N(Str)
})
export const RedemptionView = Type.Object({
  id: Str, couponId: Str, templateId: Str, customerId: N(Str), orderId: N(Str), orderExternalId: N(Str), orderAmount: MoneyOut,
  discount: MoneyOut, giftItemCode: N(Str), redeemedAt: Str, restoredAt: N(Str), restoreReason: N(Str)
})
export const ValidationView = Type.Object({
  valid: Type.Boolean(), reason: N(Str), message: Str, discount: N(MoneyOut), giftItemCode: N(Str), stackable: N(Type.Boolean()),
  coupon: N(CouponView)
})
