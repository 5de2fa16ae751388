import { Type, type Static } from '@sinclair/typebox'
import { surveyKinds } from '../../rules/survey-score.js'
import { DateTimeString, ExpectedVersion, ExternalId, ListQuery, Nullable, StringEnum, Text, Uuid } from '../common/schemas.js'

export const surveyTriggers = ['ticket_resolved', 'order_paid', 'referral_converted'] as const
export type SurveyTrigger = (typeof surveyTriggers)[number]
export const invitationStatuses = ['scheduled', 'sent', 'answered', 'expired', 'cancelled'] as const

const editable = {
  name: Text(200),
  questionZh: Text(1000),
  questionEn: Nullable(Text(1000)),
  delayMinutes: Type.Integer({ minimum: 0, maximum: 525_600, description: 'Minutes after the trigger (at most a year)' }),
  channel: Type.String({ minLength: 1, maxLength: 50, pattern: '^[a-z][a-z0-9_]*$', description: 'How the consumer of survey.sent reaches the customer: sms, wechat, email...' }),
  cooldownDays: Type.Integer({ minimum: 0, maximum: 3650, description: 'No second invitation of this survey to a customer within this many days' }),
  expiresAfterHours: Type.Integer({ minimum: 1, maximum: 8760, description: 'How long a sent invitation answers' }),
  active: Type.Boolean()
}

export const SurveyCreate = Type.Object({
  name: editable.name,
  kind: StringEnum(surveyKinds),
  questionZh: editable.questionZh,
  questionEn: Type.Optional(editable.questionEn),
  trigger: StringEnum(surveyTriggers),
  delayMinutes: Type.Optional(editable.delayMinutes),
  channel: editable.channel,
  cooldownDays: Type.Optional(editable.cooldownDays),
  expiresAfterHours: Type.Optional(editable.expiresAfterHours),
  active: Type.Optional(editable.active),
  externalId: Type.Optional(Nullable(ExternalId))
}, { additionalProperties: false })
export type SurveyCreate = Static<typeof SurveyCreate>

/** Kind and trigger are fixed once created: answers and invitations refer to them. */
export const SurveyUpdate = Type.Object({
  name: Type.Optional(editable.name),
  questionZh: Type.Optional(editable.questionZh),
  questionEn: Type.Optional(editable.questionEn),
  delayMinutes: Type.Optional(editable.delayMinutes),
  channel: Type.Optional(editable.channel),
  cooldownDays: Type.Optional(editable.cooldownDays),
  expiresAfterHours: Type.Optional(editable.expiresAfterHours),
  active: Type.Optional(editable.active),
  expectedVersion: Type.Optional(ExpectedVersion)
}, { additionalProperties: false })
export type SurveyUpdate = Static<typeof SurveyUpdate>

export const SurveyFilter = Type.Object({
  kind: Type.Optional(StringEnum(surveyKinds)),
  trigger: Type.Optional(StringEnum(surveyTriggers)),
  active: Type.Optional(Type.Boolean())
}, { additionalProperties: false })
export type SurveyFilter = Static<typeof SurveyFilter>

const Scale = Type.Object({ min: Type.Integer(), max: Type.Integer() })

export const SurveyView = Type.Object({
  id: Uuid,
  externalId: Nullable(Type.String()),
  name: Type.String(),
  kind: Type.String(),
  questionZh: Type.String(),
  questionEn: Nullable(Type.String()),
  trigger: Type.String(),
  delayMinutes: Type.Integer(),
  channel: Type.String(),
  cooldownDays: Type.Integer(),
  expiresAfterHours: Type.Integer(),
  active: Type.Boolean(),
  scale: Scale,
  version: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' })
})

export const surveyOrderFields = ['createdAt', 'updatedAt'] as const
export type SurveyOrderField = (typeof surveyOrderFields)[number]

const { createdFrom: _cf, createdTo: _ct, search: _s, ...listQuery } = ListQuery
export const SurveyListQuery = Type.Object({
  ...listQuery,
  orderBy: Type.Optional(StringEnum(surveyOrderFields)),
  kind: Type.Optional(StringEnum(surveyKinds)),
  trigger: Type.Optional(StringEnum(surveyTriggers)),
  active: Type.Optional(Type.Boolean())
}, { additionalProperties: false })

const responseFilter = {
  surveyId: Type.Optional(Uuid),
  kind: Type.Optional(StringEnum(surveyKinds)),
  customerId: Type.Optional(Uuid),
  agentId: Type.Optional(Uuid),
  answeredFrom: Type.Optional(DateTimeString),
  answeredTo: Type.Optional(DateTimeString),
  detractor: Type.Optional(Type.Boolean({ description: 'NPS 0–6 or CSAT 1–2 (true), or not (false)' })),
  promoter: Type.Optional(Type.Boolean({ description: 'NPS 9–10 (true), or not (false)' }))
}
export const SurveyResponseFilter = Type.Object(responseFilter, { additionalProperties: false })
export type SurveyResponseFilter = Static<typeof SurveyResponseFilter>

export const SurveyResponseListQuery = Type.Object({
  limit: listQuery.limit, cursor: listQuery.cursor, direction: listQuery.direction, ...responseFilter
}, { additionalProperties: false })

export const SurveyResponseView = Type.Object({
  id: Uuid,
  invitationId: Uuid,
  surveyId: Uuid,
  customerId: Uuid,
  kind: Type.String(),
  score: Type.Integer(),
  category: Type.String({ description: 'detractor, passive or promoter' }),
  comment: Nullable(Type.String()),
  trigger: Type.String(),
  ticketId: Nullable(Type.String()),
  orderId: Nullable(Type.String()),
  referralId: Nullable(Type.String()),
  agentId: Nullable(Type.String()),
  answeredAt: Type.String({ format: 'date-time' })
})

/** A token from the survey.sent event: 43 base64url characters (32 bytes). */
export const TokenParams = Type.Object({ token: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false })

export const PublicSurveyAnswer = Type.Object({
  score: Type.Integer({ minimum: 0, maximum: 10, description: 'CSAT 1–5, NPS 0–10 (the question says which)' }),
  comment: Type.Optional(Nullable(Type.String({ maxLength: 2000 })))
}, { additionalProperties: false })
export type PublicSurveyAnswer = Static<typeof PublicSurveyAnswer>

/** What a survey page needs to render the question: nothing about the customer. */
export const PublicSurveyView = Type.Object({
  kind: Type.String(),
  questionZh: Type.String(),
  questionEn: Nullable(Type.String()),
  scale: Scale,
  expiresAt: Type.String({ format: 'date-time' })
})

export const PublicSurveyAnswered = Type.Object({
  status: Type.Literal('answered'),
  kind: Type.String(),
  score: Type.Integer()
})
