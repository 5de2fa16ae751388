import type { JobDefinition } from './job.js'

/**
 * Approves pending order rewards of auto-approval rules once their hold (the refund window)
 * has ended (docs/rewards.md). Manual-approval rules wait for approveReward.
 */
export const rewardApprovalJob: JobDefinition = {
  name: 'reward-auto-approval',
  cron: (config) => config.REWARD_APPROVAL_CRON,
  run: (services, now) => services.rewards.approveDue(now)
}
