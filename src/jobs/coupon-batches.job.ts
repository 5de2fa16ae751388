import type { JobDefinition } from './job.js'

/**
 * Coupon batches larger than a request makes (docs/loyalty.md, "Batches"): each
 * pending batch's codes generated and COPY'd in one transaction. Sent at once when a batch
 * is requested; the schedule is the safety net (a batch left by a process that died).
 */
export const couponBatchesJob: JobDefinition = {
  name: 'coupon-batches',
  cron: () => '* * * * *',
  run: (services, now) => services.coupons.runPendingBatches(now)
}
