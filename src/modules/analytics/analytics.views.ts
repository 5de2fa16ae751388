import { Type } from '@sinclair/typebox'
import { MoneyView, Nullable, StringEnum } from '../common/schemas.js'
import type { ReportPeriod } from './analytics.period.js'

/** The period as every report answers it (GraphQL ReportPeriod). */
export function periodView(period: ReportPeriod) {
  return {
    from: period.from, to: period.to, timeZone: period.timeZone, bucket: period.bucket,
    previousFrom: period.previous?.from ?? null, previousTo: period.previous?.to ?? null
  }
}

export const ReportPeriodView = Type.Object({
  from: Type.String({ format: 'date-time' }),
  to: Type.String({ format: 'date-time' }),
  timeZone: Type.String(),
  bucket: StringEnum(['day', 'week', 'month']),
  previousFrom: Nullable(Type.String({ format: 'date-time' })),
  previousTo: Nullable(Type.String({ format: 'date-time' }))
})

/** Seconds between two steps (GraphQL DurationStats): percentile_cont over the measured pairs. */
export const DurationStatsView = Type.Object({
  count: Type.Integer(),
  medianSeconds: Nullable(Type.Number()),
  p90Seconds: Nullable(Type.Number())
})

/** Money per currency, never added across currencies. */
export const MoneyListView = Type.Array(MoneyView)

/** numerator / denominator, or null when there is nothing to divide by. */
export function rate(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator
}
