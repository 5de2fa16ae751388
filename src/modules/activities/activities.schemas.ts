import { Type, type Static } from '@sinclair/typebox'
import { DateTimeString, ExternalId, ListQuery, Nullable, StringEnum, Text, Uuid } from '../common/schemas.js'

export const activityKinds = ['call', 'email', 'meeting', 'visit', 'wechat', 'dingtalk', 'sms', 'note'] as const
export const activityDirections = ['inbound', 'outbound', 'internal'] as const
export type ActivityKind = (typeof activityKinds)[number]
export type ActivityDirection = (typeof activityDirections)[number]

/** The records an activity (or a task) can be about. */
export const subjectFields = {
  customerId: Type.Optional(Nullable(Uuid)),
  leadId: Type.Optional(Nullable(Uuid)),
  opportunityId: Type.Optional(Nullable(Uuid)),
  referrerId: Type.Optional(Nullable(Uuid))
}

export const ActivityLog = Type.Object({
  externalId: Type.Optional(Nullable(ExternalId)),
  kind: StringEnum(activityKinds),
  direction: Type.Optional(Nullable(StringEnum(activityDirections, 'Defaults to internal for notes, outbound otherwise'))),
  subject: Type.Optional(Nullable(Text(300))),
  body: Type.Optional(Nullable(Type.String({ maxLength: 20_000 }))),
  occurredAt: Type.Optional(Nullable(DateTimeString)),
  durationSeconds: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 7 * 86_400 }))),
  ...subjectFields
}, { additionalProperties: false })
export type ActivityLog = Static<typeof ActivityLog>

export const activityOrderFields = ['occurredAt', 'createdAt'] as const
export type ActivityOrderField = (typeof activityOrderFields)[number]

export const ActivityFilter = Type.Object({
  customerId: Type.Optional(Uuid),
  leadId: Type.Optional(Uuid),
  opportunityId: Type.Optional(Uuid),
  referrerId: Type.Optional(Uuid),
  authorId: Type.Optional(Uuid),
  kind: Type.Optional(Type.Array(StringEnum(activityKinds), { maxItems: 8 })),
  occurredFrom: Type.Optional(DateTimeString),
  occurredTo: Type.Optional(DateTimeString)
}, { additionalProperties: false })
export type ActivityFilter = Static<typeof ActivityFilter>

/** What a client sees of an activity (REST body and GraphQL type carry the same fields). */
export const ActivityView = Type.Object({
  id: Uuid,
  externalId: Nullable(Type.String()),
  kind: Type.String(),
  direction: Type.String(),
  subject: Nullable(Type.String()),
  body: Nullable(Type.String()),
  occurredAt: Type.String({ format: 'date-time' }),
  durationSeconds: Nullable(Type.Integer()),
  authorId: Nullable(Type.String()),
  customerId: Nullable(Type.String()),
  leadId: Nullable(Type.String()),
  opportunityId: Nullable(Type.String()),
  referrerId: Nullable(Type.String()),
  version: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' })
})

const { createdFrom: _cf, createdTo: _ct, search: _s, ...listQuery } = ListQuery
export const ActivityListQuery = Type.Object({
  ...listQuery,
  orderBy: Type.Optional(StringEnum(activityOrderFields)),
  ...ActivityFilter.properties
}, { additionalProperties: false })
