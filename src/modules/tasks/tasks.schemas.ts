import { Type, type Static } from '@sinclair/typebox'
import { DateTimeString, ExpectedVersion, ExternalId, ListQuery, Nullable, StringEnum, Text, Uuid } from '../common/schemas.js'
import { subjectFields } from '../activities/activities.schemas.js'

export const taskStatuses = ['open', 'done', 'cancelled'] as const
export const taskPriorities = ['low', 'normal', 'high', 'urgent'] as const
export type TaskStatus = (typeof taskStatuses)[number]

const editable = {
  title: Text(300),
  description: Nullable(Type.String({ maxLength: 10_000 })),
  dueAt: Nullable(DateTimeString),
  priority: StringEnum(taskPriorities),
  assigneeId: Nullable(Uuid)
}

export const TaskCreate = Type.Object({
  title: editable.title,
  description: Type.Optional(editable.description),
  dueAt: Type.Optional(editable.dueAt),
  priority: Type.Optional(Nullable(editable.priority)),
  assigneeId: Type.Optional(Type.Union([Uuid, Type.Null()], { description: "Defaults to the caller's user" })),
  externalId: Type.Optional(Nullable(ExternalId)),
  ...subjectFields
}, { additionalProperties: false })
export type TaskCreate = Static<typeof TaskCreate>

export const TaskUpdate = Type.Object({
  title: Type.Optional(editable.title),
  description: Type.Optional(editable.description),
  dueAt: Type.Optional(editable.dueAt),
  priority: Type.Optional(editable.priority),
  assigneeId: Type.Optional(editable.assigneeId),
  expectedVersion: Type.Optional(ExpectedVersion)
}, { additionalProperties: false })
export type TaskUpdate = Static<typeof TaskUpdate>

export const TaskComplete = Type.Object({
  note: Type.Optional(Nullable(Type.String({ maxLength: 10_000 })))
}, { additionalProperties: false })

export const taskOrderFields = ['createdAt', 'updatedAt'] as const
export type TaskOrderField = (typeof taskOrderFields)[number]

export const TaskFilter = Type.Object({
  assigneeId: Type.Optional(Uuid),
  status: Type.Optional(Type.Array(StringEnum(taskStatuses), { maxItems: 3 })),
  dueBefore: Type.Optional(DateTimeString),
  dueAfter: Type.Optional(DateTimeString),
  customerId: Type.Optional(Uuid),
  leadId: Type.Optional(Uuid),
  opportunityId: Type.Optional(Uuid),
  referrerId: Type.Optional(Uuid),
  overdue: Type.Optional(Type.Boolean({ description: 'Open and past due (true), or not (false), as of now' }))
}, { additionalProperties: false })
export type TaskFilter = Static<typeof TaskFilter>

export const TaskView = Type.Object({
  id: Uuid,
  externalId: Nullable(Type.String()),
  title: Type.String(),
  description: Nullable(Type.String()),
  dueAt: Nullable(Type.String({ format: 'date-time' })),
  status: Type.String(),
  priority: Type.String(),
  origin: Type.String(),
  overdue: Type.Boolean(),
  assigneeId: Nullable(Type.String()),
  customerId: Nullable(Type.String()),
  leadId: Nullable(Type.String()),
  opportunityId: Nullable(Type.String()),
  referrerId: Nullable(Type.String()),
  completedAt: Nullable(Type.String({ format: 'date-time' })),
  completedById: Nullable(Type.String()),
  completionNote: Nullable(Type.String()),
  version: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' })
})

const { createdFrom: _cf, createdTo: _ct, search: _s, ...listQuery } = ListQuery
export const TaskListQuery = Type.Object({
  ...listQuery,
  orderBy: Type.Optional(StringEnum(taskOrderFields)),
  assigneeId: Type.Optional(Uuid),
  status: Type.Optional(Type.Array(StringEnum(taskStatuses), { maxItems: 3 })),
  dueBefore: Type.Optional(DateTimeString),
  dueAfter: Type.Optional(DateTimeString),
  customerId: Type.Optional(Uuid),
  leadId: Type.Optional(Uuid),
  opportunityId: Type.Optional(Uuid),
  referrerId: Type.Optional(Uuid),
  overdue: Type.Optional(Type.Boolean())
}, { additionalProperties: false })
