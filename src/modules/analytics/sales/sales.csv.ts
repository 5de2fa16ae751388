import type { CsvTable } from '../analytics.csv.js'
import { OPEN_STAGES } from '../pipeline/pipeline.filters.js'
import { ACTIVITY_KINDS, type SalesFigures, type SalesPerformance } from './sales.views.js'

type Money = { amount: number; currency: string }
const amountIn = (list: Money[], currency: string) => list.find((m) => m.currency === currency)?.amount ?? 0

/**
 * One row per rep (level `rep`) then per team (level `team`); money per currency as columns
 * named `<figure>_<CURRENCY>` for every currency the answer holds (0 where a row has none).
 */
export function salesCsv(result: SalesPerformance): CsvTable {
  const all = [...result.reps, ...result.teams] as SalesFigures[]
  const currencies = [...new Set(all.flatMap((f) => [
    ...f.wonAmount.map((m) => m.currency), ...f.openPipeline.flatMap((s) => s.amount.map((m) => m.currency))
  ]))].sort()
  const columns = [
    'level', 'teamId', 'teamName', 'userId', 'userName', 'leadsAssigned',
    'firstResponseCount', 'firstResponseMedianSeconds', 'firstResponseP90Seconds',
    'followUpDue', 'followUpMet', 'followUpCompliance', 'opportunitiesOpened',
    'won', ...currencies.map((c) => `wonAmount_${c}`), 'lost', 'topLostReasons', 'winRate', 'averageSalesCycleSeconds',
    ...OPEN_STAGES.flatMap((s) => [`open_${s}_count`, ...currencies.flatMap((c) => [`open_${s}_amount_${c}`, `open_${s}_weightedAmount_${c}`])]),
    'activities', ...ACTIVITY_KINDS.map((k) => `activities_${k}`), 'customersOwned'
  ]
  const figures = (f: SalesFigures) => [
    f.leadsAssigned, f.firstResponse.count, f.firstResponse.medianSeconds, f.firstResponse.p90Seconds,
    f.followUpDue, f.followUpMet, f.followUpCompliance, f.opportunitiesOpened,
    f.won, ...currencies.map((c) => amountIn(f.wonAmount, c)), f.lost,
    f.topLostReasons.map((r) => `${r.reason ?? ''}: ${r.count}`).join('; '), f.winRate, f.averageSalesCycleSeconds,
    ...f.openPipeline.flatMap((s) => [s.count, ...currencies.flatMap((c) => [amountIn(s.amount, c), amountIn(s.weightedAmount, c)])]),
    f.activities, ...f.activitiesByKind.map((k) => k.count), f.customersOwned
  ]
  return {
    columns,
    rows: [
      ...result.reps.map((r) => ['rep', r.teamId, r.teamName, r.userId, r.name, ...figures(r)]),
      ...result.teams.map((t) => ['team', t.teamId, t.name, null, null, ...figures(t)])
    ]
  }
}
