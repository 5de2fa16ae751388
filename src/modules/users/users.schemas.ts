import { Type, type Static } from '@sinclair/typebox'
import { DateTimeString, Email, ExpectedVersion, ExternalId, Nullable, StringEnum, Text, Uuid } from '../common/schemas.js'
import { roles } from '../auth/actor.js'
import { entities } from '../auth/permissions.js'

const staffRoles = ['admin', 'manager', 'sales', 'marketing', 'service', 'integration', 'auditor'] as const

export const TeamCreate = Type.Object({
  name: Text(100),
  externalId: Type.Optional(Nullable(ExternalId))
}, { additionalProperties: false })

export const UserCreate = Type.Object({
  name: Text(200),
  email: Type.Optional(Nullable(Email)),
  role: StringEnum(staffRoles),
  teamId: Type.Optional(Nullable(Uuid)),
  externalId: Type.Optional(Nullable(ExternalId))
}, { additionalProperties: false })

export const UserUpdate = Type.Object({
  name: Type.Optional(Text(200)),
  email: Type.Optional(Nullable(Email)),
  role: Type.Optional(StringEnum(staffRoles)),
  teamId: Type.Optional(Nullable(Uuid)),
  active: Type.Optional(Type.Boolean()),
  externalId: Type.Optional(Nullable(ExternalId)),
  expectedVersion: Type.Optional(ExpectedVersion)
}, { additionalProperties: false })

export const ApiKeyCreate = Type.Object({
  name: Text(100),
  role: StringEnum(roles.filter((r) => r !== 'referrer') as unknown as typeof staffRoles),
  userId: Type.Optional(Nullable(Uuid)),
  readOnly: Type.Optional(Type.Boolean()),
  entities: Type.Optional(Nullable(Type.Array(StringEnum(entities), { minItems: 1, uniqueItems: true }))),
  expiresAt: Type.Optional(Nullable(DateTimeString))
}, { additionalProperties: false })

export const UserFilter = Type.Object({
  role: Type.Optional(StringEnum(staffRoles)),
  teamId: Type.Optional(Uuid),
  active: Type.Optional(Type.Boolean()),
  search: Type.Optional(Text(200))
}, { additionalProperties: false })

export type TeamCreate = Static<typeof TeamCreate>
export type UserCreate = Static<typeof UserCreate>
export type UserUpdate = Static<typeof UserUpdate>
export type ApiKeyCreate = Static<typeof ApiKeyCreate>
export type UserFilter = Static<typeof UserFilter>

export const UserView = Type.Object({
  id: Uuid, externalId: Nullable(Type.String()), name: Type.String(), email: Nullable(Type.String()),
  role: Type.String(), teamId: Nullable(Type.String()), active: Type.Boolean(), version: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }), updatedAt: Type.String({ format: 'date-time' })
})
export const TeamView = Type.Object({
  id: Uuid, externalId: Nullable(Type.String()), name: Type.String(), version: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }), updatedAt: Type.String({ format: 'date-time' })
})
export const ApiKeyView = Type.Object({
  id: Uuid, name: Type.String(), prefix: Type.String(), role: Type.String(), userId: Nullable(Type.String()),
  readOnly: Type.Boolean(), entities: Nullable(Type.Array(Type.String())),
  lastUsedAt: Nullable(Type.String({ format: 'date-time' })), expiresAt: Nullable(Type.String({ format: 'date-time' })),
  revokedAt: Nullable(Type.String({ format: 'date-time' })), createdAt: Type.String({ format: 'date-time' })
})
