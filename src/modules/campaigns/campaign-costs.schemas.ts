import { Type, type Static } from '@sinclair/typebox'
import { Currency, ExternalId, LocalDate, Nullable, Uuid } from '../common/schemas.js'

/** A campaign cost other than rewards (docs/analytics.md, "Campaign costs"). */
export const CampaignCostCreate = Type.Object({
  amount: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'Integer minor units (fen), more than 0' }),
  currency: Type.Optional(Currency),
  category: Type.String({ minLength: 1, maxLength: 64, pattern: '\\S', description: 'Free text, 1–64 characters: ads, printing, gifts, event, agency, ...' }),
  incurredOn: LocalDate,
  note: Type.Optional(Nullable(Type.String({ maxLength: 1000 }))),
  externalId: Type.Optional(Nullable(ExternalId))
}, { additionalProperties: false })
export type CampaignCostCreate = Static<typeof CampaignCostCreate>

export const CampaignCostView = Type.Object({
  id: Uuid,
  campaignId: Uuid,
  externalId: Nullable(Type.String()),
  amount: Type.Integer(),
  currency: Type.String(),
  category: Type.String(),
  incurredOn: Type.String({ description: 'YYYY-MM-DD' }),
  note: Nullable(Type.String()),
  createdBy: Nullable(Type.String()),
  version: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' })
})

export const CampaignCostListQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 0, maximum: 200, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 512 }))
}, { additionalProperties: false })

export const CampaignCostParams = Type.Object({ id: Uuid, costId: Uuid }, { additionalProperties: false })
