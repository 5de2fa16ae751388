import { Type, type Static } from '@sinclair/typebox'
import { manualRejectionReasons, referralStatuses, rejectionReasons } from '../../rules/referral-status.js'
import {
  DateTimeString, Email, ExternalId, ListQuery, Nullable, Phone, StringEnum, Text, Uuid
} from '../common/schemas.js'

export const referralChannels = ['api', 'form', 'link', 'qr', 'import'] as const
export const publicChannels = ['form', 'link', 'qr'] as const
export const referralFlags = ['velocity_hour', 'velocity_day'] as const

const ReferralCode = Type.String({ minLength: 1, maxLength: 64, description: "The referrer's referral code (case-insensitive)" })

/** The referred person and where the referral came from: shared by every way in. */
const person = {
  name: Text(200),
  phone: Type.Optional(Nullable(Phone)),
  email: Type.Optional(Nullable(Email)),
  company: Type.Optional(Nullable(Text(200))),
  industry: Type.Optional(Nullable(Text(100))),
  region: Type.Optional(Nullable(Text(100))),
  note: Type.Optional(Nullable(Text(2000))),
  campaignId: Type.Optional(Nullable(Uuid))
}

/** submitReferral / POST /referrals: by referrer id or referral code (referrer tokens: themselves). */
export const ReferralSubmit = Type.Object({
  ...person,
  referrerId: Type.Optional(Uuid),
  referralCode: Type.Optional(ReferralCode),
  externalId: Type.Optional(Nullable(ExternalId)),
  channel: Type.Optional(StringEnum(referralChannels, 'How the referral came in; defaults to api'))
}, { additionalProperties: false })
export type ReferralSubmit = Static<typeof ReferralSubmit>

/** POST /public/referrals: the landing page, form or QR code; no token. */
export const PublicReferralSubmit = Type.Object({
  ...person,
  referralCode: ReferralCode,
  channel: Type.Optional(StringEnum(publicChannels, 'Defaults to form'))
}, { additionalProperties: false })
export type PublicReferralSubmit = Static<typeof PublicReferralSubmit>

/** The referred person's answer to the consent request. */
export const ConsentAnswer = Type.Object({
  granted: Type.Boolean(),
  channel: Text(50),
  purpose: Text(200),
  by: Text(100)
}, { additionalProperties: false })
export type ConsentAnswer = Static<typeof ConsentAnswer>

export const ConsentToken = Type.String({ minLength: 16, maxLength: 128, description: 'The single-use consent token' })
export const ConsentConfirm = Type.Object({ token: ConsentToken, ...ConsentAnswer.properties }, { additionalProperties: false })

export const ReferralReject = Type.Object({
  reason: StringEnum(manualRejectionReasons),
  detail: Type.Optional(Nullable(Text(500)))
}, { additionalProperties: false })
export type ReferralReject = Static<typeof ReferralReject>

export const referralOrderFields = ['createdAt', 'updatedAt'] as const
export type ReferralOrderField = (typeof referralOrderFields)[number]

const filterFields = {
  status: Type.Optional(Type.Array(StringEnum(referralStatuses), { maxItems: 5 })),
  referrerId: Type.Optional(Uuid),
  campaignId: Type.Optional(Uuid),
  channel: Type.Optional(Type.Array(StringEnum(referralChannels), { maxItems: 5 })),
  flaggedForReview: Type.Optional(Type.Boolean()),
  createdFrom: Type.Optional(DateTimeString),
  createdTo: Type.Optional(DateTimeString),
  search: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Name or company (substring), or an exact phone or email' })),
  referrerTier: Type.Optional(Type.Array(Text(50), { maxItems: 20, description: 'The referrer is live and has any of these tiers (exact)' }))
}
export const ReferralFilter = Type.Object(filterFields, { additionalProperties: false })
export type ReferralFilter = Static<typeof ReferralFilter>

export const ReferralListQuery = Type.Object({
  ...ListQuery,
  ...filterFields,
  orderBy: Type.Optional(StringEnum(referralOrderFields))
}, { additionalProperties: false })

const Time = Type.String({ format: 'date-time' })

export const ConsentView = Type.Object({
  granted: Type.Boolean(), at: Type.String(), channel: Type.String(), purpose: Type.String(), by: Type.String(),
  ip: Type.Optional(Type.String({ description: 'Only for roles that may read personal data' }))
})

/** What a client sees of a referral (REST body and GraphQL type carry the same fields). */
export const ReferralView = Type.Object({
  id: Uuid,
  externalId: Nullable(Type.String()),
  referrerId: Type.String(),
  campaignId: Nullable(Type.String()),
  channel: StringEnum(referralChannels),
  status: StringEnum(referralStatuses),
  rejectionReason: Nullable(StringEnum(rejectionReasons)),
  rejectionDetail: Nullable(Type.String()),
  name: Nullable(Type.String({ description: 'Null once purged' })),
  phone: Nullable(Type.String({ description: 'Clear for roles that may read personal data, masked (138****1234) otherwise' })),
  email: Nullable(Type.String()),
  company: Nullable(Type.String()),
  industry: Nullable(Type.String()),
  region: Nullable(Type.String()),
  note: Nullable(Type.String()),
  flaggedForReview: Type.Boolean(),
  flags: Type.Array(Type.String()),
  consent: Nullable(ConsentView),
  consentExpiresAt: Nullable(Time),
  leadId: Nullable(Type.String()),
  customerId: Nullable(Type.String()),
  opportunityId: Nullable(Type.String()),
  submittedAt: Nullable(Time),
  consentedAt: Nullable(Time),
  qualifiedAt: Nullable(Time),
  convertedAt: Nullable(Time),
  rejectedAt: Nullable(Time),
  purgedAt: Nullable(Time),
  version: Type.Integer(),
  createdAt: Time,
  updatedAt: Time
})

/** The submit answer: the referral, plus the consent token once (staff and integration callers only). */
export const SubmittedReferralView = Type.Object({
  ...ReferralView.properties,
  consentToken: Type.Optional(Type.String({ description: 'Shown once: send it to the referred person (SMS link)' }))
})

export const IssuedConsentToken = Type.Object({ token: Type.String(), expiresAt: Time })

/** The public form's one answer, whatever became of the submission. */
export const PublicAccepted = Type.Object({ status: Type.Literal('received'), message: Type.String() })

export const PublicConsentAnswer = Type.Object({ status: StringEnum(['submitted', 'rejected'] as const) })

export const PublicReferrerView = Type.Object({
  code: Type.String(),
  displayName: Type.String(),
  campaign: Nullable(Type.Object({ id: Type.String(), name: Type.String() }))
})
export const CodeParams = Type.Object({ code: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false })
export const PublicReferrerQuery = Type.Object({ campaignId: Type.Optional(Uuid) }, { additionalProperties: false })
