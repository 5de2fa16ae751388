import { Type } from '@sinclair/typebox'
import type { ReportContext, ReportDefinition } from '../analytics.report.js'
import { periodView } from '../analytics.views.js'
import { couponFigures } from './coupons.js'
import { levelCounts } from './levels.js'
import { loyaltyCsv, pointsSummaryCsv, type PointsSummaryResult } from './loyalty.csv.js'
import type { LevelCount, LoyaltyCoupons } from './loyalty.views.js'
import { LoyaltyReportView } from './loyalty.views.js'
import { pointsSummary } from './points-summary.js'
import { PointsSummaryView } from './points-summary.views.js'

export type PointsSummaryAnswer = { period: ReturnType<typeof periodView> } & PointsSummaryResult
export type LoyaltyReport = {
  period: ReturnType<typeof periodView>
  points: PointsSummaryAnswer
  coupons: LoyaltyCoupons
  levels: { asOf: Date; total: number; byLevel: LevelCount[] }
}

/** The period's points by bucket, and the previous period's totals when asked. */
async function points(ctx: ReportContext): Promise<PointsSummaryAnswer> {
  const current = await pointsSummary(ctx, ctx.period, ctx.period.buckets())
  const previous = ctx.period.previous ? (await pointsSummary(ctx, ctx.period.previous, null)).totals : null
  return { period: periodView(ctx.period), ...current, previous }
}

/** Points for finance (docs/loyalty-analytics.md, "Points"). */
export const pointsSummaryReport: ReportDefinition<ReturnType<typeof Type.Object>, Record<string, never>, PointsSummaryAnswer> = {
  name: 'points-summary',
  summary: 'Points issued, redeemed, expired, adjusted down and taken back, and the outstanding liability, by bucket; for customers, referrers and in total',
  query: Type.Object({}),
  response: PointsSummaryView,
  fromQuery: () => ({}),
  run: points,
  csv: pointsSummaryCsv
}

async function loyalty(ctx: ReportContext): Promise<LoyaltyReport> {
  // One statement at a time: PGlite has a single connection.
  const pointsAnswer = await points(ctx)
  const coupons = await couponFigures(ctx, ctx.period, ctx.period.previous)
  return { period: periodView(ctx.period), points: pointsAnswer, coupons, levels: await levelCounts(ctx) }
}

/** The loyalty programme's numbers (docs/loyalty-analytics.md): points, coupons, customers per level. */
export const loyaltyReport: ReportDefinition<ReturnType<typeof Type.Object>, Record<string, never>, LoyaltyReport> = {
  name: 'loyalty',
  summary: 'Points for finance (issued, redeemed, expired, liability) by bucket; coupons issued, redeemed, restored and voided with the redemption rate and discount by template and campaign; customers per member level',
  query: Type.Object({}),
  response: LoyaltyReportView,
  fromQuery: () => ({}),
  run: loyalty,
  csv: (r) => loyaltyCsv(r.points, r.coupons, r.levels.byLevel)
}
