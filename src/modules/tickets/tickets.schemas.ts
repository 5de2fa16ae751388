import { Type, type Static } from '@sinclair/typebox'
import { customerTierEnum, ticketChannelEnum, ticketPriorityEnum } from '../../db/schema/enums.js'
import { ticketStatuses } from '../../rules/ticket-status.js'
import { DateTimeString, ExpectedVersion, ExternalId, ListQuery, Nullable, StringEnum, Text, Uuid } from '../common/schemas.js'

export const ticketChannels = ticketChannelEnum.enumValues
export const ticketPriorities = ticketPriorityEnum.enumValues
export const customerTiers = customerTierEnum.enumValues
export const commentVisibilities = ['internal', 'public'] as const
export type TicketPriority = (typeof ticketPriorities)[number]
export type TicketChannel = (typeof ticketChannels)[number]

/** A category key: a lower-case slug (`repair`, `after-sales`, `billing_query`). */
export const CategoryKey = Type.String({ minLength: 1, maxLength: 50, pattern: '^[a-z0-9]+([-_][a-z0-9]+)*$', description: 'A lower-case slug: letters, digits, single - or _ between them' })
/** A comment or reply: not blank. */
const Body = Type.String({ minLength: 1, maxLength: 20_000, pattern: '\\S' })

export const TicketCreate = Type.Object({
  customerId: Uuid,
  orderId: Type.Optional(Nullable(Uuid)),
  opportunityId: Type.Optional(Nullable(Uuid)),
  channel: StringEnum(ticketChannels),
  category: CategoryKey,
  priority: Type.Optional(StringEnum(ticketPriorities)),
  subject: Text(300),
  description: Type.Optional(Nullable(Type.String({ maxLength: 20_000 }))),
  assigneeId: Type.Optional(Nullable(Uuid)),
  queueTeamId: Type.Optional(Nullable(Uuid)),
  externalId: Type.Optional(Nullable(ExternalId))
}, { additionalProperties: false })
export type TicketCreate = Static<typeof TicketCreate>

export const TicketUpdate = Type.Object({
  category: Type.Optional(CategoryKey),
  priority: Type.Optional(StringEnum(ticketPriorities)),
  subject: Type.Optional(Text(300)),
  description: Type.Optional(Nullable(Type.String({ maxLength: 20_000 }))),
  channel: Type.Optional(StringEnum(ticketChannels)),
  assigneeId: Type.Optional(Nullable(Uuid)),
  queueTeamId: Type.Optional(Nullable(Uuid)),
  orderId: Type.Optional(Nullable(Uuid)),
  opportunityId: Type.Optional(Nullable(Uuid)),
  expectedVersion: Type.Optional(ExpectedVersion)
}, { additionalProperties: false })
export type TicketUpdate = Static<typeof TicketUpdate>

export const TicketStatusChange = Type.Object({
  status: StringEnum(ticketStatuses),
  note: Type.Optional(Nullable(Type.String({ maxLength: 2_000 }))),
  expectedVersion: Type.Optional(ExpectedVersion)
}, { additionalProperties: false })
export type TicketStatusChange = Static<typeof TicketStatusChange>

export const TicketCommentCreate = Type.Object({
  visibility: StringEnum(commentVisibilities),
  body: Body,
  externalId: Type.Optional(Nullable(ExternalId))
}, { additionalProperties: false })
export type TicketCommentCreate = Static<typeof TicketCommentCreate>

export const ticketOrderFields = ['createdAt', 'updatedAt'] as const
export type TicketOrderField = (typeof ticketOrderFields)[number]

const filterFields = {
  status: Type.Optional(Type.Array(StringEnum(ticketStatuses), { maxItems: 5 })),
  priority: Type.Optional(Type.Array(StringEnum(ticketPriorities), { maxItems: 4 })),
  channel: Type.Optional(Type.Array(StringEnum(ticketChannels), { maxItems: 6 })),
  category: Type.Optional(Type.Array(CategoryKey, { maxItems: 50 })),
  customerId: Type.Optional(Uuid),
  orderId: Type.Optional(Uuid),
  opportunityId: Type.Optional(Uuid),
  assigneeId: Type.Optional(Uuid),
  queueTeamId: Type.Optional(Uuid),
  unassigned: Type.Optional(Type.Boolean({ description: 'true: no assignee' })),
  breached: Type.Optional(Type.Boolean({ description: 'true: an SLA clock was breached; false: neither was' })),
  createdFrom: Type.Optional(DateTimeString),
  createdTo: Type.Optional(DateTimeString),
  search: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'In the subject' }))
}

