import { Type, type Static } from '@sinclair/typebox'
import { StringEnum, Uuid } from '../common/schemas.js'
import { staffEventTypes } from './staff.texts.js'

export const subscriptionScopes = ['mine', 'team', 'all'] as const

/**
 * A subscription: a user (default: the caller) on an email channel, or a team on its robot
 * channel; the event types; the scope (mine: events concerning the user; team: concerning
 * someone of the team; all: every one, for managers and admins). Subscribing again to the
 * same channel replaces the types and scope.
 */
export const Subscribe = Type.Object({
  userId: Type.Optional(Uuid),
  teamId: Type.Optional(Uuid),
  channelId: Uuid,
  eventTypes: Type.Array(StringEnum(staffEventTypes), { minItems: 1, maxItems: staffEventTypes.length, uniqueItems: true }),
  scope: Type.Optional(StringEnum(subscriptionScopes))
}, { additionalProperties: false })
export type Subscribe = Static<typeof Subscribe>

const DateTime = Type.String({ format: 'date-time' })

export const SubscriptionView = Type.Object({
  id: Uuid,
  userId: Type.Union([Type.String(), Type.Null()]),
  teamId: Type.Union([Type.String(), Type.Null()]),
  channelId: Type.String(),
  eventTypes: Type.Array(Type.String()),
  scope: StringEnum(subscriptionScopes),
  version: Type.Integer(),
  createdAt: DateTime,
  updatedAt: DateTime
})

export const SubscriptionListQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 0, maximum: 200, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 512 })),
  userId: Type.Optional(Uuid),
  teamId: Type.Optional(Uuid)
}, { additionalProperties: false })
