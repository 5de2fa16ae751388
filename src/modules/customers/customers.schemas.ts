import { Type, type Static } from '@sinclair/typebox'
import {
  Attributes, DateTimeString, Email, ExpectedVersion, ExternalId, ListQuery, LocalDate, MoneyView, Nullable, Phone,
  optionalAll, StringEnum, Tags, Text, Uuid
} from '../common/schemas.js'
import { referrerKinds } from '../referrers/referrers.schemas.js'
import { CustomerLevelView, LevelKey } from '../levels/levels.schemas.js'
import { IdNumber, IdNumberView } from '../common/id-number.js'

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
  idNumber: Nullable(IdNumber),
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

/** The duplicate policy's opt-out (docs/customers.md): a request field, not a stored one. */
export const AllowDuplicate = Type.Optional(Type.Boolean({ description: 'Accept a phone or email another live customer already has (DUPLICATE otherwise)' }))

const { name, ...optional } = fields
/** A stored customer's fields (an import row takes exactly these). */
export const CustomerCreate = Type.Object({ name, ...optionalAll(optional) }, { additionalProperties: false })
/** What a create (POST, PUT by externalId, GraphQL) takes: the fields and allowDuplicate. */
export const CustomerCreateRequest = Type.Object({ name, ...optionalAll(optional), allowDuplicate: AllowDuplicate }, { additionalProperties: false })
export const CustomerUpdate = Type.Object({
  ...optionalAll(fields), expectedVersion: Type.Optional(ExpectedVersion), allowDuplicate: AllowDuplicate
}, { additionalProperties: false })
export type CustomerCreate = Static<typeof CustomerCreate>
export type CustomerCreateRequest = Static<typeof CustomerCreateRequest>
export type CustomerUpdate = Static<typeof CustomerUpdate>


/** The score orders (r ... segment) put unscored customers last in both directions (docs/customers.md). */
export const customerOrderFields = ['createdAt', 'updatedAt', 'name', 'r', 'f', 'm', 'monetary', 'frequency', 'segment'] as const
export type CustomerOrderField = (typeof customerOrderFields)[number]

const Score = Type.Integer({ minimum: 1, maximum: 5 })
const Scores = (what: string) => Type.Array(Score, { maxItems: 5, uniqueItems: true, description: `Customers whose ${what} score (1–5) is any of these` })
/** Segment names are configuration (docs/scoring.md): free text, matched exactly. */
const Segments = Type.Array(Text(60), { maxItems: 50, uniqueItems: true, description: 'Customers in any of these RFM segments (exact names)' })

/** Filters on related records (customers.related.ts), alike in the GraphQL filter and the REST query. */
const relatedFields = {
  referrerKind: Type.Optional(Type.Array(StringEnum(referrerKinds), { maxItems: 5, description: 'The credited referrer (referrerId) is of any of these kinds' })),
  referrerTier: Type.Optional(Type.Array(Text(50), { maxItems: 20, description: 'The credited referrer (referrerId) has any of these tiers (exact)' })),
  campaignId: Type.Optional(Uuid),
  hasOpenOpportunity: Type.Optional(Type.Boolean({ description: 'true: a live opportunity not yet won or lost; false: none' })),
  lastActivityBefore: Type.Optional(DateTimeString),
  levelKeys: Type.Optional(Type.Array(LevelKey, { maxItems: 50, uniqueItems: true, description: 'At any of these member levels (keys); customers that never moved are at the base level' }))
}

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
  search: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Name or company (substring), or an exact phone or email' })),
  segment: Type.Optional(Segments),
  r: Type.Optional(Scores('recency')),
  f: Type.Optional(Scores('frequency')),
  m: Type.Optional(Scores('monetary')),
  scored: Type.Optional(Type.Boolean({ description: 'true: customers with stored RFM scores; false: those without' })),
  ...relatedFields
}, { additionalProperties: false })
export type CustomerFilter = Static<typeof CustomerFilter>

/** The stored RFM scores as of the last recompute (docs/scoring.md); recency in whole days. */
export const CustomerRfmView = Type.Object({
  recency: Type.Integer({ description: 'Whole days from the last counted order to the last recompute' }),
  frequency: Type.Integer(),
  monetary: MoneyView,
  r: Type.Integer(), f: Type.Integer(), m: Type.Integer(),
  segment: Type.String(),
  computedAt: Type.String({ format: 'date-time', description: 'The asOf of the last recompute: the scores and recency are current as of then' })
}, { description: 'RFM scores (null while the customer is unscored); on reads, not on write responses' })

/** What a client sees of a customer (REST body and GraphQL type carry the same fields). */
export const CustomerView = Type.Object({
  id: Uuid,
  externalId: Nullable(Type.String()),
  name: Type.String(),
  gender: Type.String(),
  birthday: Nullable(Type.String()),
  phone: Nullable(Type.String({ description: 'Clear for roles that may read personal data, masked (138****1234) otherwise' })),
  email: Nullable(Type.String()),
  idNumber: Nullable(IdNumberView),
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
  updatedAt: Type.String({ format: 'date-time' }),
  rfm: Type.Optional(Nullable(CustomerRfmView)),
  level: Type.Optional(Nullable(CustomerLevelView))
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
  tag: Type.Optional(Type.Array(Text(50), { maxItems: 20 })),
  segment: Type.Optional(Segments),
  r: Type.Optional(Scores('recency')),
  f: Type.Optional(Scores('frequency')),
  m: Type.Optional(Scores('monetary')),
  scored: Type.Optional(Type.Boolean()),
  ...relatedFields,
  levelKeys: Type.Optional(Type.Array(LevelKey, { maxItems: 50, uniqueItems: true, description: 'At any of these member levels (keys)' }))
}, { additionalProperties: false })

/** Customers per RFM segment as of the last recompute, within the caller's reach. */
export const SegmentCountsView = Type.Object({
  computedAt: Nullable(Type.String({ format: 'date-time', description: 'The asOf of the last recompute; null before the first' })),
  total: Type.Integer(),
  scored: Type.Integer(),
  unscored: Type.Integer(),
  segments: Type.Array(Type.Object({ segment: Type.String(), count: Type.Integer() }))
})
