import type { JobDefinition } from './job.js'

/**
 * Member level review: every customer whose review date has come is evaluated with occasion
 * `review` (down to the highest level it still qualifies for, or renewed), in batches, each
 * customer in its own transaction; a customer that fails is logged and counted
 * (crm_job_item_failures_total{job="level-review"}) and the pass goes on (docs/loyalty.md).
 */
export const levelReviewJob: JobDefinition = {
  name: 'level-review',
  cron: (config) => config.LEVEL_REVIEW_CRON,
  run: (services, now, io) => services.levels.reviewDue(now, { onFailure: (err, item) => io?.itemFailed(err, item) })
}
