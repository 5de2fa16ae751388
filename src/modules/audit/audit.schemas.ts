import { Type, type Static } from '@sinclair/typebox'
import { DateTimeString, Nullable, StringEnum, Uuid } from '../common/schemas.js'

export const auditKinds = ['write', 'access'] as const

/** Filters of auditEntries and GET /api/v1/audit; every one optional, all combined with AND. */
export const AuditFilter = Type.Object({
  kind: Type.Optional(StringEnum(auditKinds, 'write: what changed; access: who read personal data in clear')),
  actorId: Type.Optional(Uuid),
  actorType: Type.Optional(StringEnum(['user', 'api_key', 'referrer', 'system', 'public'] as const)),
  actorRole: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
  apiKeyId: Type.Optional(Uuid),
  entityType: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  entityId: Type.Optional(Uuid),
  action: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  requestId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  from: Type.Optional(DateTimeString),
  to: Type.Optional(DateTimeString)
}, { additionalProperties: false })
export type AuditFilter = Static<typeof AuditFilter>

export const AuditListQuery = Type.Object({
  ...AuditFilter.properties,
  limit: Type.Optional(Type.Integer({ minimum: 0, maximum: 200 })),
  cursor: Type.Optional(Type.String({ maxLength: 512 })),
  format: Type.Optional(StringEnum(['json', 'ndjson'] as const, 'ndjson: every matching entry as NDJSON (as Accept: application/x-ndjson)'))
}, { additionalProperties: false })

export const AuditEntryView = Type.Object({
  id: Uuid,
  kind: StringEnum(auditKinds),
  at: Type.String({ format: 'date-time' }),
  actorType: Type.String(),
  actorId: Nullable(Type.String()),
  actorRole: Nullable(Type.String()),
  apiKeyId: Nullable(Type.String()),
  action: Type.String(),
  entityType: Type.String(),
  entityId: Nullable(Type.String({ description: 'The record a write changed; null on an access entry (see entityIds)' })),
  entityIds: Type.Array(Type.String(), { description: 'Access: the records read (at most 1000; rowCount is exact)' }),
  rowCount: Nullable(Type.Integer()),
  fields: Type.Array(Type.String(), { description: 'Access: the personal fields read in clear' }),
  changes: Nullable(Type.Unknown()),
  filter: Nullable(Type.Unknown()),
  requestId: Nullable(Type.String())
})
