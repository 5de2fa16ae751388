import { Type } from '@sinclair/typebox'
import { Nullable } from '../../common/schemas.js'
import { MoneyListView, ReportPeriodView } from '../analytics.views.js'

const CurrencyValueList = Type.Array(Type.Object({ currency: Type.String(), value: Nullable(Type.Number()) }))

export const CampaignMetricsView = Type.Object({
  audienceSize: Nullable(Type.Integer()),
  participants: Type.Integer(),
  referrals: Type.Integer(),
  leads: Type.Integer(),
  conversions: Type.Integer(),
  attributedRevenue: MoneyListView,
  rewardCost: MoneyListView,
  pointsAwarded: Type.Integer(),
  otherCosts: MoneyListView,
  totalCost: MoneyListView,
  roi: CurrencyValueList,
  costPerConversion: CurrencyValueList
})

const CampaignRef = Type.Object({ id: Type.String(), name: Type.String() })

export const CampaignPerformanceView = Type.Object({
  campaign: CampaignRef,
  period: ReportPeriodView,
  metrics: CampaignMetricsView,
  previous: Nullable(CampaignMetricsView),
  byChannel: Type.Array(Type.Object({
    channel: Nullable(Type.String()), referrals: Type.Integer(), conversions: Type.Integer(), attributedRevenue: MoneyListView
  })),
  byBucket: Type.Array(Type.Object({
    key: Type.String(), from: Type.String({ format: 'date-time' }), to: Type.String({ format: 'date-time' }),
    referrals: Type.Integer(), leads: Type.Integer(), conversions: Type.Integer(),
    attributedRevenue: MoneyListView, rewardCost: MoneyListView, otherCosts: MoneyListView
  }))
})

export const CampaignComparisonView = Type.Object({
  period: ReportPeriodView,
  campaigns: Type.Array(Type.Object({ campaign: CampaignRef, metrics: CampaignMetricsView, previous: Nullable(CampaignMetricsView) }))
})
