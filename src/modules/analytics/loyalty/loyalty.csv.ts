import type { CsvTable } from '../analytics.csv.js'
import type { PointsBucket } from './points-summary.js'
import { POINTS_FIGURES, type PointsByHolder, type PointsFigures } from './points-summary.views.js'
import type { CouponFigures, LevelCount, LoyaltyCoupons } from './loyalty.views.js'

export type PointsSummaryResult = { totals: PointsByHolder; buckets: PointsBucket[]; previous: PointsByHolder | null }

const HOLDERS = ['customers', 'referrers', 'total'] as const
const pointsCells = (f: PointsFigures) => POINTS_FIGURES.map((k) => f[k])

/** Rows of the points figures: per span (`section`, `key`, `from`, `to`) one per holder type, then the total. */
function pointsRows(result: PointsSummaryResult, section: (s: string) => string, width: number): unknown[][] {
  const pad = (cells: unknown[]) => [...cells, ...Array(width - cells.length).fill(null)]
  const spans: [string, string | null, Date | null, Date | null, PointsByHolder][] = [
    ['total', null, null, null, result.totals],
    ...result.buckets.map((b): [string, string, Date, Date, PointsByHolder] => ['bucket', b.key, b.from, b.to, b]),
    ...(result.previous ? [['previous', null, null, null, result.previous] as [string, null, null, null, PointsByHolder]] : [])
  ]
  return spans.flatMap(([s, key, from, to, figures]) => HOLDERS.map((h) => pad([section(s), key, from, to, h, ...pointsCells(figures[h])])))
}

/** points-summary as CSV: `section` total, bucket or previous; one row per holder type (customers, referrers, total). */
export function pointsSummaryCsv(result: PointsSummaryResult): CsvTable {
  const columns = ['section', 'key', 'from', 'to', 'holder', ...POINTS_FIGURES]
  return { columns, rows: pointsRows(result, (s) => s, columns.length) }
}

const COUPON_COLUMNS = ['couponsIssued', 'couponsRedeemedOfIssued', 'couponRedemptionRate', 'couponsRedeemed', 'couponsRestored', 'couponsVoided', 'currency', 'discount', 'discountRestored']

/** One row per currency of the group's money (one with an empty currency when it has none), its counts on each. */
function couponRows(section: string, key: string | null, label: string | null, f: CouponFigures, lead: number): unknown[][] {
  const currencies = [...new Set([...f.discount, ...f.discountRestored].map((m) => m.currency))].sort()
  const counts = [f.issued, f.redeemedOfIssued, f.redemptionRate, f.redeemed, f.restored, f.voided]
  const amount = (list: { amount: number; currency: string }[], c: string) => list.find((m) => m.currency === c)?.amount ?? 0
  const lines = currencies.length ? currencies.map((c) => [c, amount(f.discount, c), amount(f.discountRestored, c)]) : [[null, null, null]]
  return lines.map((money) => [section, key, label, ...Array(lead).fill(null), ...counts, ...money, null])
}

/**
 * The loyalty report as one table: points rows (`points_total`, `points_bucket`,
 * `points_previous`, one per holder type), coupon rows (`coupons_total`, `coupon_template`,
 * `coupon_campaign`, `coupons_previous`, one per currency), then `level` rows whose only figure is `customers`.
 */
export function loyaltyCsv(points: PointsSummaryResult, coupons: LoyaltyCoupons, levels: LevelCount[]): CsvTable {
  const columns = ['section', 'key', 'label', 'from', 'to', 'holder', ...POINTS_FIGURES, ...COUPON_COLUMNS, 'customers']
  const lead = 3 + POINTS_FIGURES.length
  const pointsPart = pointsRows(points, (s) => `points_${s}`, columns.length).map(([section, key, ...rest]) => [section, key, null, ...rest.slice(0, -1)])
  return {
    columns,
    rows: [
      ...pointsPart,
      ...couponRows('coupons_total', null, null, coupons.totals, lead),
      ...coupons.byTemplate.flatMap((t) => couponRows('coupon_template', t.templateId, t.name, t.figures, lead)),
      ...coupons.byCampaign.flatMap((c) => couponRows('coupon_campaign', c.campaignId, c.name, c.figures, lead)),
      ...(coupons.previous ? couponRows('coupons_previous', null, null, coupons.previous, lead) : []),
      ...levels.map((l) => ['level', l.key, l.nameZh, ...Array(lead + COUPON_COLUMNS.length).fill(null), l.customers])
    ]
  }
}
