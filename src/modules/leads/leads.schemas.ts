import { Type, type Static } from '@sinclair/typebox'
import { leadStatuses } from '../../rules/lead-status.js'
import {
  Attributes, DateTimeString, Email, ExpectedVersion, ExternalId, ListQuery, LocalDate, MoneyInput, Nullable, Phone,
  optionalAll, StringEnum, Tags, Text, Uuid
} from '../common/schemas.js'
import { CustomerCreate } from '../customers/customers.schemas.js'

export { leadStatuses }
export const leadHistoryKinds = ['created', 'assigned', 'status_changed', 'converted', 'sla_breached'] as const
const Reason = Text(500)

/** Fields a client sets directly; status and owner change only through their own actions. */
const fields = {
  externalId: Nullable(ExternalId),
  source: Text(50),
  referrerId: Nullable(Uuid),
  campaignId: Nullable(Uuid),
  customerId: Nullable(Uuid),
  name: Text(200),
  phone: Nullable(Phone),
  email: Nullable(Email),
  company: Nullable(Text(200)),
  industry: Nullable(Text(100)),
  title: Nullable(Text(100)),
  region: Nullable(Text(100)),
  nextFollowUpAt: Nullable(DateTimeString),
  tags: Tags,
  attributes: Attributes
}

const { source, name, ...optional } = fields
export const LeadCreate = Type.Object({
  source, name, ...optionalAll(optional),
  ownerId: Type.Optional(Nullable(Uuid))
}, { additionalProperties: false })
export const LeadUpdate = Type.Object({ ...optionalAll(fields), expectedVersion: Type.Optional(ExpectedVersion) }, { additionalProperties: false })
export type LeadCreate = Static<typeof LeadCreate>
export type LeadUpdate = Static<typeof LeadUpdate>

export const LeadAssign = Type.Object({
  ownerId: Nullable(Uuid),
  reason: Type.Optional(Nullable(Reason)),
  expectedVersion: Type.Optional(ExpectedVersion)
}, { additionalProperties: false })
export type LeadAssign = Static<typeof LeadAssign>

export const LeadStatusChange = Type.Object({
  status: StringEnum(leadStatuses),
  reason: Type.Optional(Nullable(Reason)),
  expectedVersion: Type.Optional(ExpectedVersion)
}, { additionalProperties: false })
export type LeadStatusChange = Static<typeof LeadStatusChange>

/** convertLead: the customer takes the lead's data unless overridden here. */
export const LeadConvert = Type.Object({
  existingCustomerId: Type.Optional(Nullable(Uuid)),
  customer: Type.Optional(Type.Partial(Type.Pick(CustomerCreate, [
    'externalId', 'name', 'gender', 'birthday', 'phone', 'email', 'address', 'company', 'industry', 'title', 'region',
    'sourceChannel', 'ownerId', 'tags', 'attributes'
  ]), { additionalProperties: false })),
  createOpportunity: Type.Optional(Type.Boolean({ description: 'Open an opportunity for the customer (default true)' })),
  opportunity: Type.Optional(Type.Object({
    name: Type.Optional(Text(200)),
    amount: Type.Optional(MoneyInput),
    expectedCloseDate: Type.Optional(Nullable(LocalDate))
  }, { additionalProperties: false })),
  expectedVersion: Type.Optional(ExpectedVersion)
}, { additionalProperties: false })
export type LeadConvert = Static<typeof LeadConvert>

export const leadOrderFields = ['createdAt', 'updatedAt', 'name'] as const
export type LeadOrderField = (typeof leadOrderFields)[number]

export const LeadFilter = Type.Object({
  ownerId: Type.Optional(Uuid),
  status: Type.Optional(Type.Array(StringEnum(leadStatuses), { maxItems: 6 })),
  source: Type.Optional(Text(50)),
  campaignId: Type.Optional(Uuid),
  referrerId: Type.Optional(Uuid),
  customerId: Type.Optional(Uuid),
  tags: Type.Optional(Type.Array(Text(50), { maxItems: 20, description: 'Leads carrying every one of these tags' })),
  createdFrom: Type.Optional(DateTimeString),
  createdTo: Type.Optional(DateTimeString),
  nextFollowUpBefore: Type.Optional(DateTimeString),
  unassigned: Type.Optional(Type.Boolean({ description: 'true: only leads without an owner; false: only owned leads' })),
  search: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Name or company (substring), or an exact phone or email' }))
}, { additionalProperties: false })
export type LeadFilter = Static<typeof LeadFilter>

const Time = Type.String({ format: 'date-time' })

/** What a client sees of a lead (REST body and GraphQL type carry the same fields). */
export const LeadView = Type.Object({
  id: Uuid,
  externalId: Nullable(Type.String()),
  source: Type.String(),
  referralId: Nullable(Type.String()),
  referrerId: Nullable(Type.String()),
  campaignId: Nullable(Type.String()),
  customerId: Nullable(Type.String()),
  name: Type.String(),
  phone: Nullable(Type.String({ description: 'Clear for roles that may read personal data, masked (138****1234) otherwise' })),
  email: Nullable(Type.String()),
  company: Nullable(Type.String()),
  industry: Nullable(Type.String()),
  title: Nullable(Type.String()),
  region: Nullable(Type.String()),
  status: StringEnum(leadStatuses),
  statusReason: Nullable(Type.String()),
  ownerId: Nullable(Type.String()),
  assignedAt: Nullable(Time),
  firstContactedAt: Nullable(Time),
  lastActivityAt: Nullable(Time),
  nextFollowUpAt: Nullable(Time),
  firstContactDueAt: Nullable(Time),
  firstContactBreachedAt: Nullable(Time),
  followUpBreachedAt: Nullable(Time),
  convertedAt: Nullable(Time),
  convertedOpportunityId: Nullable(Type.String()),
  tags: Type.Array(Type.String()),
  attributes: Type.Record(Type.String(), Type.Unknown()),
  version: Type.Integer(),
  createdAt: Time,
  updatedAt: Time
})

export const LeadListQuery = Type.Object({
  ...ListQuery,
  orderBy: Type.Optional(StringEnum(leadOrderFields)),
  ownerId: Type.Optional(Uuid),
  status: Type.Optional(Type.Array(StringEnum(leadStatuses), { maxItems: 6 })),
  source: Type.Optional(Text(50)),
  campaignId: Type.Optional(Uuid),
  referrerId: Type.Optional(Uuid),
  customerId: Type.Optional(Uuid),
  tag: Type.Optional(Type.Array(Text(50), { maxItems: 20 })),
  nextFollowUpBefore: Type.Optional(DateTimeString),
  unassigned: Type.Optional(Type.Boolean())
}, { additionalProperties: false })
