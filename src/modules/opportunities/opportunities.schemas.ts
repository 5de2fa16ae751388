import { Type, type Static } from '@sinclair/typebox'
import { opportunityStages } from '../../rules/opportunity-stages.js'
import { customerTiers } from '../customers/customers.schemas.js'
import {
  DateTimeString, ExpectedVersion, ExternalId, ListQuery, LocalDate, MoneyInput, MoneyView, Nullable, optionalAll, StringEnum, Text, Uuid
} from '../common/schemas.js'


export const OpportunityStage = StringEnum(opportunityStages)
const Probability = Type.Integer({ minimum: 0, maximum: 100, description: 'Percent; defaults by stage' })

const fields = {
  externalId: Nullable(ExternalId),
  name: Text(200),
  amount: MoneyInput,
  expectedCloseDate: Nullable(LocalDate),
  ownerId: Nullable(Uuid),
  probability: Probability,
  leadId: Nullable(Uuid),
  campaignId: Nullable(Uuid),
  referrerId: Nullable(Uuid)
}

const { name, ...optional } = fields
export const OpportunityCreate = Type.Object({
  customerId: Uuid,
  name,
  ...optionalAll(optional),
  stage: Type.Optional(OpportunityStage),
  lostReason: Type.Optional(Nullable(Text(500)))
}, { additionalProperties: false })
export const OpportunityUpdate = Type.Object({ ...optionalAll(fields), expectedVersion: Type.Optional(ExpectedVersion) }, { additionalProperties: false })
export type OpportunityCreate = Static<typeof OpportunityCreate>
export type OpportunityUpdate = Static<typeof OpportunityUpdate>

export const StageMoveInput = Type.Object({
  stage: OpportunityStage,
  lostReason: Type.Optional(Nullable(Text(500))),
  probability: Type.Optional(Nullable(Probability)),
  expectedVersion: Type.Optional(ExpectedVersion)
}, { additionalProperties: false })
export type StageMoveInput = Static<typeof StageMoveInput>

export const opportunityOrderFields = ['createdAt', 'updatedAt', 'name', 'amount'] as const
export type OpportunityOrderField = (typeof opportunityOrderFields)[number]

const CustomerTiers = Type.Array(StringEnum(customerTiers), { maxItems: 3, description: "The opportunity's customer is live, within your reach, and of any of these tiers" })

export const OpportunityFilter = Type.Object({
  ownerId: Type.Optional(Uuid),
  customerId: Type.Optional(Uuid),
  stage: Type.Optional(Type.Array(OpportunityStage, { maxItems: 6 })),
  open: Type.Optional(Type.Boolean({ description: 'true: not yet won or lost; false: won or lost' })),
  campaignId: Type.Optional(Uuid),
  expectedCloseFrom: Type.Optional(LocalDate),
  expectedCloseTo: Type.Optional(LocalDate),
  createdFrom: Type.Optional(DateTimeString),
  createdTo: Type.Optional(DateTimeString),
  search: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Name (substring, case-insensitive)' })),
  customerTier: Type.Optional(CustomerTiers)
}, { additionalProperties: false })
export type OpportunityFilter = Static<typeof OpportunityFilter>

/** What a client sees of an opportunity (REST body and GraphQL type carry the same fields). */
export const OpportunityView = Type.Object({
  id: Uuid,
  externalId: Nullable(Type.String()),
  customerId: Type.String(),
  name: Type.String(),
  amount: MoneyView,
  stage: Type.String(),
  probability: Type.Integer(),
  expectedCloseDate: Nullable(Type.String()),
  ownerId: Nullable(Type.String()),
  leadId: Nullable(Type.String()),
  campaignId: Nullable(Type.String()),
  referrerId: Nullable(Type.String()),
  lostReason: Nullable(Type.String()),
  stageChangedAt: Type.String({ format: 'date-time' }),
  closedAt: Nullable(Type.String({ format: 'date-time' })),
  version: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' })
})

export const StageChangeView = Type.Object({
  from: Nullable(Type.String()),
  to: Type.String(),
  probability: Type.Integer(),
  reason: Nullable(Type.String()),
  changedById: Nullable(Type.String()),
  changedAt: Type.String({ format: 'date-time' })
})

export const OpportunityListQuery = Type.Object({
  ...ListQuery,
  orderBy: Type.Optional(StringEnum(opportunityOrderFields)),
  ownerId: Type.Optional(Uuid),
  customerId: Type.Optional(Uuid),
  stage: Type.Optional(Type.Array(OpportunityStage, { maxItems: 6 })),
  open: Type.Optional(Type.Boolean()),
  campaignId: Type.Optional(Uuid),
  expectedCloseFrom: Type.Optional(LocalDate),
  expectedCloseTo: Type.Optional(LocalDate),
  customerTier: Type.Optional(CustomerTiers)
}, { additionalProperties: false })
