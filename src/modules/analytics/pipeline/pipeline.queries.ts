import { sql, type SQL } from 'drizzle-orm'
import { rows, ts } from '../../../db/rows.js'
import type { ReportContext } from '../analytics.report.js'
import { rate } from '../analytics.views.js'
import { liveOpportunity, OPEN_STAGES, weightedSum, type OpenStage } from './pipeline.filters.js'
import type { OpenStageFigures } from './pipeline.views.js'

export type OpenRow = { stage: OpenStage; currency: string; count: number; amount: string; weighted: string; age: number | null }

/**
 * Open opportunities now, per stage × currency (plus `extraGroup`, e.g. an owner), with the
 * summed seconds since each entered its stage (`age`, as of ctx.now).
 */
export function openByStage(ctx: ReportContext, where: SQL) {
  return sql`select o.stage, o.currency, count(*)::int as count, sum(o.amount)::bigint as amount, ${weightedSum} as weighted,
      sum(extract(epoch from ${ts(ctx.now)} - o.stage_changed_at))::float8 as age
    from opportunities o
    where o.stage not in ('won', 'lost') and ${liveOpportunity} and ${where}`
}

/** Folds stage × currency rows into the four open stages, each with money per currency (ordered by code). */
export function foldStages(found: OpenRow[]): (OpenStageFigures & { ageTotal: number })[] {
  return OPEN_STAGES.map((stage) => {
    const mine = found.filter((r) => r.stage === stage).sort((a, b) => (a.currency < b.currency ? -1 : 1))
    return {
      stage,
      count: mine.reduce((n, r) => n + r.count, 0),
      amount: mine.map((r) => ({ amount: Number(r.amount), currency: r.currency })),
      weightedAmount: mine.map((r) => ({ amount: Number(r.weighted), currency: r.currency })),
      ageTotal: mine.reduce((n, r) => n + (r.age ?? 0), 0)
    }
  })
}

/** The pipeline now, stage by stage. */
export async function pipelineStages(ctx: ReportContext, where: SQL) {
  const found = await rows<OpenRow>(ctx.deps.db, sql`${openByStage(ctx, where)} group by o.stage, o.currency`)
  return foldStages(found).map(({ ageTotal, ...s }) => ({ ...s, averageAgeSeconds: s.count ? ageTotal / s.count : null }))
}

/**
 * Stage-to-stage conversion (docs/analytics.md, "Pipeline"): each opportunity that entered an
 * open stage in the period, once per stage (its first entry in the period), and whether a
 * strictly later move took it further along (any later stage but lost), to won, to lost.
 */
export async function stageConversion(ctx: ReportContext, where: SQL) {
  const { from, to } = ctx.period
  const found = await rows<{ stage: OpenStage; entered: number; advanced: number; won: number; lost: number }>(ctx.deps.db, sql`
    with entries as (
      select h.opportunity_id, h.to_stage as stage, min(h.changed_at) as entered_at
      from opportunity_stage_history h join opportunities o on o.id = h.opportunity_id
      where h.changed_at >= ${ts(from)} and h.changed_at < ${ts(to)} and h.to_stage not in ('won', 'lost')
        and ${liveOpportunity} and ${where}
      group by h.opportunity_id, h.to_stage
    )
    select e.stage, count(*)::int as entered, count(*) filter (where x.advanced)::int as advanced,
      count(*) filter (where x.won)::int as won, count(*) filter (where x.lost)::int as lost
    from entries e cross join lateral (
      select coalesce(bool_or(n.to_stage > e.stage and n.to_stage <> 'lost'), false) as advanced,
        coalesce(bool_or(n.to_stage = 'won'), false) as won, coalesce(bool_or(n.to_stage = 'lost'), false) as lost
      from opportunity_stage_history n where n.opportunity_id = e.opportunity_id and n.changed_at > e.entered_at
    ) x
    group by e.stage`)
  return OPEN_STAGES.map((stage) => {
    const r = found.find((f) => f.stage === stage) ?? { entered: 0, advanced: 0, won: 0, lost: 0 }
    return {
      stage, entered: r.entered, advanced: r.advanced, won: r.won, lost: r.lost,
      advanceRate: rate(r.advanced, r.entered), winRate: rate(r.won, r.entered)
    }
  })
}
