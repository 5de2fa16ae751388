import { Type, type Static } from '@sinclair/typebox'
import { Nullable, StringEnum } from '../../common/schemas.js'
import { MoneyListView, ReportPeriodView } from '../analytics.views.js'
import { OPEN_STAGES } from './pipeline.filters.js'

const OpenStageEnum = StringEnum(OPEN_STAGES)

/** Open opportunities in one stage now: how many, their amounts and weighted amounts per currency. */
export const OpenStageView = Type.Object({
  stage: OpenStageEnum,
  count: Type.Integer(),
  amount: MoneyListView,
  weightedAmount: MoneyListView
})
export type OpenStageFigures = Static<typeof OpenStageView>

export const PipelineStageView = Type.Composite([OpenStageView, Type.Object({
  /** Mean of (now − stageChangedAt) over the stage's open opportunities; null when none. */
  averageAgeSeconds: Nullable(Type.Number())
})])

/** Of the opportunities that entered a stage in the period, how many later moved on, won or lost. */
export const StageConversionView = Type.Object({
  stage: OpenStageEnum,
  entered: Type.Integer(),
  advanced: Type.Integer(),
  won: Type.Integer(),
  lost: Type.Integer(),
  advanceRate: Nullable(Type.Number()),
  winRate: Nullable(Type.Number())
})

export const PipelineView = Type.Object({
  period: ReportPeriodView,
  stages: Type.Array(PipelineStageView),
  conversion: Type.Array(StageConversionView)
})
export type Pipeline = Static<typeof PipelineView>
