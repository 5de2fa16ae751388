import type { ScoringRun } from './scoring.service.js'

const named = (counts: Record<string, number>) => Object.entries(counts).map(([name, count]) => ({ name, count })).sort((a, b) => b.count - a.count || a.name.localeCompare(b.name))

/** A run as GraphQL and REST show it: counts as name/count lists, the mode in capitals for GraphQL. */
export function runView(run: ScoringRun) {
  return {
    id: run.id, mode: run.mode, status: run.status, error: run.error, asOf: run.asOf.toISOString(), startedAt: run.startedAt.toISOString(), finishedAt: run.finishedAt.toISOString(),
    windowDays: run.windowDays, scored: run.scored, unscored: run.unscored,
    rfmChanged: run.changed.rfm, tierOrStageChanged: run.changed.tierOrStage, referrerTiersChanged: run.changed.referrerTiers,
    events: run.events, segments: named(run.segments), tiers: named(run.tiers), stages: named(run.stages)
  }
}
