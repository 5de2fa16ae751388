import type { JobDefinition } from './job.js'

/** Nightly rescoring of every customer from the maintained aggregates (docs/scoring.md). */
export const rfmRecomputeJob: JobDefinition = {
  name: 'rfm-recompute',
  cron: (config) => config.RFM_RECOMPUTE_CRON,
  run: async (services, now) => {
    const run = await services.scoring.nightly(now)
    return { runId: run.id, scored: run.scored, rfmChanged: run.changed.rfm, tierOrStageChanged: run.changed.tierOrStage, events: run.events }
  }
}
