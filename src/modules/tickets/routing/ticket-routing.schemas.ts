import { Type, type Static } from '@sinclair/typebox'
import { ExpectedVersion, ExternalId, Nullable, optionalAll, StringEnum, Text, Uuid } from '../../common/schemas.js'
import { CategoryKey, customerTiers, ticketChannels, ticketPriorities } from '../tickets.schemas.js'

export { CategoryKey, customerTiers, ticketChannels, ticketPriorities }

const List = <T extends Parameters<typeof Type.Array>[0]>(item: T, description: string) =>
  Type.Array(item, { maxItems: 50, uniqueItems: true, description })

/** Fields of a ticket routing rule a client sets. */
const ruleFields = {
  externalId: Nullable(ExternalId),
  name: Text(200),
  priority: Type.Integer({ minimum: 0, maximum: 100000, description: 'Smaller runs first (default 100); ties: older rule first' }),
  active: Type.Boolean(),
  categories: List(CategoryKey, 'Ticket categories it applies to (empty = all)'),
  priorities: List(StringEnum(ticketPriorities), 'Ticket priorities it applies to (empty = all)'),
  channels: List(StringEnum(ticketChannels), 'Channels it applies to (empty = all)'),
  customerTiers: List(StringEnum(customerTiers), 'Customer tiers it applies to (empty = all)'),
  assigneeId: Nullable(Uuid),
  queueTeamId: Nullable(Uuid)
}

const { name, ...optional } = ruleFields
export const TicketRoutingRuleCreate = Type.Object({ name, ...optionalAll(optional) }, { additionalProperties: false })
export const TicketRoutingRuleUpdate = Type.Object({ ...optionalAll(ruleFields), expectedVersion: Type.Optional(ExpectedVersion) }, { additionalProperties: false })
export type TicketRoutingRuleCreate = Static<typeof TicketRoutingRuleCreate>
export type TicketRoutingRuleUpdate = Static<typeof TicketRoutingRuleUpdate>

/** The facts a preview routes, as a new ticket would carry them. */
export const TicketRoutingFactsInput = Type.Object({
  category: CategoryKey,
  priority: Type.Optional(StringEnum(ticketPriorities)),
  channel: StringEnum(ticketChannels),
  customerTier: Type.Optional(Nullable(StringEnum(customerTiers)))
}, { additionalProperties: false })
export type TicketRoutingFactsInput = Static<typeof TicketRoutingFactsInput>

export const TicketCategoryCreate = Type.Object({
  key: CategoryKey,
  name: Text(100),
  nameEn: Type.Optional(Nullable(Text(100))),
  externalId: Type.Optional(Nullable(ExternalId)),
  active: Type.Optional(Type.Boolean())
}, { additionalProperties: false })
export type TicketCategoryCreate = Static<typeof TicketCategoryCreate>

/** The key stays: tickets and rules refer to it. Rename, or deactivate (new tickets may no longer take it). */
export const TicketCategoryUpdate = Type.Object({
  name: Type.Optional(Text(100)),
  nameEn: Type.Optional(Nullable(Text(100))),
  externalId: Type.Optional(Nullable(ExternalId)),
  active: Type.Optional(Type.Boolean()),
  expectedVersion: Type.Optional(ExpectedVersion)
}, { additionalProperties: false })
export type TicketCategoryUpdate = Static<typeof TicketCategoryUpdate>

const Time = Type.String({ format: 'date-time' })

export const TicketRoutingRuleView = Type.Object({
  id: Uuid, externalId: Nullable(Type.String()), name: Type.String(), priority: Type.Integer(), active: Type.Boolean(),
  categories: Type.Array(Type.String()), priorities: Type.Array(Type.String()), channels: Type.Array(Type.String()),
  customerTiers: Type.Array(Type.String()), assigneeId: Nullable(Type.String()), queueTeamId: Nullable(Type.String()),
  version: Type.Integer(), createdAt: Time, updatedAt: Time
})

export const TicketCategoryView = Type.Object({
  id: Uuid, externalId: Nullable(Type.String()), key: Type.String(), name: Type.String(), nameEn: Nullable(Type.String()),
  active: Type.Boolean(), version: Type.Integer(), createdAt: Time, updatedAt: Time
})

export const TicketRoutingDecisionView = Type.Object({
  assigneeId: Nullable(Type.String()),
  queueTeamId: Nullable(Type.String()),
  via: StringEnum(['rule', 'round_robin', 'unassigned'] as const),
  ruleId: Nullable(Type.String()),
  reason: Type.String({ description: 'What the ticket records as routedVia: rule:<name>, round_robin:global or unassigned' }),
  explanation: Type.String(),
  rules: Type.Array(Type.Object({ ruleId: Type.String(), name: Type.String(), matched: Type.Boolean(), why: Type.String() }))
})