export const TicketFilter = Type.Object(filterFields, { additionalProperties: false })
export type TicketFilter = Static<typeof TicketFilter>

const { createdFrom: _cf, createdTo: _ct, search: _s, ...listQuery } = ListQuery
export const TicketListQuery = Type.Object({
  ...listQuery,
  orderBy: Type.Optional(StringEnum(ticketOrderFields)),
  ...filterFields
}, { additionalProperties: false })

const Time = Type.String({ format: 'date-time' })

export const TicketView = Type.Object({
  id: Uuid,
  externalId: Nullable(Type.String()),
  customerId: Type.String(),
  orderId: Nullable(Type.String()),
  opportunityId: Nullable(Type.String()),
  channel: Type.String(),
  category: Type.String(),
  priority: Type.String(),
  subject: Type.String(),
  description: Nullable(Type.String()),
  status: Type.String(),
  assigneeId: Nullable(Type.String()),
  queueTeamId: Nullable(Type.String()),
  routedVia: Type.String(),
  customerTier: Nullable(Type.String()),
  sla: Type.Object({
    firstResponseMinutes: Nullable(Type.Integer()),
    resolutionMinutes: Nullable(Type.Integer()),
    firstResponseDueAt: Nullable(Time),
    resolutionDueAt: Nullable(Time),
    firstRespondedAt: Nullable(Time),
    firstResponseBreachedAt: Nullable(Time),
    resolutionBreachedAt: Nullable(Time),
    firstResponseBusinessMinutes: Nullable(Type.Integer()),
    resolutionBusinessMinutes: Nullable(Type.Integer()),
    paused: Type.Boolean()
  }),
  resolvedAt: Nullable(Time),
  closedAt: Nullable(Time),
  reopenCount: Type.Integer(),
  createdById: Nullable(Type.String()),
  version: Type.Integer(),
  createdAt: Time,
  updatedAt: Time
})

/** The answer to a create: the ticket and, once, the customer's tracking token. */
export const TicketCreatedView = Type.Object({
  ticket: TicketView,
  trackingToken: Type.String({ description: 'Shown once: the customer follows the ticket at /api/v1/public/tickets/{token}' })
})

export const TicketCommentView = Type.Object({
  id: Uuid,
  externalId: Nullable(Type.String()),
  ticketId: Type.String(),
  visibility: Type.String(),
  body: Type.String(),
  authorKind: Type.String(),
  authorId: Nullable(Type.String()),
  activityId: Nullable(Type.String()),
  createdAt: Time
})

export const TicketStatusChangeView = Type.Object({
  id: Uuid,
  fromStatus: Nullable(Type.String()),
  toStatus: Type.String(),
  actorType: Type.String(),
  actorId: Nullable(Type.String()),
  note: Nullable(Type.String()),
  at: Time
})

export const CommentListQuery = Type.Object({
  ...listQuery,
  visibility: Type.Optional(StringEnum(commentVisibilities))
}, { additionalProperties: false })

export const TokenParams = Type.Object({ token: Type.String({ minLength: 20, maxLength: 100, pattern: '^[A-Za-z0-9_-]+$' }) }, { additionalProperties: false })

export const PublicReply = Type.Object({ body: Type.String({ minLength: 1, maxLength: 5_000, pattern: '\\S' }) }, { additionalProperties: false })

/** What the customer's tracking page shows: nothing about the customer beyond their own ticket. */
export const PublicTicketView = Type.Object({
  subject: Type.String(),
  category: Type.String(),
  status: Type.String(),
  createdAt: Time,
  updatedAt: Time,
  expectedResolutionAt: Nullable(Time),
  resolvedAt: Nullable(Time),
  replies: Type.Array(Type.Object({ from: StringEnum(['staff', 'customer'] as const), body: Type.String(), at: Time }))
})
