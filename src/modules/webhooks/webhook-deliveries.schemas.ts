import { Type } from '@sinclair/typebox'
import { Nullable, Text, Uuid } from '../common/schemas.js'

export const DeliveryStatus = Type.Union([Type.Literal('pending'), Type.Literal('succeeded'), Type.Literal('failed')])

export const DeliveryFilter = Type.Object({
  status: Type.Optional(Type.Array(DeliveryStatus, { maxItems: 3 })),
  eventType: Type.Optional(Text(100)),
  eventId: Type.Optional(Uuid)
}, { additionalProperties: false })

const DateTime = Type.String({ format: 'date-time' })

export const AttemptView = Type.Object({
  id: Uuid, attemptedAt: DateTime, statusCode: Nullable(Type.Integer()), error: Nullable(Type.String()), latencyMs: Type.Integer(),
  responseExcerpt: Nullable(Type.String()), trigger: Type.String()
})

export const DeliveryView = Type.Object({
  id: Uuid, endpointId: Uuid, eventId: Uuid, eventType: Type.String(), status: DeliveryStatus, attempts: Type.Integer(),
  nextAttemptAt: Nullable(DateTime), lastAttemptAt: Nullable(DateTime), lastStatusCode: Nullable(Type.Integer()), lastError: Nullable(Type.String()),
  createdAt: DateTime, attemptLog: Type.Optional(Type.Array(AttemptView))
})

export const DeliveryListQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 0, maximum: 200, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 512 })),
  status: Type.Optional(DeliveryStatus),
  eventType: Type.Optional(Text(100)),
  eventId: Type.Optional(Uuid)
}, { additionalProperties: false })
