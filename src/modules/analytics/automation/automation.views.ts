import { Type, type Static } from '@sinclair/typebox'
import { Nullable } from '../../common/schemas.js'
import { MoneyListView, ReportPeriodView } from '../analytics.views.js'

/** Step runs by outcome (journey_step_runs): what each step decided when it ran. */
export const StepOutcomesView = Type.Object({
  ran: Type.Integer(),
  completed: Type.Integer(),
  skipped: Type.Integer(),
  held: Type.Integer(),
  capped: Type.Integer(),
  blocked: Type.Integer(),
  failed: Type.Integer()
})

/** Messages by their status now (messages): queued and held still wait; the rest are final. */
export const MessageCountsView = Type.Object({
  total: Type.Integer(),
  queued: Type.Integer(),
  held: Type.Integer(),
  sent: Type.Integer(),
  failed: Type.Integer(),
  capped: Type.Integer(),
  blocked: Type.Integer(),
  dropped: Type.Integer()
})

/** What followed an enrollment within the report's conversion window. */
export const ConversionsView = Type.Object({
  windowDays: Type.Integer(),
  /** Enrollments followed by at least one paid order of the customer. */
  orderConversions: Type.Integer(),
  orderConversionRate: Nullable(Type.Number()),
  orders: Type.Integer(),
  revenue: MoneyListView,
  /** Enrollments followed by at least one referral made by the customer (as a referrer). */
  referralConversions: Type.Integer(),
  referrals: Type.Integer()
})

export const JourneyStepFiguresView = Type.Object({
  stepKey: Type.String(),
  stepType: Type.String(),
  outcomes: StepOutcomesView,
  messages: MessageCountsView
})

export const JourneyFiguresView = Type.Object({
  journeyId: Type.String(),
  name: Type.String(),
  status: Type.String(),
  entered: Type.Integer(),
  active: Type.Integer(),
  completed: Type.Integer(),
  exited: Type.Integer(),
  failed: Type.Integer(),
  outcomes: StepOutcomesView,
  messages: MessageCountsView,
  conversions: ConversionsView,
  steps: Type.Array(JourneyStepFiguresView)
})

export const LatencyView = Type.Object({
  count: Type.Integer(),
  averageMs: Nullable(Type.Number()),
  medianMs: Nullable(Type.Number()),
  p95Ms: Nullable(Type.Number())
})

export const ChannelFiguresView = Type.Object({
  channelId: Nullable(Type.String()),
  name: Nullable(Type.String()),
  kind: Type.String(),
  messages: MessageCountsView,
  attempts: Type.Integer(),
  failedAttempts: Type.Integer(),
  latency: LatencyView
})

export const AutomationReportView = Type.Object({
  period: ReportPeriodView,
  journeys: Type.Array(JourneyFiguresView),
  channels: Type.Array(ChannelFiguresView)
})

export type StepOutcomes = Static<typeof StepOutcomesView>
export type MessageCounts = Static<typeof MessageCountsView>
export type Conversions = Static<typeof ConversionsView>
export type JourneyFigures = Static<typeof JourneyFiguresView>
export type ChannelFigures = Static<typeof ChannelFiguresView>
