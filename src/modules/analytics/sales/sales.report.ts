import type { SQL } from 'drizzle-orm'
import type { ReportContext, ReportDefinition } from '../analytics.report.js'
import { periodView } from '../analytics.views.js'
import { OwnerFilters, ownerCondition, ownerFilters, type OwnerFilterArgs } from '../pipeline/pipeline.filters.js'
import { figuresFor, indexRows, type FigureRows } from './sales.assemble.js'
import { salesCsv } from './sales.csv.js'
import {
  activityFigures, closedFigures, customerFigures, followUpFigures, leadFigures, lostReasons, openPipeline, openedFigures, repsOf, wonAmounts
} from './sales.queries.js'
import { SalesPerformanceView, type SalesPerformance } from './sales.views.js'

const byName = (a: string | null, b: string | null) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1)

async function salesPerformance(ctx: ReportContext, args: OwnerFilterArgs): Promise<SalesPerformance> {
  const scope = (owner: SQL) => ownerCondition(ctx, args, owner)
  // One statement at a time: PGlite has a single connection, and a pool gains little here.
  const found: FigureRows = {
    leads: await leadFigures(ctx, scope),
    followUp: await followUpFigures(ctx, scope),
    opened: await openedFigures(ctx, scope),
    closed: await closedFigures(ctx, scope),
    won: await wonAmounts(ctx, scope),
    lost: await lostReasons(ctx, scope),
    open: await openPipeline(ctx, scope),
    activities: await activityFigures(ctx, scope),
    customers: await customerFigures(ctx, scope)
  }
  const withFigures = new Set<string>()
  for (const list of Object.values(found)) for (const r of list) if (!Number(r.rollup) && r.user_id) withFigures.add(r.user_id)
  const people = (await repsOf(ctx, scope, [...withFigures]))
    .sort((a, b) => byName(a.team_name, b.team_name) || byName(a.name, b.name) || (a.id < b.id ? -1 : 1))
  const data = indexRows(found)
  const reps = people.map((u) => ({
    userId: u.id, name: u.name, active: u.active, teamId: u.team_id, teamName: u.team_name, ...figuresFor(data, `r:${u.id}`)
  }))
  const teams = new Map<string, { teamId: string | null; name: string | null; reps: number }>()
  for (const u of people) {
    const team = teams.get(u.team_id ?? '') ?? { teamId: u.team_id, name: u.team_name, reps: 0 }
    team.reps++
    teams.set(u.team_id ?? '', team)
  }
  return {
    period: periodView(ctx.period) as unknown as SalesPerformance['period'],
    reps,
    teams: [...teams.entries()].map(([key, t]) => ({ ...t, ...figuresFor(data, `t:${key}`) }))
  }
}

/** Per rep and per team: leads, response, follow-up, deals, pipeline, activities (docs/analytics.md, "Sales performance"). */
export const salesPerformanceReport: ReportDefinition<typeof OwnerFilters, OwnerFilterArgs, SalesPerformance> = {
  name: 'sales-performance',
  summary: 'Per rep and per team: leads assigned, first response, follow-up compliance, won and lost, win rate, sales cycle, open pipeline, activities, customers owned',
  query: OwnerFilters,
  response: SalesPerformanceView,
  fromQuery: (q) => ({ teamId: q.teamId, ownerId: q.ownerId }),
  run: (ctx, input) => salesPerformance(ctx, ownerFilters(input)),
  csv: salesCsv
}
