import { Type, type Static } from '@sinclair/typebox'
import { orderStatuses } from '../../rules/orders.js'
import {
  Attributes, Currency, DateTimeString, ExternalId, ListQuery, MoneyView, Nullable, StringEnum, Text, Uuid
} from '../common/schemas.js'

/** A payment or refund amount: a positive integer of minor units (fen), currency defaulting to CNY. */
export const PositiveMoney = Type.Object({
  amount: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'Positive integer minor units (fen)' }),
  currency: Type.Optional(Currency)
}, { additionalProperties: false })

/** Everything an order is recorded with, but its own externalId (PUT carries that in the path). */
const orderFields = {
  customerId: Type.Optional(Uuid),
  customerExternalId: Type.Optional(ExternalId),
  amount: PositiveMoney,
  paidAt: Type.Optional(DateTimeString),
  campaignId: Type.Optional(Nullable(Uuid)),
  note: Type.Optional(Nullable(Text(2000))),
  attributes: Type.Optional(Attributes)
}

/** recordOrder / POST /orders: the customer by id or by your own id; paidAt defaults to now. */
export const OrderRecord = Type.Object({
  externalId: Type.Optional(Nullable(ExternalId)),
  ...orderFields
}, { additionalProperties: false })
export type OrderRecord = Static<typeof OrderRecord>

/** upsertOrder / PUT /orders/by-external-id/{externalId}. */
export const OrderUpsert = Type.Object(orderFields, { additionalProperties: false })
export type OrderUpsert = Static<typeof OrderUpsert>

const refundFields = {
  amount: Type.Optional(PositiveMoney),
  reason: Type.Optional(Nullable(Text(500))),
  refundedAt: Type.Optional(DateTimeString)
}

/** refundOrder: the order by id or by your own id; the amount defaults to all that remains. */
export const OrderRefundInput = Type.Object({
  // Any string: an id that is not a UUID is simply not found.
  orderId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  orderExternalId: Type.Optional(ExternalId),
  refundExternalId: Type.Optional(Nullable(ExternalId)),
  ...refundFields
}, { additionalProperties: false })
export type OrderRefundInput = Static<typeof OrderRefundInput>

/** POST /orders/{id}/refunds: `externalId` is your refund's id (a retry with it applies once). */
export const OrderRefundBody = Type.Object({
  externalId: Type.Optional(Nullable(ExternalId)),
  ...refundFields
}, { additionalProperties: false })

export const orderOrderFields = ['paidAt', 'createdAt', 'amount'] as const
export type OrderOrderField = (typeof orderOrderFields)[number]

/** `from` inclusive, `to` exclusive. */
const TimeRange = Type.Object({
  from: Type.Optional(Nullable(DateTimeString)),
  to: Type.Optional(Nullable(DateTimeString))
}, { additionalProperties: false })

export const OrderFilter = Type.Object({
  customerId: Type.Optional(Nullable(Uuid)),
  referrerId: Type.Optional(Nullable(Uuid)),
  referralId: Type.Optional(Nullable(Uuid)),
  campaignId: Type.Optional(Nullable(Uuid)),
  externalId: Type.Optional(Nullable(ExternalId)),
  status: Type.Optional(Nullable(Type.Array(StringEnum(orderStatuses), { maxItems: 2 }))),
  paidAt: Type.Optional(Nullable(TimeRange)),
  createdAt: Type.Optional(Nullable(TimeRange))
}, { additionalProperties: false })
export type OrderFilter = Static<typeof OrderFilter>

const { search: _search, createdFrom: _cf, createdTo: _ct, ...listParams } = ListQuery
export const OrderListQuery = Type.Object({
  ...listParams,
  orderBy: Type.Optional(StringEnum(orderOrderFields, 'Defaults to paidAt (newest first)')),
  customerId: Type.Optional(Uuid),
  referrerId: Type.Optional(Uuid),
  referralId: Type.Optional(Uuid),
  campaignId: Type.Optional(Uuid),
  externalId: Type.Optional(ExternalId),
  status: Type.Optional(Type.Array(StringEnum(orderStatuses), { maxItems: 2 })),
  paidFrom: Type.Optional(DateTimeString),
  paidTo: Type.Optional(DateTimeString),
  createdFrom: Type.Optional(DateTimeString),
  createdTo: Type.Optional(DateTimeString)
}, { additionalProperties: false })

const Time = Type.String({ format: 'date-time' })

/** What a client sees of an order (REST body and GraphQL type carry the same fields). */
export const OrderView = Type.Object({
  id: Uuid,
  externalId: Nullable(Type.String()),
  customerId: Type.String(),
  referralId: Nullable(Type.String({ description: 'The referral the order is attributed to (fixed when recorded)' })),
  referrerId: Nullable(Type.String()),
  campaignId: Nullable(Type.String()),
  amount: MoneyView,
  refundedAmount: MoneyView,
  netAmount: Type.Object({ ...MoneyView.properties }, { description: 'amount − refundedAmount' }),
  status: StringEnum(orderStatuses),
  paidAt: Time,
  note: Nullable(Type.String()),
  attributes: Type.Record(Type.String(), Type.Unknown()),
  version: Type.Integer(),
  createdAt: Time,
  updatedAt: Time
})

export const RefundView = Type.Object({
  id: Uuid,
  orderId: Type.String(),
  externalId: Nullable(Type.String()),
  amount: MoneyView,
  reason: Nullable(Type.String()),
  refundedAt: Time,
  createdAt: Time
})

export const RefundResultView = Type.Object({ order: OrderView, refund: RefundView })
