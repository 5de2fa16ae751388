/**
 * Campaign (营销活动) status: which changes are allowed. Pure and explainable.
 *
 * | from      | may move to                         |
 * |-----------|-------------------------------------|
 * | draft     | scheduled, active, cancelled        |
 * | scheduled | draft, active, cancelled            |
 * | active    | paused, completed, cancelled        |
 * | paused    | active, completed, cancelled        |
 * | completed | (final)                             |
 * | cancelled | (final)                             |
 * A campaign may be created in any status (importing history). Setting the current
 * status again changes nothing.
 */
export const campaignStatuses = ['draft', 'scheduled', 'active', 'paused', 'completed', 'cancelled'] as const
export type CampaignStatus = (typeof campaignStatuses)[number]

export const campaignTransitions: Record<CampaignStatus, readonly CampaignStatus[]> = {
  draft: ['scheduled', 'active', 'cancelled'],
  scheduled: ['draft', 'active', 'cancelled'],
  active: ['paused', 'completed', 'cancelled'],
  paused: ['active', 'completed', 'cancelled'],
  completed: [],
  cancelled: []
}

export function isFinalStatus(status: CampaignStatus): boolean {
  return campaignTransitions[status].length === 0
}

export type CampaignStatusDecision =
  | { ok: true; changed: boolean; explanation: string }
  | { ok: false; code: 'INVALID_TRANSITION'; explanation: string }

/** May a campaign go from `from` to `to`? `from` null means it is being created. */
export function decideCampaignStatus(from: CampaignStatus | null, to: CampaignStatus): CampaignStatusDecision {
  if (from === null) return { ok: true, changed: true, explanation: `starts as ${to}` }
  if (from === to) return { ok: true, changed: false, explanation: `already ${to}: nothing changes` }
  const allowed = campaignTransitions[from]
  if (allowed.includes(to)) return { ok: true, changed: true, explanation: `${from} → ${to} is allowed` }
  return {
    ok: false, code: 'INVALID_TRANSITION',
    explanation: allowed.length === 0
      ? `a ${from} campaign is final and cannot become ${to}`
      : `a ${from} campaign can only become ${allowed.join(', ')}, not ${to}`
  }
}
