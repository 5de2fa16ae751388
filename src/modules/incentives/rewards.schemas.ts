import { Type, type Static } from '@sinclair/typebox'
import { DateTimeString, ExpectedVersion, ListQuery, Nullable, StringEnum, Text, Uuid } from '../common/schemas.js'
import { RewardType } from './incentive-rules.schemas.js'

export const rewardStatuses = ['pending', 'approved', 'paid', 'cancelled', 'reversed'] as const
export type RewardStatus = (typeof rewardStatuses)[number]
export const RewardStatus = StringEnum(rewardStatuses)
const EntryKind = StringEnum(['reward', 'reversal'] as const)
const BeneficiaryType = StringEnum(['referrer', 'referred'] as const)

const filterFields = {
  status: Type.Optional(Type.Array(RewardStatus, { maxItems: 5 })),
  kind: Type.Optional(EntryKind),
  rewardType: Type.Optional(Type.Array(RewardType, { maxItems: 3 })),
  /** The referrer the event concerns (rewards for either side of its referrals). */
  referrerId: Type.Optional(Uuid),
  beneficiaryType: Type.Optional(BeneficiaryType),
  beneficiaryId: Type.Optional(Uuid),
  campaignId: Type.Optional(Uuid),
  ruleId: Type.Optional(Uuid),
  orderId: Type.Optional(Uuid),
  referralId: Type.Optional(Uuid),
  currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$' })),
  /** Period: when the entry was made (from inclusive, to exclusive). */
  createdFrom: Type.Optional(DateTimeString),
  createdTo: Type.Optional(DateTimeString),
  /** Payout period: when it was paid. */
  paidFrom: Type.Optional(DateTimeString),
  paidTo: Type.Optional(DateTimeString)
}

export const RewardFilter = Type.Object(filterFields, { additionalProperties: false })
export type RewardFilter = Static<typeof RewardFilter>

export const rewardOrderFields = ['createdAt', 'updatedAt'] as const
export type RewardOrderField = (typeof rewardOrderFields)[number]

export const RewardListQuery = Type.Object({
  limit: ListQuery.limit,
  cursor: ListQuery.cursor,
  direction: ListQuery.direction,
  orderBy: Type.Optional(StringEnum(rewardOrderFields)),
  ...filterFields
}, { additionalProperties: false })

export const RewardExportQuery = Type.Object({
  format: Type.Optional(StringEnum(['ndjson', 'csv'] as const, 'ndjson (default) or csv')),
  ...filterFields
}, { additionalProperties: false })
export type RewardExportQuery = Static<typeof RewardExportQuery>

export const RewardTotalsQuery = Type.Object(filterFields, { additionalProperties: false })

export const RewardPay = Type.Object({
  payoutReference: Type.String({ minLength: 1, maxLength: 200, description: 'The payment system\'s reference (transfer id, voucher number)' }),
  paidAt: Type.Optional(DateTimeString),
  expectedVersion: Type.Optional(ExpectedVersion)
}, { additionalProperties: false })
export type RewardPay = Static<typeof RewardPay>

export const RewardCancel = Type.Object({
  reason: Text(500),
  expectedVersion: Type.Optional(ExpectedVersion)
}, { additionalProperties: false })
export type RewardCancel = Static<typeof RewardCancel>

const Time = Type.String({ format: 'date-time' })
const Str = Type.String()

/** A ledger entry as clients see it (REST body, GraphQL type, export line). */
export const RewardView = Type.Object({
  id: Uuid, kind: Str, status: Str, ruleId: Str, eventKey: Str, trigger: Str, beneficiaryType: Str, beneficiaryId: Str,
  referrerId: Nullable(Str), customerId: Nullable(Str), referralId: Nullable(Str), orderId: Nullable(Str), campaignId: Nullable(Str),
  rewardType: Str, amount: Type.Integer(), currency: Str, couponCode: Nullable(Str), holdUntil: Nullable(Time),
  approvedAt: Nullable(Time), approvedBy: Nullable(Str), paidAt: Nullable(Time), payoutReference: Nullable(Str),
  cancelledAt: Nullable(Time), cancelReason: Nullable(Str), reversesId: Nullable(Str),
  explanation: Type.Record(Type.String(), Type.Unknown()), version: Type.Integer(), createdAt: Time, updatedAt: Time
})

/** Sums of the ledger per reward type and currency; net = pending + approved + paid. */
export const RewardTotalView = Type.Object({
  rewardType: Str, currency: Str, count: Type.Integer(), net: Type.Integer(), pending: Type.Integer(), approved: Type.Integer(),
  paid: Type.Integer(), reversals: Type.Integer()
})
