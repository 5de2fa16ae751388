import type { BucketSpan, Period } from '../../../rules/report-period.js'
import type { ReportContext } from '../analytics.report.js'
import { firstEntryAt, pointsFlows, type FlowRow, type Holder, type BalanceSide } from './points-summary.sql.js'
import type { PointsByHolder, PointsFigures } from './points-summary.views.js'

export type PointsBucket = { key: string; from: Date; to: Date } & PointsByHolder
export type PointsSummary = { totals: PointsByHolder; buckets: PointsBucket[] }

const HOLDERS: Holder[] = ['customer', 'referrer']
const n = (v: string | undefined) => Number(v ?? 0)

type Flows = Omit<PointsFigures, 'openingLiability' | 'liability'>

/** The movements of a span, without the balances (filled in as the buckets are walked). */
function flows(row: FlowRow | undefined): Flows {
  const earned = n(row?.earned); const adjustedUp = n(row?.adjusted_up)
  const redeemedGross = n(row?.redeemed_gross); const returned = n(row?.returned)
  return {
    issued: earned + adjustedUp, earned, adjustedUp,
    redeemed: redeemedGross - returned, redeemedGross, returned,
    expired: n(row?.expired), adjustedDown: n(row?.adjusted_down), reversed: n(row?.reversed),
    reversalShortfall: n(row?.shortfall), net: n(row?.net)
  }
}

const withBalances = (f: Flows, opening: number): PointsFigures => ({ openingLiability: opening, ...f, liability: opening + f.net })

function add<T extends Flows>(a: T, b: T): T {
  return Object.fromEntries(Object.keys(a).map((k) => [k, a[k as keyof T] as number + (b[k as keyof T] as number)])) as T
}

function byHolder(customers: PointsFigures, referrers: PointsFigures): PointsByHolder {
  return { customers, referrers, total: add(customers, referrers) }
}

/**
 * The balances are the same read from either side; read the side with less history: the
 * entries before the period when the ledger began less long before it than the period ended
 * before now, else the accounts' balances less the entries since the period's end (for a
 * period that reaches now, none).
 */
async function balanceSide(ctx: ReportContext, period: Period): Promise<BalanceSide> {
  const first = await firstEntryAt(ctx)
  if (!first || first.getTime() >= period.from.getTime()) return 'before'
  return period.from.getTime() - first.getTime() < ctx.now.getTime() - period.to.getTime() ? 'before' : 'after'
}

/**
 * Points issued, redeemed, expired, adjusted and taken back in a period, per holder type and
 * bucket, with the liability (the ledger's balance) at each bucket's start and end. `side`
 * forces where the balances are read from (the benchmark compares both).
 */
export async function pointsSummary(ctx: ReportContext, period: Period, spans: BucketSpan[] | null, side?: BalanceSide): Promise<PointsSummary> {
  const found = await pointsFlows(ctx, period, spans !== null, side ?? await balanceSide(ctx, period))
  const rowOf = new Map(found.map((r) => [`${r.part}|${r.holder}|${r.key ?? ''}`, r]))
  const pick = (part: FlowRow['part'], holder: Holder, key: string | null) => rowOf.get(`${part}|${holder}|${key ?? ''}`)
  const figures = {} as Record<Holder, { totals: PointsFigures; buckets: PointsFigures[] }>
  for (const holder of HOLDERS) {
    // The period's movements: all its rows added up (one per bucket, or the one without buckets).
    const movements = found.filter((r) => r.part === 'flow' && r.holder === holder).map(flows).reduce((sum, f) => add(sum, f), flows(undefined))
    const closing = pick('closing', holder, null)
    const opening = closing ? n(closing.net) - movements.net : n(pick('opening', holder, null)?.net)
    let balance = opening
    const buckets = (spans ?? []).map((s) => {
      const f = withBalances(flows(pick('flow', holder, s.key)), balance)
      balance = f.liability
      return f
    })
    figures[holder] = { totals: withBalances(movements, opening), buckets }
  }
  return {
    totals: byHolder(figures.customer.totals, figures.referrer.totals),
    buckets: (spans ?? []).map((s, i) => ({ key: s.key, from: s.from, to: s.to, ...byHolder(figures.customer.buckets[i], figures.referrer.buckets[i]) }))
  }
}
