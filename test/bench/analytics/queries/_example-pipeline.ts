/**
 * EXAMPLE ONLY, for trying the harness before the real queries land: NOT the pipeline
 * report's answer (just open opportunities by stage). Files starting with `_` are used only
 * for a report no other module in this directory covers, so the pipeline helper's
 * `pipeline.ts` replaces it without touching this file; delete it once that is merged.
 */
export const examplePipelineHandwritten = {
  report: 'pipeline',
  sql(_p: { from: string; to: string; tz: string }): { text: string; values: unknown[] } {
    return {
      text: `select stage, count(*)::int as n, sum(amount)::bigint as amount from opportunities
        where deleted_at is null and stage not in ('won', 'lost') group by stage order by stage`,
      values: []
    }
  }
}
