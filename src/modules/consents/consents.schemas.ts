import { Type, type Static } from '@sinclair/typebox'
import { consentChannelEnum, consentPurposeEnum, consentSourceEnum } from '../../db/schema/enums.js'
import { DateTimeString, ListQuery, Nullable, StringEnum, Text, Uuid } from '../common/schemas.js'

export const consentPurposes = consentPurposeEnum.enumValues
export const consentChannels = consentChannelEnum.enumValues
export const consentSources = consentSourceEnum.enumValues
/** What a caller may name as the source: the unsubscribe link and the referral confirmation record themselves. */
export const givenSources = ['form', 'import', 'staff', 'api'] as const

const subject = {
  customerId: Type.Optional(Uuid),
  referrerId: Type.Optional(Uuid)
}
const common = {
  ...subject,
  purpose: StringEnum(consentPurposes),
  channel: Type.Optional(StringEnum(consentChannels, 'any (default) covers every channel')),
  textVersion: Type.Optional(Nullable(Text(100))),
  proof: Type.Optional(Nullable(Text(500))),
  note: Type.Optional(Nullable(Text(1000))),
  occurredAt: Type.Optional(DateTimeString)
}
export const ConsentRecordInput = Type.Object({
  ...common,
  granted: Type.Optional(Type.Boolean({ description: 'true (default): a grant; false: a refusal or withdrawal' })),
  source: StringEnum(givenSources)
}, { additionalProperties: false })
export type ConsentRecordInput = Static<typeof ConsentRecordInput>
export const ConsentWithdrawInput = Type.Object({
  ...common,
  source: Type.Optional(StringEnum(givenSources, 'staff (default) or form, import, api'))
}, { additionalProperties: false })
export type ConsentWithdrawInput = Static<typeof ConsentWithdrawInput>

export const ConsentFilter = Type.Object({
  ...subject,
  purpose: Type.Optional(StringEnum(consentPurposes)),
  channel: Type.Optional(StringEnum(consentChannels)),
  granted: Type.Optional(Type.Boolean()),
  source: Type.Optional(StringEnum(consentSources))
}, { additionalProperties: false })
export type ConsentFilter = Static<typeof ConsentFilter>
export const ConsentListQuery = Type.Object({ limit: ListQuery.limit, cursor: ListQuery.cursor, ...ConsentFilter.properties }, { additionalProperties: false })
export const UnsubscribeParams = Type.Object({ token: Type.String({ minLength: 10, maxLength: 100 }) }, { additionalProperties: false })

const Str = Type.String()
const N = <T extends Parameters<typeof Nullable>[0]>(s: T) => Nullable(s)
export const ConsentView = Type.Object({
  id: Str, customerId: N(Str), referrerId: N(Str), purpose: Str, channel: Str, granted: Type.Boolean(), textVersion: N(Str), source: Str,
  proof: N(Str), note: N(Str), occurredAt: Str, recordedAt: Str, actorType: Str, actorId: N(Str), referralId: N(Str), messageId: N(Str)
})
export const ConsentStateView = Type.Object({ purpose: Str, channel: Str, granted: Type.Boolean(), occurredAt: Str, source: Str, textVersion: N(Str) })
export const UnsubscribedView = Type.Object({ status: Type.Literal('unsubscribed'), purpose: Str, channel: Str, message: Str })
