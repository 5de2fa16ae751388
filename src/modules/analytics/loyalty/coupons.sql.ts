import { sql, type SQL } from 'drizzle-orm'
import { rows, ts } from '../../../db/rows.js'
import type { Period } from '../../../rules/report-period.js'
import type { ReportContext } from '../analytics.report.js'
import { holderScope } from './loyalty.scope.js'

const within = (at: SQL, period: Period) => sql`(${at} >= ${ts(period.from)} and ${at} < ${ts(period.to)})`

export type CouponRow = { template_id: string; issued: number; redeemed_of_issued: number; voided: number }

/**
 * Per template: coupons issued in the period, those of them used before the period's end and
 * not given back before it, and coupons voided in the period (a template may answer two rows:
 * add them). The used-of-issued count is its own part so EXISTS is a semi-join the planner
 * can hash, not a subquery per coupon.
 */
export function couponCounts(ctx: ReportContext, period: Period): Promise<CouponRow[]> {
  const scope = holderScope(ctx, 'cp')
  const issued = within(sql`cp.issued_at`, period)
  const voided = within(sql`cp.voided_at`, period)
  return rows<CouponRow>(ctx.deps.db, sql`
    select cp.template_id::text as template_id, count(*) filter (where ${issued})::int as issued, 0 as redeemed_of_issued,
      count(*) filter (where ${voided})::int as voided
    from coupons cp${scope.joins}
    where (${issued} or ${voided}) and ${scope.where}
    group by cp.template_id
    union all
    select cp.template_id::text, 0, count(*)::int, 0
    from coupons cp${scope.joins}
    where ${issued} and ${scope.where} and exists (select 1 from coupon_redemptions r where r.coupon_id = cp.id
      and r.redeemed_at < ${ts(period.to)} and (r.restored_at is null or r.restored_at >= ${ts(period.to)}))
    group by cp.template_id`)
}

export type UseRow = { template_id: string; currency: string; redeemed: number; discount: string; restored: number; discount_restored: string }

/** Per template and currency: uses in the period and their discount; uses given back in the period and theirs. */
export function couponUses(ctx: ReportContext, period: Period): Promise<UseRow[]> {
  const scope = holderScope(ctx, 'cp')
  const redeemed = within(sql`r.redeemed_at`, period)
  const restored = within(sql`r.restored_at`, period)
  const join = ctx.reach === 'all' ? sql`` : sql` join coupons cp on cp.id = r.coupon_id${scope.joins}`
  return rows<UseRow>(ctx.deps.db, sql`
    select r.template_id::text as template_id, r.currency,
      count(*) filter (where ${redeemed})::int as redeemed,
      coalesce(sum(r.discount) filter (where ${redeemed}), 0)::text as discount,
      count(*) filter (where ${restored})::int as restored,
      coalesce(sum(r.discount) filter (where ${restored}), 0)::text as discount_restored
    from coupon_redemptions r${join}
    where (${redeemed} or ${restored}) and ${scope.where}
    group by r.template_id, r.currency`)
}

export type TemplateRow = { id: string; name: string; campaign_id: string | null; campaign_name: string | null }

/** The templates' names and campaigns (deleted ones too: their coupons still count). */
export function templatesOf(ctx: ReportContext, ids: string[]): Promise<TemplateRow[]> {
  if (ids.length === 0) return Promise.resolve([])
  return rows<TemplateRow>(ctx.deps.db, sql`
    select t.id::text, t.name, t.campaign_id::text as campaign_id, cm.name as campaign_name
    from coupon_templates t left join campaigns cm on cm.id = t.campaign_id
    where t.id in (${sql.join(ids.map((id) => sql`${id}::uuid`), sql`, `)})`)
}
