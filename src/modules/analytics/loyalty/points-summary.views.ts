import { Type, type Static } from '@sinclair/typebox'
import { Nullable } from '../../common/schemas.js'
import { ReportPeriodView } from '../analytics.views.js'

const Points = Type.Integer()

/** One holder type's points in a span (docs/loyalty-analytics.md, "Points"); GraphQL PointsFigures. */
export const PointsFiguresView = Type.Object({
  openingLiability: Points,
  issued: Points,
  earned: Points,
  adjustedUp: Points,
  redeemed: Points,
  redeemedGross: Points,
  returned: Points,
  expired: Points,
  adjustedDown: Points,
  reversed: Points,
  reversalShortfall: Points,
  net: Points,
  liability: Points
})
export type PointsFigures = Static<typeof PointsFiguresView>

export const PointsByHolderView = Type.Object({ customers: PointsFiguresView, referrers: PointsFiguresView, total: PointsFiguresView })
export type PointsByHolder = Static<typeof PointsByHolderView>

export const PointsBucketView = Type.Object({
  key: Type.String(),
  from: Type.String({ format: 'date-time' }),
  to: Type.String({ format: 'date-time' }),
  customers: PointsFiguresView,
  referrers: PointsFiguresView,
  total: PointsFiguresView
})

export const PointsSummaryView = Type.Object({
  period: ReportPeriodView,
  totals: PointsByHolderView,
  buckets: Type.Array(PointsBucketView),
  previous: Nullable(PointsByHolderView)
})

/** The figure names in answer order (CSV columns). */
export const POINTS_FIGURES = Object.keys(PointsFiguresView.properties) as (keyof PointsFigures)[]
