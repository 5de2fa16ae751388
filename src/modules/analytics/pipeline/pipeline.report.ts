import { sql } from 'drizzle-orm'
import type { ReportDefinition } from '../analytics.report.js'
import { periodView } from '../analytics.views.js'
import type { CsvTable } from '../analytics.csv.js'
import { OwnerFilters, ownerCondition, ownerFilters, type OwnerFilterArgs } from './pipeline.filters.js'
import { pipelineStages, stageConversion } from './pipeline.queries.js'
import { PipelineView, type Pipeline } from './pipeline.views.js'

/** One row per stage × currency; the stage's own figures repeat on each of its currency rows. */
function pipelineCsv(result: Pipeline): CsvTable {
  const columns = ['stage', 'currency', 'amount', 'weightedAmount', 'count', 'averageAgeSeconds',
    'entered', 'advanced', 'won', 'lost', 'advanceRate', 'winRate']
  const rows: unknown[][] = []
  for (const s of result.stages) {
    const c = result.conversion.find((x) => x.stage === s.stage)!
    const tail = [s.count, s.averageAgeSeconds, c.entered, c.advanced, c.won, c.lost, c.advanceRate, c.winRate]
    if (s.amount.length === 0) rows.push([s.stage, null, 0, 0, ...tail])
    s.amount.forEach((m, i) => rows.push([s.stage, m.currency, m.amount, s.weightedAmount[i].amount, ...tail]))
  }
  return { columns, rows }
}

/** The open pipeline by stage now, and stage-to-stage conversion over the period (docs/analytics.md, "Pipeline"). */
export const pipelineReport: ReportDefinition<typeof OwnerFilters, OwnerFilterArgs, Pipeline> = {
  name: 'pipeline',
  summary: 'Open opportunities by stage (count, amount, weighted amount, age in stage) and stage-to-stage conversion',
  query: OwnerFilters,
  response: PipelineView,
  fromQuery: (q) => ({ teamId: q.teamId, ownerId: q.ownerId }),
  async run(ctx, input) {
    const args = ownerFilters(input)
    const where = ownerCondition(ctx, args, sql`o.owner_id`)
    const stages = await pipelineStages(ctx, where)
    const conversion = await stageConversion(ctx, where)
    return { period: periodView(ctx.period) as unknown as Pipeline['period'], stages, conversion }
  },
  csv: pipelineCsv
}
