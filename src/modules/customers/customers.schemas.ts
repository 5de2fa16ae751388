import { Type, type Static } from '@sinclair/typebox'
import {
  Attributes, DateTimeString, Email, ExpectedVersion, ExternalId, ListQuery, LocalDate, Nullable, Phone,
  optionalAll, StringEnum, Tags, Text, Uuid
} from '../common/schemas.js'

export const genders = ['male', 'female', 'other', 'unknown'] as const
export const lifecycleStages = ['prospect', 'nurturing', 'loyal', 'at_risk', 'churned'] as const
export const customerTiers = ['A', 'B', 'C'] as const

export const Consent = Type.Object({
  granted: Type.Boolean(),
  at: DateTimeString,
  channel: Text(50),
  purpose: Text(200),
  note: Type.Optional(Text(500))
}, { additionalProperties: false })

const fields = {
  externalId: Nullable(ExternalId),
  name: Text(200),
  gender: StringEnum(genders),
  birthday: Nullable(LocalDate),
  phone: Nullable(Phone),
  email: Nullable(Email),
  address: Nullable(Text(500)),
  company: Nullable(Text(200)),
  industry: Nullable(Text(100)),
  title: Nullable(Text(100)),
  region: Nullable(Text(100)),
  sourceChannel: Nullable(Text(50)),
  ownerId: Nullable(Uuid),
  referrerId: Nullable(Uuid),
  tags: Tags,
  attributes: Attributes,
  consent: Nullable(Consent),
  lifecycleStage: StringEnum(lifecycleStages),
  tier: Nullable(StringEnum(customerTiers))
}

const { name, ...optional } = fields
export const CustomerCreate = Type.Object({ name, ...optionalAll(optional) }, { additionalProperties: false })
export const CustomerUpdate = Type.Object({ ...optionalAll(fields), expectedVersion: Type.Optional(ExpectedVersion) }, { additionalProperties: false })
export type CustomerCreate = Static<typeof CustomerCreate>
export type CustomerUpdate = Static<typeof CustomerUpdate>


export const customerOrderFields = ['createdAt', 'updatedAt', 'name'] as const
export type CustomerOrderField = (typeof customerOrderFields)[number]

export const CustomerFilter = Type.Object({
  ownerId: Type.Optional(Uuid),
  referrerId: Type.Optional(Uuid),
  lifecycleStage: Type.Optional(Type.Array(StringEnum(lifecycleStages), { maxItems: 10 })),
  tier: Type.Optional(Type.Array(StringEnum(customerTiers), { maxItems: 3 })),
  sourceChannel: Type.Optional(Text(50)),
  industry: Type.Optional(Text(100)),
  region: Type.Optional(Text(100)),
  tags: Type.Optional(Type.Array(Text(50), { maxItems: 20, description: 'Customers carrying every one of these tags' })),
  createdFrom: Type.Optional(DateTimeString),
  createdTo: Type.Optional(DateTimeString),
  search: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Name or company (substring), or an exact phone or email' }))
}, { additionalProperties: false })
export type CustomerFilter = Static<typeof CustomerFilter>

/** What a client sees of a customer (REST body and GraphQL type carry the same fields). */
export const CustomerView = Type.Object({
  id: Uuid,
  externalId: Nullable(Type.String()),
  name: Type.String(),
  gender: Type.String(),
  birthday: Nullable(Type.String()),
  phone: Nullable(Type.String({ description: 'Clear for roles that may read personal data, masked (138****1234) otherwise' })),
  email: Nullable(Type.String()),
  address: Nullable(Type.String()),
  company: Nullable(Type.String()),
  industry: Nullable(Type.String()),
  title: Nullable(Type.String()),
  region: Nullable(Type.String()),
  sourceChannel: Nullable(Type.String()),
  ownerId: Nullable(Type.String()),
  referrerId: Nullable(Type.String()),
  tags: Type.Array(Type.String()),
  attributes: Type.Record(Type.String(), Type.Unknown()),
  consent: Nullable(Type.Record(Type.String(), Type.Unknown())),
  lifecycleStage: Type.String(),
  tier: Nullable(Type.String()),
  version: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' })
})

export const CustomerListQuery = Type.Object({
  ...ListQuery,
  orderBy: Type.Optional(StringEnum(customerOrderFields)),
  ownerId: Type.Optional(Uuid),
  referrerId: Type.Optional(Uuid),
  lifecycleStage: Type.Optional(StringEnum(lifecycleStages)),
  tier: Type.Optional(StringEnum(customerTiers)),
  sourceChannel: Type.Optional(Text(50)),
  industry: Type.Optional(Text(100)),
  region: Type.Optional(Text(100)),
  tag: Type.Optional(Type.Array(Text(50), { maxItems: 20 }))
}, { additionalProperties: false })
