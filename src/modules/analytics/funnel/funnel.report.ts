import type { Static } from '@sinclair/typebox'
import { parse } from '../../common/validate.js'
import type { CsvTable } from '../analytics.csv.js'
import type { ReportContext, ReportDefinition } from '../analytics.report.js'
import { periodView } from '../analytics.views.js'
import { funnelRows, type FunnelRow } from './funnel.sql.js'
import { stepFigures, type FunnelArgs, type FunnelGroupBy, type FunnelView, type StepFigures } from './funnel.steps.js'
import { FunnelFilterSchema, FunnelQuery, FunnelResponse } from './funnel.views.js'

export type FunnelGroup = { key: string | null; label: string | null; steps: StepFigures[] }
export type FunnelResult = {
  period: ReturnType<typeof periodView>
  view: FunnelView
  groupBy: FunnelGroupBy | null
  steps: StepFigures[]
  groups: FunnelGroup[]
  previous: StepFigures[] | null
}

/** Groups in a stable order: buckets as the period lists them (zero-filled), others by key, none last. */
function groupsOf(ctx: ReportContext, groupBy: FunnelGroupBy | null, rows: FunnelRow[]): FunnelGroup[] {
  if (!groupBy) return []
  const byKey = new Map<string | null, FunnelRow[]>()
  for (const row of rows) byKey.set(row.key, [...(byKey.get(row.key) ?? []), row])
  if (groupBy === 'bucket') {
    return ctx.period.buckets().map((b) => ({ key: b.key, label: b.key, steps: stepFigures(byKey.get(b.key) ?? []) }))
  }
  const keys = [...byKey.keys()].sort((a, b) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1))
  return keys.map((key) => ({ key, label: byKey.get(key)![0].label, steps: stepFigures(byKey.get(key)!) }))
}

async function run(ctx: ReportContext, args: FunnelArgs): Promise<FunnelResult> {
  const filter = parse(FunnelFilterSchema, args.filter ?? {})
  const view = args.view ?? 'cohort'
  const groupBy = args.groupBy ?? null
  const rows = await funnelRows(ctx, ctx.period, view, groupBy, filter)
  const previous = ctx.period.previous ? await funnelRows(ctx, ctx.period.previous, view, null, filter) : null
  return {
    period: periodView(ctx.period), view, groupBy,
    steps: stepFigures(rows.filter((r) => !r.grouped)),
    groups: groupsOf(ctx, groupBy, rows.filter((r) => r.grouped)),
    previous: previous ? stepFigures(previous) : null
  }
}

const csvRow = (section: string, key: string | null, label: string | null, s: StepFigures) =>
  [section, key, label, s.step, s.count, s.rateFromPrevious, s.overallRate, s.duration.count, s.duration.medianSeconds, s.duration.p90Seconds]

/** One row per (group, step): the totals first, then each group, then the previous period's totals. */
function csv(result: FunnelResult): CsvTable {
  return {
    columns: ['section', 'groupKey', 'groupLabel', 'step', 'count', 'rateFromPrevious', 'overallRate', 'durationCount', 'medianSeconds', 'p90Seconds'],
    rows: [
      ...result.steps.map((s) => csvRow('total', null, null, s)),
      ...result.groups.flatMap((g) => g.steps.map((s) => csvRow('group', g.key, g.label, s))),
      ...(result.previous ?? []).map((s) => csvRow('previous', null, null, s))
    ]
  }
}

/** The referral funnel (docs/analytics.md, "Referral funnel"). */
export const referralFunnelReport: ReportDefinition<typeof FunnelQuery, FunnelArgs, FunnelResult> = {
  name: 'referral-funnel',
  summary: 'Referral funnel: submitted → consented → qualified → lead contacted → opportunity opened → converted → first paid order',
  query: FunnelQuery,
  response: FunnelResponse,
  fromQuery: ({ view, groupBy, ...filter }: Static<typeof FunnelQuery>) => ({ view, groupBy, filter }),
  run,
  csv
}
