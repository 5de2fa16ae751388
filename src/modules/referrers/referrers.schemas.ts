import { IdNumber, IdNumberView } from '../common/id-number.js'
import { Type, type Static } from '@sinclair/typebox'
import {
  Attributes, DateTimeString, Email, ExpectedVersion, ExternalId, ListQuery, Nullable, Phone,
  optionalAll, StringEnum, Tags, Text, Uuid
} from '../common/schemas.js'

export const referrerKinds = ['customer', 'employee', 'partner', 'influencer', 'other'] as const
export const referrerStatuses = ['active', 'suspended', 'archived'] as const

const ReferralCode = Type.String({
  minLength: 1, maxLength: 64,
  description: 'Your own code (4-32 of A-Z, 0-9, -; case-insensitive). Omit it and one is generated.'
})

const fields = {
  externalId: Nullable(ExternalId),
  kind: StringEnum(referrerKinds),
  name: Text(200),
  customerId: Nullable(Uuid),
  userId: Nullable(Uuid),
  phone: Nullable(Phone),
  email: Nullable(Email),
  idNumber: Nullable(IdNumber),
  company: Nullable(Text(200)),
  industry: Nullable(Text(100)),
  title: Nullable(Text(100)),
  region: Nullable(Text(100)),
  code: ReferralCode,
  tier: Text(50),
  status: StringEnum(referrerStatuses),
  ownerId: Nullable(Uuid),
  tags: Tags,
  attributes: Attributes
}

/** The duplicate policy's opt-out (docs/referrals.md): a request field, not a stored one. */
const AllowDuplicate = Type.Optional(Type.Boolean({ description: 'Accept a phone or email another live referrer already has (DUPLICATE otherwise)' }))

const { kind, name, ...optional } = fields
/** A stored referrer's fields (an import row takes exactly these). */
export const ReferrerCreate = Type.Object({ kind, name, ...optionalAll(optional) }, { additionalProperties: false })
/** What a create (POST, PUT by externalId, GraphQL) takes: the fields and allowDuplicate. */
export const ReferrerCreateRequest = Type.Object({ kind, name, ...optionalAll(optional), allowDuplicate: AllowDuplicate }, { additionalProperties: false })
export const ReferrerUpdate = Type.Object({
  ...optionalAll(fields), expectedVersion: Type.Optional(ExpectedVersion), allowDuplicate: AllowDuplicate
}, { additionalProperties: false })
export type ReferrerCreate = Static<typeof ReferrerCreate>
export type ReferrerUpdate = Static<typeof ReferrerUpdate>

export const referrerOrderFields = ['createdAt', 'updatedAt', 'name'] as const
export type ReferrerOrderField = (typeof referrerOrderFields)[number]

export const ReferrerFilter = Type.Object({
  ownerId: Type.Optional(Uuid),
  kind: Type.Optional(Type.Array(StringEnum(referrerKinds), { maxItems: 5 })),
  status: Type.Optional(Type.Array(StringEnum(referrerStatuses), { maxItems: 3 })),
  tier: Type.Optional(Text(50)),
  tags: Type.Optional(Type.Array(Text(50), { maxItems: 20, description: 'Referrers carrying every one of these tags' })),
  createdFrom: Type.Optional(DateTimeString),
  createdTo: Type.Optional(DateTimeString),
  search: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Name or company (substring), or an exact phone or email' }))
}, { additionalProperties: false })
export type ReferrerFilter = Static<typeof ReferrerFilter>

/** What a client sees of a referrer (REST body; the GraphQL type links the ids as objects). */
export const ReferrerView = Type.Object({
  id: Uuid,
  externalId: Nullable(Type.String()),
  kind: Type.String(),
  name: Type.String(),
  customerId: Nullable(Type.String()),
  userId: Nullable(Type.String()),
  phone: Nullable(Type.String({ description: 'Clear for roles that may read personal data, masked (138****1234) otherwise' })),
  email: Nullable(Type.String()),
  idNumber: Nullable(IdNumberView),
  company: Nullable(Type.String()),
  industry: Nullable(Type.String()),
  title: Nullable(Type.String()),
  region: Nullable(Type.String()),
  code: Type.String(),
  tier: Type.String(),
  status: Type.String(),
  ownerId: Nullable(Type.String()),
  tags: Type.Array(Type.String()),
  attributes: Type.Record(Type.String(), Type.Unknown()),
  version: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' })
})

export const ReferrerListQuery = Type.Object({
  ...ListQuery,
  orderBy: Type.Optional(StringEnum(referrerOrderFields)),
  ownerId: Type.Optional(Uuid),
  kind: Type.Optional(StringEnum(referrerKinds)),
  status: Type.Optional(StringEnum(referrerStatuses)),
  tier: Type.Optional(Text(50)),
  tag: Type.Optional(Type.Array(Text(50), { maxItems: 20 }))
}, { additionalProperties: false })

export const CodeParams = Type.Object({ code: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false })
