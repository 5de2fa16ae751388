import { Type, type Static } from '@sinclair/typebox'
import { enrollmentStatusEnum, journeyStatusEnum, stepOutcomeEnum } from '../../db/schema/journeys.js'
import { ExpectedVersion, ExternalId, ListQuery, Nullable, StringEnum, Tags, Text, Uuid } from '../common/schemas.js'

export const journeyStatuses = journeyStatusEnum.enumValues
export const enrollmentStatuses = enrollmentStatusEnum.enumValues
export const stepOutcomes = stepOutcomeEnum.enumValues

/** A customers filter (the customers list's fields); checked against CustomerFilter in the service. */
const Filter = Type.Record(Type.String(), Type.Unknown(), { description: 'A customers filter: the same fields as the customers list filter' })
const Key = Type.String({ minLength: 1, maxLength: 40 })
const Target = Type.Optional(Nullable(Key))
const Int = (minimum: number, maximum: number) => Type.Integer({ minimum, maximum })

export const Trigger = Type.Union([
  Type.Object({ type: Type.Literal('event'), eventType: Text(100), changedFields: Type.Optional(Type.Array(Text(64), { maxItems: 20 })) }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('audience'), audience: Filter, on: StringEnum(['enter', 'leave'] as const), includeExisting: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('inactivity'), days: Int(1, 3650), measure: StringEnum(['activity', 'order'] as const) }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('date'), field: StringEnum(['birthday', 'first_order'] as const), daysBefore: Int(0, 60) }, { additionalProperties: false })
], { description: 'What enrolls a customer: event, audience (enter/leave), inactivity, date' })

const step = <T extends Record<string, import('@sinclair/typebox').TSchema>>(type: string, fields: T) =>
  Type.Object({ key: Key, type: Type.Literal(type), next: Target, ...fields }, { additionalProperties: false })

export const Step = Type.Union([
  step('wait', { minutes: Type.Optional(Int(1, 525_600)), untilTime: Type.Optional(Type.String({ maxLength: 5 })) }),
  Type.Object({ key: Key, type: Type.Literal('branch'), condition: Filter, then: Nullable(Key), else: Nullable(Key) }, { additionalProperties: false }),
  step('message', { templateId: Uuid, channelId: Type.Optional(Nullable(Uuid)) }),
  step('task', { title: Text(200), description: Type.Optional(Nullable(Text(2000))), dueInHours: Type.Optional(Int(0, 8760)), priority: Type.Optional(StringEnum(['low', 'normal', 'high', 'urgent'] as const)) }),
  step('tag', { add: Type.Optional(Tags), remove: Type.Optional(Tags) }),
  step('points', { amount: Int(1, 1_000_000), reason: Type.Optional(Nullable(Text(200))) }),
  step('coupon', { templateId: Uuid }),
  step('event', { name: Text(100), data: Type.Optional(Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 500 }))) }),
  Type.Object({ key: Key, type: Type.Literal('exit') }, { additionalProperties: false })
])

const definitionFields = {
  trigger: Trigger,
  conditions: Type.Optional(Nullable(Filter)),
  reentry: Type.Optional(Nullable(Type.Object({ cooldownDays: Int(1, 3650) }, { additionalProperties: false }))),
  steps: Type.Array(Step, { minItems: 1, maxItems: 50 })
}

export const JourneyCreate = Type.Object({
  name: Text(200), description: Type.Optional(Nullable(Text(2000))), externalId: Type.Optional(Nullable(ExternalId)), ...definitionFields
}, { additionalProperties: false })
export type JourneyCreate = Static<typeof JourneyCreate>

export const JourneyUpdate = Type.Object({
  name: Type.Optional(Text(200)), description: Type.Optional(Nullable(Text(2000))), externalId: Type.Optional(Nullable(ExternalId)),
  trigger: Type.Optional(Trigger), conditions: definitionFields.conditions, reentry: definitionFields.reentry, steps: Type.Optional(definitionFields.steps),
  expectedVersion: Type.Optional(ExpectedVersion)
}, { additionalProperties: false })
export type JourneyUpdate = Static<typeof JourneyUpdate>

export const JourneyFilter = Type.Object({ status: Type.Optional(StringEnum(journeyStatuses)) }, { additionalProperties: false })
export const EnrollmentFilter = Type.Object({
  journeyId: Type.Optional(Uuid), customerId: Type.Optional(Uuid), status: Type.Optional(StringEnum(enrollmentStatuses)), version: Type.Optional(Int(1, 1_000_000))
}, { additionalProperties: false })
export type EnrollmentFilter = Static<typeof EnrollmentFilter>

// REST queries and response shapes (OpenAPI).
export const JourneyListQuery = Type.Object({ limit: ListQuery.limit, cursor: ListQuery.cursor, ...JourneyFilter.properties }, { additionalProperties: false })
export const EnrollmentListQuery = Type.Object({ limit: ListQuery.limit, cursor: ListQuery.cursor, ...EnrollmentFilter.properties }, { additionalProperties: false })
export const TransitionBody = Type.Object({ expectedVersion: Type.Optional(ExpectedVersion) }, { additionalProperties: false })

const Str = Type.String()
const N = <T extends Parameters<typeof Nullable>[0]>(s: T) => Nullable(s)
const Count = Type.Integer()
export const StepCountsView = Type.Object({
  version: Count, stepKey: Str, stepType: Str, entered: Count, completed: Count, skipped: Count, held: Count, capped: Count, blocked: Count, failed: Count
})
export const JourneyView = Type.Object({
  id: Str, externalId: N(Str), name: Str, description: N(Str), status: Str, currentVersion: Count,
  trigger: Type.Unknown(), conditions: Type.Unknown(), reentry: Type.Unknown(), steps: Type.Array(Type.Unknown()),
  activatedAt: N(Str), version: Count, createdAt: Str, updatedAt: Str
})
export const StepRunView = Type.Object({ seq: Count, stepKey: Str, stepType: Str, outcome: Str, reason: N(Str), detail: Type.Unknown(), ranAt: Str })
export const EnrollmentView = Type.Object({
  id: Str, journeyId: Str, version: Count, customerId: Str, entrySeq: Count, status: Str, stepKey: N(Str), dueAt: N(Str),
  triggerKind: Str, triggerEventId: N(Str), enteredAt: Str, finishedAt: N(Str), exitReason: N(Str)
})
