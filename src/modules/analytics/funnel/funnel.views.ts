import { Type } from '@sinclair/typebox'
import { Nullable, StringEnum, Uuid } from '../../common/schemas.js'
import { DurationStatsView, ReportPeriodView } from '../analytics.views.js'
import { FUNNEL_GROUPS, FUNNEL_STEPS, FUNNEL_VIEWS, REFERRAL_CHANNELS, REFERRER_KINDS } from './funnel.steps.js'

/** The filters, checked the same for both transports (REST query parameters of the same names). */
export const FunnelFilterSchema = Type.Object({
  referrerId: Type.Optional(Nullable(Uuid)),
  referrerKind: Type.Optional(Nullable(StringEnum(REFERRER_KINDS))),
  referrerTier: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 50 }))),
  campaignId: Type.Optional(Nullable(Uuid)),
  channel: Type.Optional(Nullable(StringEnum(REFERRAL_CHANNELS))),
  ownerId: Type.Optional(Nullable(Uuid)),
  teamId: Type.Optional(Nullable(Uuid))
}, { additionalProperties: false })

/** REST query parameters of the report (from, to, bucket, compare, format are common). */
export const FunnelQuery = Type.Object({
  view: Type.Optional(StringEnum(FUNNEL_VIEWS, 'cohort (default): referrals submitted in the period; activity: each step in the period it happened')),
  groupBy: Type.Optional(StringEnum(FUNNEL_GROUPS, 'Split the funnel by this dimension')),
  referrerId: Type.Optional(Uuid),
  referrerKind: Type.Optional(StringEnum(REFERRER_KINDS)),
  referrerTier: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })),
  campaignId: Type.Optional(Uuid),
  channel: Type.Optional(StringEnum(REFERRAL_CHANNELS)),
  ownerId: Type.Optional(Uuid),
  teamId: Type.Optional(Uuid)
})

const StepView = Type.Object({
  step: StringEnum(FUNNEL_STEPS),
  count: Type.Integer(),
  rateFromPrevious: Nullable(Type.Number()),
  overallRate: Nullable(Type.Number()),
  duration: DurationStatsView
})

export const FunnelResponse = Type.Object({
  period: ReportPeriodView,
  view: StringEnum(FUNNEL_VIEWS),
  groupBy: Nullable(StringEnum(FUNNEL_GROUPS)),
  steps: Type.Array(StepView),
  groups: Type.Array(Type.Object({ key: Nullable(Type.String()), label: Nullable(Type.String()), steps: Type.Array(StepView) })),
  previous: Nullable(Type.Array(StepView))
})
