import type { JobDefinition } from './job.js'
import { consentExpiryJob } from './consent-expiry.job.js'
import { followUpScanJob } from './follow-up-scan.job.js'
import { rewardApprovalJob } from './reward-approval.job.js'
import { rfmRecomputeJob } from './rfm-recompute.job.js'
import { idempotencyPurgeJob } from './idempotency-purge.job.js'
import { webhookPruneJob } from './webhook-prune.job.js'
import { ticketSlaScanJob } from './ticket-sla-scan.job.js'
import { surveyDispatchJob } from './survey-dispatch.job.js'
import { pointsExpiryJob } from './points-expiry.job.js'
import { couponBatchesJob } from './coupon-batches.job.js'
import { heldMessagesJob } from './held-messages.job.js'
import { levelReviewJob } from './level-review.job.js'
import { journeyScanJob } from './journey-scan.job.js'
import { privacyRetentionJob } from './privacy-retention.job.js'

/** Every background job the queue schedules and works (src/jobs/queue.ts). */
export const jobs: readonly JobDefinition[] = [followUpScanJob, consentExpiryJob, rewardApprovalJob, rfmRecomputeJob, idempotencyPurgeJob, webhookPruneJob, ticketSlaScanJob, surveyDispatchJob, pointsExpiryJob, levelReviewJob, couponBatchesJob, journeyScanJob, heldMessagesJob, privacyRetentionJob]
