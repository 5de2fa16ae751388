import { Type, type Static } from '@sinclair/typebox'
import { Nullable, StringEnum } from '../../common/schemas.js'
import { ReportPeriodView } from '../analytics.views.js'

/** The statuses a ticket is still in the backlog with. */
export const BACKLOG_STATUSES = ['open', 'in_progress', 'waiting_customer'] as const
/** Backlog age buckets: [minDays, maxDays) in whole 24-hour days since the ticket was opened; the last is open-ended. */
export const AGE_BUCKETS = [
  { key: '0-1d', minDays: 0, maxDays: 1 },
  { key: '1-3d', minDays: 1, maxDays: 3 },
  { key: '3-7d', minDays: 3, maxDays: 7 },
  { key: '7-30d', minDays: 7, maxDays: 30 },
  { key: '30d+', minDays: 30, maxDays: null }
] as const

/** Business minutes a clock took: percentile_cont over the tickets measured. */
export const BusinessMinutesView = Type.Object({
  count: Type.Integer(),
  medianMinutes: Nullable(Type.Number()),
  p90Minutes: Nullable(Type.Number())
})

/** One SLA clock: clocks with a target that ended in the period, and those not breached. */
export const SlaClockView = Type.Object({
  ended: Type.Integer(),
  met: Type.Integer(),
  compliance: Nullable(Type.Number())
})

/** The figures of the whole period, one bucket, or one agent, category or channel (docs/analytics.md, "Service and satisfaction"). */
export const ServiceFiguresView = Type.Object({
  invitationsSent: Type.Integer(),
  invitationsAnswered: Type.Integer(),
  responseRate: Nullable(Type.Number()),
  responses: Type.Integer(),
  csatAnswers: Type.Integer(),
  csatSatisfied: Type.Integer(),
  csat: Nullable(Type.Number()),
  npsAnswers: Type.Integer(),
  promoters: Type.Integer(),
  passives: Type.Integer(),
  detractors: Type.Integer(),
  nps: Nullable(Type.Number()),
  ticketsCreated: Type.Integer(),
  ticketsResolved: Type.Integer(),
  firstResponse: BusinessMinutesView,
  resolution: BusinessMinutesView,
  slaFirstResponse: SlaClockView,
  slaResolution: SlaClockView,
  slaCompliance: Nullable(Type.Number())
})
export type ServiceFigures = Static<typeof ServiceFiguresView>

const GroupView = Type.Object({ key: Nullable(Type.String()), label: Nullable(Type.String()), figures: ServiceFiguresView })
export type ServiceGroup = Static<typeof GroupView>

export const BacklogView = Type.Object({
  asOf: Type.String({ format: 'date-time' }),
  total: Type.Integer(),
  byStatus: Type.Array(Type.Object({ status: StringEnum(BACKLOG_STATUSES), count: Type.Integer() })),
  byAge: Type.Array(Type.Object({ key: Type.String(), minDays: Type.Integer(), maxDays: Nullable(Type.Integer()), count: Type.Integer() }))
})
export type Backlog = Static<typeof BacklogView>

export const ServiceSatisfactionView = Type.Object({
  period: ReportPeriodView,
  totals: ServiceFiguresView,
  buckets: Type.Array(GroupView),
  byAgent: Type.Array(GroupView),
  byCategory: Type.Array(GroupView),
  byChannel: Type.Array(GroupView),
  previous: Nullable(ServiceFiguresView),
  backlog: BacklogView
})
