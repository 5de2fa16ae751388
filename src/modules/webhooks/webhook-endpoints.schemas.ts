import { Type, type Static } from '@sinclair/typebox'
import { ExpectedVersion, Nullable, optionalAll, Text, Uuid } from '../common/schemas.js'

const fields = {
  url: Type.String({ minLength: 1, maxLength: 2048, description: 'http(s) URL the events are POSTed to; no credentials, no private addresses (docs/webhooks.md)' }),
  description: Nullable(Text(500)),
  eventTypes: Nullable(Type.Array(Text(100), {
    minItems: 1, maxItems: 100,
    description: 'Event types to receive (`customer.created`, or `customer.*` for all of one entity); null for every event'
  })),
  active: Type.Boolean({ description: 'Turning an endpoint back on clears disabledReason, disabledAt and failingSince' })
}

const { url, ...optional } = fields
export const EndpointCreate = Type.Object({ url, ...optionalAll(optional) }, { additionalProperties: false })
export const EndpointUpdate = Type.Object({ ...optionalAll(fields), expectedVersion: Type.Optional(ExpectedVersion) }, { additionalProperties: false })
export type EndpointCreate = Static<typeof EndpointCreate>
export type EndpointUpdate = Static<typeof EndpointUpdate>

const DateTime = Type.String({ format: 'date-time' })

const viewFields = {
  id: Uuid,
  url: Type.String(),
  description: Nullable(Type.String()),
  eventTypes: Nullable(Type.Array(Type.String(), { description: 'null: every event' })),
  active: Type.Boolean(),
  disabledReason: Nullable(Type.String({ description: 'Why the service turned it off: gone (410) or failing' })),
  disabledAt: Nullable(DateTime),
  failingSince: Nullable(DateTime),
  previousSecretExpiresAt: Nullable(Type.String({ format: 'date-time', description: 'During a rotation: until when the previous secret still signs' })),
  version: Type.Integer(),
  createdAt: DateTime,
  updatedAt: DateTime
}

/** What a client sees of an endpoint: never its secret. */
export const EndpointView = Type.Object(viewFields)

/** The answer to create and rotate-secret: the endpoint and its new secret, shown this once. */
export const EndpointWithSecret = Type.Object({
  ...viewFields,
  secret: Type.String({ description: 'whsec_…: shown this once; store it to verify signatures' })
})

export const EndpointListQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 0, maximum: 200, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 512 }))
}, { additionalProperties: false })
