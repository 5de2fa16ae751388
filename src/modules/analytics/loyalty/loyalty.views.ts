import { Type, type Static } from '@sinclair/typebox'
import { Nullable } from '../../common/schemas.js'
import { MoneyListView, ReportPeriodView } from '../analytics.views.js'
import { PointsSummaryView } from './points-summary.views.js'

/** Coupon figures of the period, a template or a campaign (docs/loyalty-analytics.md, "Coupons"). */
export const CouponFiguresView = Type.Object({
  issued: Type.Integer(),
  redeemedOfIssued: Type.Integer(),
  redemptionRate: Nullable(Type.Number()),
  redeemed: Type.Integer(),
  restored: Type.Integer(),
  voided: Type.Integer(),
  discount: MoneyListView,
  discountRestored: MoneyListView
})
export type CouponFigures = Static<typeof CouponFiguresView>

export const CouponTemplateGroupView = Type.Object({
  templateId: Type.String(),
  name: Type.String(),
  campaignId: Nullable(Type.String()),
  campaignName: Nullable(Type.String()),
  figures: CouponFiguresView
})
export type CouponTemplateGroup = Static<typeof CouponTemplateGroupView>

export const CouponCampaignGroupView = Type.Object({
  campaignId: Nullable(Type.String()),
  name: Nullable(Type.String()),
  templates: Type.Integer(),
  figures: CouponFiguresView
})
export type CouponCampaignGroup = Static<typeof CouponCampaignGroupView>

export const LoyaltyCouponsView = Type.Object({
  totals: CouponFiguresView,
  byTemplate: Type.Array(CouponTemplateGroupView),
  byCampaign: Type.Array(CouponCampaignGroupView),
  previous: Nullable(CouponFiguresView)
})
export type LoyaltyCoupons = Static<typeof LoyaltyCouponsView>

export const LevelCountView = Type.Object({
  levelId: Nullable(Type.String()),
  key: Nullable(Type.String()),
  nameZh: Nullable(Type.String()),
  nameEn: Nullable(Type.String()),
  rank: Nullable(Type.Integer()),
  active: Type.Boolean(),
  customers: Type.Integer()
})
export type LevelCount = Static<typeof LevelCountView>

export const LoyaltyLevelsView = Type.Object({
  asOf: Type.String({ format: 'date-time' }),
  total: Type.Integer(),
  byLevel: Type.Array(LevelCountView)
})

export const LoyaltyReportView = Type.Object({
  period: ReportPeriodView,
  points: PointsSummaryView,
  coupons: LoyaltyCouponsView,
  levels: LoyaltyLevelsView
})
