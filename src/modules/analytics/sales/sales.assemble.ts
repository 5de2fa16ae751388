import { rate } from '../analytics.views.js'
import { foldStages, type OpenRow } from '../pipeline/pipeline.queries.js'
import type {
  activityFigures, closedFigures, customerFigures, followUpFigures, leadFigures, lostReasons, openPipeline, openedFigures, wonAmounts
} from './sales.queries.js'
import { keyOf, type Keyed } from './sales.queries.js'
import { ACTIVITY_KINDS, type SalesFigures } from './sales.views.js'

type Rows<F extends (...a: never[]) => Promise<unknown[]>> = Awaited<ReturnType<F>>

/** Every query's rows, as fetched. */
export type FigureRows = {
  leads: Rows<typeof leadFigures>
  followUp: Rows<typeof followUpFigures>
  opened: Rows<typeof openedFigures>
  closed: Rows<typeof closedFigures>
  won: Rows<typeof wonAmounts>
  lost: Rows<typeof lostReasons>
  open: Rows<typeof openPipeline>
  activities: Rows<typeof activityFigures>
  customers: Rows<typeof customerFigures>
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v))
const TOP_LOST_REASONS = 5

function byKey<T extends Keyed>(list: T[]): Map<string, T[]> {
  const map = new Map<string, T[]>()
  for (const r of list) {
    const k = keyOf(r)
    map.set(k, [...(map.get(k) ?? []), r])
  }
  return map
}

/** The figures of one key (`r:<user>` or `t:<team>`), zeros where a query had no row. */
export function figuresFor(data: { [K in keyof FigureRows]: Map<string, FigureRows[K]> }, key: string): SalesFigures {
  const many = <K extends keyof FigureRows>(k: K): FigureRows[K] => data[k].get(key) ?? ([] as unknown as FigureRows[K])
  const one = <K extends keyof FigureRows>(k: K): FigureRows[K][number] | undefined => many(k)[0]
  const leads = one('leads'); const followUp = one('followUp'); const closed = one('closed')
  const won = closed?.won ?? 0; const lost = closed?.lost ?? 0
  const activities = many('activities')
  return {
    leadsAssigned: leads?.assigned ?? 0,
    firstResponse: { count: leads?.responded ?? 0, medianSeconds: num(leads?.median), p90Seconds: num(leads?.p90) },
    followUpDue: followUp?.due ?? 0,
    followUpMet: followUp?.met ?? 0,
    followUpCompliance: rate(followUp?.met ?? 0, followUp?.due ?? 0),
    opportunitiesOpened: one('opened')?.opened ?? 0,
    won,
    wonAmount: many('won').map((r) => ({ amount: Number(r.amount), currency: r.currency })).sort((a, b) => (a.currency < b.currency ? -1 : 1)),
    lost,
    topLostReasons: many('lost').map((r) => ({ reason: r.reason, count: r.count }))
      .sort((a, b) => b.count - a.count || ((a.reason ?? '') < (b.reason ?? '') ? -1 : (a.reason ?? '') > (b.reason ?? '') ? 1 : 0))
      .slice(0, TOP_LOST_REASONS),
    winRate: rate(won, won + lost),
    averageSalesCycleSeconds: num(closed?.cycle),
    openPipeline: foldStages(many('open') as unknown as OpenRow[]).map(({ ageTotal: _age, ...s }) => s),
    activities: activities.reduce((n, r) => n + r.count, 0),
    activitiesByKind: ACTIVITY_KINDS.map((kind) => ({ kind, count: activities.find((r) => r.kind === kind)?.count ?? 0 })),
    customersOwned: one('customers')?.owned ?? 0
  }
}

/** Indexes every query's rows by rep / team key. */
export function indexRows(found: FigureRows): { [K in keyof FigureRows]: Map<string, FigureRows[K]> } {
  const out = {} as Record<keyof FigureRows, Map<string, unknown[]>>
  for (const k of Object.keys(found) as (keyof FigureRows)[]) out[k] = byKey(found[k] as Keyed[])
  return out as { [K in keyof FigureRows]: Map<string, FigureRows[K]> }
}
