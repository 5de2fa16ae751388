import { Type, type Static } from '@sinclair/typebox'
import { Nullable, StringEnum } from '../../common/schemas.js'
import { DurationStatsView, MoneyListView, ReportPeriodView } from '../analytics.views.js'
import { OpenStageView } from '../pipeline/pipeline.views.js'

export const ACTIVITY_KINDS = ['call', 'email', 'meeting', 'visit', 'wechat', 'dingtalk', 'sms', 'note'] as const

/** What one rep, or one team's reps together, did in the period (docs/analytics.md, "Sales performance"). */
export const SalesFiguresView = Type.Object({
  leadsAssigned: Type.Integer(),
  firstResponse: DurationStatsView,
  followUpDue: Type.Integer(),
  followUpMet: Type.Integer(),
  followUpCompliance: Nullable(Type.Number()),
  opportunitiesOpened: Type.Integer(),
  won: Type.Integer(),
  wonAmount: MoneyListView,
  lost: Type.Integer(),
  topLostReasons: Type.Array(Type.Object({ reason: Nullable(Type.String()), count: Type.Integer() })),
  winRate: Nullable(Type.Number()),
  averageSalesCycleSeconds: Nullable(Type.Number()),
  openPipeline: Type.Array(OpenStageView),
  activities: Type.Integer(),
  activitiesByKind: Type.Array(Type.Object({ kind: StringEnum(ACTIVITY_KINDS), count: Type.Integer() })),
  customersOwned: Type.Integer()
})
export type SalesFigures = Static<typeof SalesFiguresView>

export const RepPerformanceView = Type.Composite([Type.Object({
  userId: Type.String(),
  name: Type.String(),
  active: Type.Boolean(),
  teamId: Nullable(Type.String()),
  teamName: Nullable(Type.String())
}), SalesFiguresView])

export const TeamPerformanceView = Type.Composite([Type.Object({
  /** Null: the reps without a team. */
  teamId: Nullable(Type.String()),
  name: Nullable(Type.String()),
  reps: Type.Integer()
}), SalesFiguresView])

export const SalesPerformanceView = Type.Object({
  period: ReportPeriodView,
  reps: Type.Array(RepPerformanceView),
  teams: Type.Array(TeamPerformanceView)
})
export type SalesPerformance = Static<typeof SalesPerformanceView>
export type RepPerformance = Static<typeof RepPerformanceView>
export type TeamPerformance = Static<typeof TeamPerformanceView>
