import { Type, type Static } from '@sinclair/typebox'
import { campaignStatuses } from '../../rules/campaign-status.js'
import {
  DateTimeString, ExpectedVersion, ExternalId, ListQuery, MoneyInput, MoneyView, Nullable, optionalAll, StringEnum, Text, Uuid
} from '../common/schemas.js'

export const CampaignStatus = StringEnum(campaignStatuses)

const fields = {
  externalId: Nullable(ExternalId),
  name: Text(200),
  goal: Nullable(Text(500)),
  channel: Nullable(Text(50)),
  description: Nullable(Text(5000)),
  audience: Nullable(Type.Record(Type.String(), Type.Unknown(), { description: 'A saved customer filter: the same fields as the customers list filter' })),
  startsAt: Nullable(DateTimeString),
  endsAt: Nullable(DateTimeString),
  budget: Nullable(MoneyInput),
  status: CampaignStatus,
  ownerId: Nullable(Uuid)
}

const { name, ...optional } = fields
export const CampaignCreate = Type.Object({ name, ...optionalAll(optional) }, { additionalProperties: false })
export const CampaignUpdate = Type.Object({ ...optionalAll(fields), expectedVersion: Type.Optional(ExpectedVersion) }, { additionalProperties: false })
export type CampaignCreate = Static<typeof CampaignCreate>
export type CampaignUpdate = Static<typeof CampaignUpdate>

export const campaignOrderFields = ['createdAt', 'updatedAt', 'name'] as const
export type CampaignOrderField = (typeof campaignOrderFields)[number]

export const CampaignFilter = Type.Object({
  status: Type.Optional(Type.Array(CampaignStatus, { maxItems: 6 })),
  ownerId: Type.Optional(Uuid),
  /** Running at this instant: scheduled, active or completed, started (or no start), not yet ended (or no end). */
  activeAt: Type.Optional(DateTimeString),
  createdFrom: Type.Optional(DateTimeString),
  createdTo: Type.Optional(DateTimeString),
  search: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Name (substring, case-insensitive)' }))
}, { additionalProperties: false })
export type CampaignFilter = Static<typeof CampaignFilter>

/** What a client sees of a campaign (REST body and GraphQL type carry the same fields). */
export const CampaignView = Type.Object({
  id: Uuid,
  externalId: Nullable(Type.String()),
  name: Type.String(),
  goal: Nullable(Type.String()),
  channel: Nullable(Type.String()),
  description: Nullable(Type.String()),
  audience: Nullable(Type.Record(Type.String(), Type.Unknown())),
  startsAt: Nullable(Type.String({ format: 'date-time' })),
  endsAt: Nullable(Type.String({ format: 'date-time' })),
  budget: Nullable(MoneyView),
  status: Type.String(),
  ownerId: Nullable(Type.String()),
  version: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' })
})

export const CampaignListQuery = Type.Object({
  ...ListQuery,
  orderBy: Type.Optional(StringEnum(campaignOrderFields)),
  status: Type.Optional(Type.Array(CampaignStatus, { maxItems: 6 })),
  ownerId: Type.Optional(Uuid),
  activeAt: Type.Optional(DateTimeString)
}, { additionalProperties: false })
