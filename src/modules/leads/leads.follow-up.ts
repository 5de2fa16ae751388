import { runAction, type Action } from '../../db/action.js'
import { defaultFollowUpPolicy, DEFAULT_SOURCE, dueFollowUpActions, type FollowUpAction } from '../../rules/follow-up.js'
import { decideLeadTransition } from '../../rules/lead-status.js'
import { actionContext, systemActor } from '../auth/actor.js'
import { referralOnLeadStatus } from '../referrals/referral-progress.js'
import { routingRepository } from '../routing/routing.repository.js'
import { followUpPolicyFor } from '../routing/routing.router.js'
import type { ServiceDeps } from '../service-deps.js'
import { tasksRepository, type TaskInsert } from '../tasks/tasks.repository.js'
import { followUpQueries as q, type DueKind } from './leads.follow-up.queries.js'
import { leadsRepository as repo, type LeadRow } from './leads.repository.js'

export type FollowUpScanResult = { firstContactBreaches: number; followUpTasks: number; dormant: number; skipped: number }

const BATCH = 200
/** A run stops here; the next run (minutes later) carries on. */
const MAX_PER_RUN = 5000
const DAY = 86_400_000
export const FOLLOW_UP_ORIGIN = 'follow_up_policy'

/**
 * One pass of the follow-up policy as of `now`: every lead with something due gets it,
 * each in its own transaction. Leads another process holds are skipped (SKIP LOCKED) and
 * every action re-checks under the lock, so two processes never act twice on one lead.
 */
export async function followUpScan(deps: ServiceDeps, now: Date): Promise<FollowUpScanResult> {
  const result: FollowUpScanResult = { firstContactBreaches: 0, followUpTasks: 0, dormant: 0, skipped: 0 }
  const dormantBefore = new Date(now.getTime() - (await shortestDormancy(deps)) * DAY)
  let handled = 0
  for (const kind of ['first_contact', 'follow_up', 'dormant'] as DueKind[]) {
    let after: string | null = null
    while (handled < MAX_PER_RUN) {
      const ids = await q.candidates(deps.db, kind, now, dormantBefore, after, BATCH)
      for (const id of ids) {
        const done = await runAction(deps.db, actionContext(systemActor), (action) => handleLead(action, id, now))
        if (done === null) result.skipped++
        for (const a of done ?? []) {
          if (a.kind === 'first_contact_breached') result.firstContactBreaches++
          else if (a.kind === 'follow_up_due') result.followUpTasks++
          else result.dormant++
        }
        handled++
      }
      if (ids.length < BATCH) break
      after = ids[ids.length - 1]
    }
  }
  return result
}

/** Applies what is due on one lead (null when another process holds it). */
async function handleLead(action: Action, id: string, now: Date): Promise<FollowUpAction[] | null> {
  const lead = await q.lockUnlessBusy(action.tx, id)
  if (!lead) return null
  const due = dueFollowUpActions(lead, await followUpPolicyFor(action.tx, lead.source), now)
  let current = lead
  for (const a of due) {
    if (a.kind === 'first_contact_breached') current = await breachFirstContact(action, current, a.dueAt, now)
    else if (a.kind === 'follow_up_due') current = await followUpTask(action, current, a.dueAt, now)
    else current = await goDormant(action, current, a.days, now)
  }
  return due
}

/** A task for the owner's manager, the breach on the lead's history, `lead.sla_breached`. */
async function breachFirstContact(action: Action, lead: LeadRow, dueAt: Date, now: Date): Promise<LeadRow> {
  const managerId = await q.managerOf(action.tx, lead.ownerId!)
  const task = await createTask(action, {
    title: `First contact overdue: ${lead.name}`, description: `First contact was due by ${dueAt.toISOString()} and has not happened.`,
    dueAt: now, priority: 'high', assigneeId: managerId, leadId: lead.id
  })
  const after = (await repo.update(action.tx, lead.id, { firstContactBreachedAt: now }))!
  await repo.addHistory(action.tx, { leadId: lead.id, kind: 'sla_breached', reason: 'first_contact', toOwnerId: lead.ownerId, at: now })
  const data = { id: lead.id, sla: 'first_contact', dueAt, breachedAt: now, ownerId: lead.ownerId, managerId, taskId: task.id }
  action.audit({ action: 'lead.sla_breached', entityType: 'lead', entityId: lead.id, changes: data })
  action.emit({ type: 'lead.sla_breached', entityType: 'lead', entityId: lead.id, data })
  return after
}

/** The follow-up task for the owner, once per due time (followUpBreachedAt). */
async function followUpTask(action: Action, lead: LeadRow, dueAt: Date, now: Date): Promise<LeadRow> {
  await createTask(action, { title: `Follow up: ${lead.name}`, dueAt, priority: 'normal', assigneeId: lead.ownerId, leadId: lead.id })
  return (await repo.update(action.tx, lead.id, { followUpBreachedAt: now }))!
}

/** No activity for the policy's dormancy: the lead moves to dormant by the status table. */
async function goDormant(action: Action, lead: LeadRow, days: number, now: Date): Promise<LeadRow> {
  const decision = decideLeadTransition({ from: lead.status, to: 'dormant', via: 'status_update' })
  if (!decision.allowed) return lead
  const reason = `no activity for ${days} days`
  const after = (await repo.update(action.tx, lead.id, { status: 'dormant', statusReason: reason }))!
  await repo.addHistory(action.tx, { leadId: lead.id, kind: 'status_changed', fromStatus: lead.status, toStatus: 'dormant', reason, at: now })
  const change = { id: lead.id, from: lead.status, to: 'dormant', reason, version: after.version }
  action.audit({ action: 'lead.status_changed', entityType: 'lead', entityId: lead.id, changes: { status: { from: lead.status, to: 'dormant' }, statusReason: reason } })
  action.emit({ type: 'lead.status_changed', entityType: 'lead', entityId: lead.id, data: change })
  await referralOnLeadStatus(action, after, 'dormant', now)
  return after
}

async function createTask(action: Action, values: Omit<TaskInsert, 'origin'>) {
  const row = await tasksRepository.insert(action.tx, { ...values, origin: FOLLOW_UP_ORIGIN })
  const { deletedAt: _d, ...task } = row
  action.audit({ action: 'task.created', entityType: 'task', entityId: row.id, changes: task })
  action.emit({ type: 'task.created', entityType: 'task', entityId: row.id, data: { task } })
  return row
}

/** The fewest days any lead may stay idle: the candidate query's cut-off. */
async function shortestDormancy(deps: ServiceDeps): Promise<number> {
  const active = (await routingRepository.policies(deps.db)).filter((p) => p.active)
  const fallback = active.some((p) => p.source === DEFAULT_SOURCE) ? [] : [defaultFollowUpPolicy.dormantDays]
  return Math.min(...active.map((p) => p.dormantDays), ...fallback)
}
