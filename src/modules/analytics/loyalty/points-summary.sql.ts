import { sql } from 'drizzle-orm'
import { rows, ts } from '../../../db/rows.js'
import type { Period } from '../../../rules/report-period.js'
import type { ReportContext } from '../analytics.report.js'
import { holderScope } from './loyalty.scope.js'

export type Holder = 'customer' | 'referrer'

/** The sums of one holder type's entries in the period or one bucket (docs/loyalty-analytics.md, "The figures"). */
export type FlowRow = {
  /** flow: the period's entries; opening: the balance at its start; closing: at its end. */
  part: 'flow' | 'opening' | 'closing'
  holder: Holder
  /** The bucket key (YYYY-MM-DD); null: the whole period, or a balance. */
  key: string | null
  earned: string; adjusted_up: string; redeemed_gross: string; returned: string; expired: string
  adjusted_down: string; reversed: string; shortfall: string; net: string
}

/**
 * Each entry falls in exactly one of these by kind, sign and source, so the period's `net`
 * (its entries' sum) is issued − redeemed − expired − adjustedDown − reversed. A `reverse`
 * whose source is a redemption gives redeemed points back; any other takes earnings back.
 */
const FIGURES = sql`
  coalesce(sum(pe.amount) filter (where pe.kind = 'earn'), 0)::text as earned,
  coalesce(sum(pe.amount) filter (where pe.kind = 'adjust' and pe.amount > 0), 0)::text as adjusted_up,
  coalesce(sum(-pe.amount) filter (where pe.kind = 'redeem'), 0)::text as redeemed_gross,
  coalesce(sum(pe.amount) filter (where pe.kind = 'reverse' and pe.source_type = 'redemption'), 0)::text as returned,
  coalesce(sum(-pe.amount) filter (where pe.kind = 'expire'), 0)::text as expired,
  coalesce(sum(-pe.amount) filter (where pe.kind = 'adjust' and pe.amount < 0), 0)::text as adjusted_down,
  coalesce(sum(-pe.amount) filter (where pe.kind = 'reverse' and pe.source_type <> 'redemption'), 0)::text as reversed,
  coalesce(sum(pe.shortfall) filter (where pe.kind = 'reverse' and pe.source_type <> 'redemption'), 0)::text as shortfall,
  coalesce(sum(pe.amount), 0)::text as net`
const NO_FIGURES = sql`'0', '0', '0', '0', '0', '0', '0', '0'`

/**
 * Where the balances are read from: `before` sums the entries before the period (the opening);
 * `after` takes the accounts' balances (the ledger's sum now) less the entries made since the
 * period's end (the closing; the opening is then the closing less the period's entries). Both
 * give the same numbers; points-summary.ts picks the side with less history to read.
 */
export type BalanceSide = 'before' | 'after'

/**
 * One statement (one snapshot, so the balances and the flows agree under concurrent writes):
 * the period's entries per holder type and bucket (or per holder type, without buckets) over
 * points_entries_created_at_idx, and the opening or closing balance per holder type. The
 * period's totals are the sum of its buckets (they cover it exactly), so the entries are
 * grouped once, by the truncated local time, and only the groups are formatted.
 */
export function pointsFlows(ctx: ReportContext, period: Period, buckets: boolean, side: BalanceSide): Promise<FlowRow[]> {
  const scope = holderScope(ctx, 'a')
  const balances = side === 'before'
    ? sql`select 'opening' as part, a.holder_type as holder, pe.amount from points_entries pe join points_accounts a on a.id = pe.account_id${scope.joins}
        where pe.created_at < ${ts(period.from)} and ${scope.where}`
    : sql`select 'closing' as part, a.holder_type as holder, a.balance as amount from points_accounts a${scope.joins} where ${scope.where}
        union all
        select 'closing', a.holder_type, -pe.amount from points_entries pe join points_accounts a on a.id = pe.account_id${scope.joins}
        where pe.created_at >= ${ts(period.to)} and ${scope.where}`
  const bucket = buckets
    ? sql`date_trunc(${ctx.period.bucket}::text, pe.created_at at time zone ${ctx.period.timeZone}::text)`
    : sql`null::timestamp`
  return rows<FlowRow>(ctx.deps.db, sql`
    select 'flow' as part, f.holder, to_char(f.b, 'YYYY-MM-DD') as key,
      f.earned, f.adjusted_up, f.redeemed_gross, f.returned, f.expired, f.adjusted_down, f.reversed, f.shortfall, f.net
    from (
      select a.holder_type as holder, g.b, ${FIGURES}
      from points_entries pe join points_accounts a on a.id = pe.account_id${scope.joins}
      cross join lateral (select ${bucket} as b) g
      where pe.created_at >= ${ts(period.from)} and pe.created_at < ${ts(period.to)} and ${scope.where}
      group by a.holder_type, g.b
    ) f
    union all
    select o.part, o.holder, null, ${NO_FIGURES}, coalesce(sum(o.amount), 0)::text
    from (${balances}) o group by o.part, o.holder`)
}

/** When the ledger's first entry was made (null: empty), from the created_at index. */
export async function firstEntryAt(ctx: ReportContext): Promise<Date | null> {
  const [row] = await rows<{ ms: string | number | null }>(ctx.deps.db, sql`select (extract(epoch from min(created_at)) * 1000)::float8 as ms from points_entries`)
  return row?.ms == null ? null : new Date(Number(row.ms))
}
