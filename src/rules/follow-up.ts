/**
 * Follow-up policy (跟进规则): what is due on a lead as of `now`. Pure: time is an
 * argument, the policy is data (per lead source, `*` the default).
 *
 *   first contact due `firstContactHours` after assignment → else `first_contact_breached`
 *     (recorded once: the lead carries firstContactBreachedAt);
 *   a follow-up due at `nextFollowUpAt`, set to `followUpDays` after assignment (reps may
 *     move it) → `follow_up_due`, once per due time (followUpBreachedAt);
 *   `dormantDays` with no activity at all (no activity, contact or assignment since) →
 *     `dormant`; a dormant lead gets no follow-up task.
 * Only open leads (new, contacted, qualified) with an owner are watched.
 */
import type { LeadStatus } from './lead-status.js'

export type FollowUpPolicy = { source: string; firstContactHours: number; followUpDays: number; dormantDays: number }

export const DEFAULT_SOURCE = '*'
export const defaultFollowUpPolicy: FollowUpPolicy = { source: DEFAULT_SOURCE, firstContactHours: 72, followUpDays: 7, dormantDays: 30 }
export const policyBounds = {
  firstContactHours: { minimum: 1, maximum: 720 },
  followUpDays: { minimum: 1, maximum: 365 },
  dormantDays: { minimum: 1, maximum: 3650 }
} as const

export const watchedStatuses: readonly LeadStatus[] = ['new', 'contacted', 'qualified']

export type LeadTimes = {
  status: LeadStatus
  ownerId: string | null
  createdAt: Date
  assignedAt: Date | null
  firstContactedAt: Date | null
  lastActivityAt: Date | null
  nextFollowUpAt: Date | null
  firstContactDueAt: Date | null
  firstContactBreachedAt: Date | null
  followUpBreachedAt: Date | null
}

export type FollowUpAction =
  | { kind: 'first_contact_breached'; dueAt: Date }
  | { kind: 'follow_up_due'; dueAt: Date }
  | { kind: 'dormant'; idleSince: Date; days: number }

const HOUR = 3_600_000
const DAY = 24 * HOUR
const latest = (...times: (Date | null)[]) => new Date(Math.max(...times.filter((t): t is Date => t !== null).map((t) => t.getTime())))

/** The policy for a source: its own active one, else the `*` one, else the built-in default. */
export function policyFor(source: string, policies: readonly FollowUpPolicy[]): FollowUpPolicy {
  return policies.find((p) => p.source === source) ?? policies.find((p) => p.source === DEFAULT_SOURCE) ?? defaultFollowUpPolicy
}

/** The SLA times a lead gets when it is assigned at `at`. */
export function slaOnAssignment(policy: FollowUpPolicy, at: Date): { firstContactDueAt: Date; nextFollowUpAt: Date } {
  return {
    firstContactDueAt: new Date(at.getTime() + policy.firstContactHours * HOUR),
    nextFollowUpAt: new Date(at.getTime() + policy.followUpDays * DAY)
  }
}

/** The last sign of life (the latest activity, the first contact, the assignment or the creation). */
export const lastTouch = (lead: LeadTimes): Date => latest(lead.createdAt, lead.assignedAt, lead.firstContactedAt, lead.lastActivityAt)

/** What is due on the lead as of `now`, in the order to apply it. */
export function dueFollowUpActions(lead: LeadTimes, policy: FollowUpPolicy, now: Date): FollowUpAction[] {
  if (!watchedStatuses.includes(lead.status) || lead.ownerId === null) return []
  const due: FollowUpAction[] = []
  if (lead.assignedAt && !lead.firstContactedAt && !lead.firstContactBreachedAt) {
    const dueAt = lead.firstContactDueAt ?? slaOnAssignment(policy, lead.assignedAt).firstContactDueAt
    if (now >= dueAt) due.push({ kind: 'first_contact_breached', dueAt })
  }
  const idleSince = lastTouch(lead)
  if (now.getTime() >= idleSince.getTime() + policy.dormantDays * DAY) {
    return [...due, { kind: 'dormant', idleSince, days: policy.dormantDays }]
  }
  const next = lead.nextFollowUpAt
  if (next && now >= next && (!lead.followUpBreachedAt || lead.followUpBreachedAt < next)) due.push({ kind: 'follow_up_due', dueAt: next })
  return due
}
