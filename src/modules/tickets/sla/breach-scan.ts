import { runAction, type Action } from '../../../db/action.js'
import { tasks } from '../../../db/schema/tasks.js'
import { activeStatuses } from '../../../rules/ticket-status.js'
import { actionContext, systemActor } from '../../auth/actor.js'
import type { ServiceDeps } from '../../service-deps.js'
import { breachScanQueries as q, type BreachedTicket, type SlaClock } from './breach-scan.queries.js'

export type BreachScanResult = {
  firstResponseBreaches: number
  resolutionBreaches: number
  /** Breaches that got a task for a manager. */
  escalated: number
  /** Breaches recorded and announced but with no task: no active manager in the assignee's or the queue's team. */
  unescalated: number
  /** Breaches of tickets already resolved or closed when found: recorded and announced, not escalated. */
  alreadyStopped: number
  batches: number
}

export const SLA_TASK_ORIGIN = 'ticket_sla'
/** Clocks marked per transaction: 100,000 breaches are 100 commits, not one giant transaction. */
export const BREACH_BATCH = 1000
const clocks: readonly SlaClock[] = ['first_response', 'resolution']
const label: Record<SlaClock, string> = { first_response: 'first response', resolution: 'resolution' }

/**
 * One pass of the breach scan as of `now`: every running clock past its due time is marked
 * breached exactly once (several processes may scan at once), announced as
 * `ticket.sla_breached`, and escalated to a manager as a task, in batches of `batchSize`,
 * each batch one transaction with its audit entries and events.
 */
export async function breachScan(deps: ServiceDeps, now: Date, batchSize = BREACH_BATCH): Promise<BreachScanResult> {
  const result: BreachScanResult = { firstResponseBreaches: 0, resolutionBreaches: 0, escalated: 0, unescalated: 0, alreadyStopped: 0, batches: 0 }
  for (const clock of clocks) {
    for (;;) {
      const batch = await runAction(deps.db, actionContext(systemActor), (action) => markAndEscalate(action, clock, now, batchSize))
      if (batch.marked === 0) break
      result.batches++
      result[clock === 'first_response' ? 'firstResponseBreaches' : 'resolutionBreaches'] += batch.marked
      result.escalated += batch.escalated
      result.unescalated += batch.unescalated
      result.alreadyStopped += batch.alreadyStopped
      // Fewer than a batch: what remains is locked by another scan, which handles it.
      if (batch.marked < batchSize) break
    }
  }
  return result
}

async function markAndEscalate(action: Action, clock: SlaClock, now: Date, batchSize: number) {
  const { tx } = action
  const breached = await q.markBatch(tx, clock, now, batchSize)
  const counts = { marked: breached.length, escalated: 0, unescalated: 0, alreadyStopped: 0 }
  if (breached.length === 0) return counts
  const working = breached.filter((b) => activeStatuses.has(b.status))
  const managers = await managersFor(action, working)
  const escalating = working.filter((b) => managers.has(b.id))
  const taskRows = escalating.map((b) => ({
    title: `SLA breached (${label[clock]}): ${b.subject}`.slice(0, 300),
    description: `Ticket ${b.id}: the ${label[clock]} was due by ${b.dueAt.toISOString()} (priority ${b.priority}).`,
    dueAt: now, priority: b.priority === 'urgent' ? 'urgent' as const : 'high' as const, origin: SLA_TASK_ORIGIN,
    assigneeId: managers.get(b.id)!, customerId: b.customerId
  }))
  const created = taskRows.length > 0 ? await tx.insert(tasks).values(taskRows).returning() : []
  const taskOf = new Map<string, string>()
  created.forEach((task, i) => {
    taskOf.set(escalating[i].id, task.id)
    const { deletedAt: _d, ...view } = task
    action.audit({ action: 'task.created', entityType: 'task', entityId: task.id, changes: view })
    action.emit({ type: 'task.created', entityType: 'task', entityId: task.id, data: { task: view } })
  })
  for (const b of breached) {
    const data = {
      id: b.id, customerId: b.customerId, clock, dueAt: b.dueAt, breachedAt: now, assigneeId: b.assigneeId, queueTeamId: b.queueTeamId,
      priority: b.priority, status: b.status, managerId: managers.get(b.id) ?? null, taskId: taskOf.get(b.id) ?? null
    }
    action.audit({ action: 'ticket.sla_breached', entityType: 'ticket', entityId: b.id, changes: data })
    action.emit({ type: 'ticket.sla_breached', entityType: 'ticket', entityId: b.id, data })
    if (!activeStatuses.has(b.status)) counts.alreadyStopped++
    else if (taskOf.has(b.id)) counts.escalated++
    else counts.unescalated++
  }
  return counts
}

/**
 * Who hears of each breach: an active manager of the assignee's team (another than the
 * assignee when the team has one), else of the ticket's queue team. Tickets with neither
 * are absent from the map.
 */
async function managersFor(action: Action, breached: BreachedTicket[]): Promise<Map<string, string>> {
  const assignees = [...new Set(breached.map((b) => b.assigneeId).filter((id): id is string => id !== null))]
  const teamOf = await q.teamsOf(action.tx, assignees)
  const teams = new Set<string>()
  for (const b of breached) {
    const team = b.assigneeId ? teamOf.get(b.assigneeId) : null
    if (team) teams.add(team)
    if (b.queueTeamId) teams.add(b.queueTeamId)
  }
  const managers = await q.managersOf(action.tx, [...teams])
  const out = new Map<string, string>()
  for (const b of breached) {
    const team = b.assigneeId ? teamOf.get(b.assigneeId) ?? null : null
    const pick = (teamId: string | null) => {
      const list = teamId ? managers.get(teamId) ?? [] : []
      return list.find((id) => id !== b.assigneeId) ?? list[0]
    }
    const manager = pick(team) ?? pick(b.queueTeamId)
    if (manager) out.set(b.id, manager)
  }
  return out
}
