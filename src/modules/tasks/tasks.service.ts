import type { SQL } from 'drizzle-orm'
import { runAction } from '../../db/action.js'
import type { Tx } from '../../db/client.js'
import { Keyset, type PageRequest } from '../../db/paging.js'
import { tasks } from '../../db/schema/tasks.js'
import { CrmError, invalid, notFound, staleVersion } from '../../errors.js'
import { resolveSubjects } from '../activities/activities.subjects.js'
import { actionContext, type Actor } from '../auth/actor.js'
import { authorize } from '../auth/permissions.js'
import { reachFilter } from '../auth/reach.js'
import { changedFields } from '../common/changes.js'
import { assertAssignable } from '../common/owners.js'
import { asTaken } from '../common/unique.js'
import { isUuid, parse } from '../common/validate.js'
import type { ServiceDeps } from '../service-deps.js'
import { taskConditions, tasksRepository as repo, type TaskInsert, type TaskRow } from './tasks.repository.js'
import { TaskComplete, TaskCreate, TaskFilter, TaskUpdate, type TaskOrderField } from './tasks.schemas.js'

export type Task = ReturnType<TasksService['toView']>
export type TaskOrder = { field: TaskOrderField; direction: 'ASC' | 'DESC' }

const orderColumns = { createdAt: tasks.createdAt, updatedAt: tasks.updatedAt }
const auditedFields = ['title', 'description', 'dueAt', 'priority', 'assigneeId'] as const

/** Follow-ups: who must do what, on which record, by when. */
export class TasksService {
  constructor(private readonly deps: ServiceDeps) {}

  /** Sales see tasks assigned to themselves or their team. */
  scope(actor: Actor, op: 'read' | 'write' = 'read'): SQL | undefined {
    return reachFilter(actor, authorize(actor, 'tasks', op), { owner: tasks.assigneeId })
  }

  /** One task the actor may see, or NOT_FOUND. */
  async get(actor: Actor, id: string): Promise<Task> {
    const row = isUuid(id) ? await repo.byId(this.deps.db, id, this.scope(actor)) : undefined
    if (!row) throw notFound('Task', id)
    return this.toView(row)
  }

  /** A keyset page of the tasks the actor may see; `overdue` is judged as of now. */
  async list(actor: Actor, filter: unknown, order: TaskOrder, page: PageRequest) {
    const scope = this.scope(actor)
    const where = taskConditions(parse(TaskFilter, filter ?? {}), new Date())
    if (scope) where.push(scope)
    const keyset = new Keyset(order.field, orderColumns[order.field], tasks.id, order.direction, page)
    const result = keyset.page(await repo.page(this.deps.db, where, keyset))
    return { ...result, rows: result.rows.map((r) => this.toView(r as TaskRow)), count: () => repo.count(this.deps.db, where) }
  }

  /** Creates a task for the caller (or an assignee they may hand work to), on at most one record. */
  async create(actor: Actor, input: unknown): Promise<Task> {
    const reach = authorize(actor, 'tasks', 'write')
    const data = parse(TaskCreate, input)
    const subjects = [data.customerId, data.leadId, data.opportunityId, data.referrerId].filter(Boolean)
    if (subjects.length > 1) throw invalid('customerId', 'name at most one of customerId, leadId, opportunityId or referrerId', 'ONE_SUBJECT')
    return runAction(this.deps.db, actionContext(actor), async ({ tx, audit, emit }) => {
      await resolveSubjects(tx, actor, data)
      const assigneeId = data.assigneeId !== undefined ? data.assigneeId : actor.userId
      if (assigneeId) await assertAssignable(tx, actor, reach, assigneeId, 'assigneeId')
      else if (reach !== 'all') throw invalid('assigneeId', 'is required', 'REQUIRED')
      let row: TaskRow
      try {
        row = await repo.insert(tx, {
          title: data.title, description: data.description ?? null, dueAt: data.dueAt ? new Date(data.dueAt) : null,
          priority: data.priority ?? 'normal', assigneeId, externalId: data.externalId ?? null,
          customerId: data.customerId ?? null, leadId: data.leadId ?? null, opportunityId: data.opportunityId ?? null, referrerId: data.referrerId ?? null
        })
      } catch (err) { throw asTaken(err, 'task') }
      const view = this.toView(row)
      audit({ action: 'task.created', entityType: 'task', entityId: row.id, changes: this.auditView(row) })
      emit({ type: 'task.created', entityType: 'task', entityId: row.id, data: { task: this.auditView(row) } })
      return view
    })
  }

  /** Changes an open task; with expectedVersion, refuses a stale write. */
  async update(actor: Actor, id: string, input: unknown): Promise<Task> {
    const reach = authorize(actor, 'tasks', 'write')
    const { expectedVersion, dueAt, ...data } = parse(TaskUpdate, input)
    return this.change(actor, id, expectedVersion, async (tx, before) => {
      if (data.assigneeId && data.assigneeId !== before.assigneeId) await assertAssignable(tx, actor, reach, data.assigneeId, 'assigneeId')
      if (data.assigneeId === null && reach !== 'all') throw invalid('assigneeId', 'cannot be cleared', 'REQUIRED')
      return { ...data, ...(dueAt !== undefined ? { dueAt: dueAt ? new Date(dueAt) : null } : {}) }
    }, 'task.updated')
  }

  /** Marks an open task done, by the caller, with an optional note. */
  async complete(actor: Actor, id: string, input: unknown = {}): Promise<Task> {
    authorize(actor, 'tasks', 'write')
    const { note } = parse(TaskComplete, input)
    return this.change(actor, id, undefined, async () => ({
      status: 'done', completedAt: new Date(), completedById: actor.userId, completionNote: note ?? null
    }), 'task.completed')
  }

  /** Withdraws an open task: it no longer counts as due. */
  async cancel(actor: Actor, id: string): Promise<Task> {
    authorize(actor, 'tasks', 'write')
    return this.change(actor, id, undefined, async () => ({ status: 'cancelled' }), 'task.cancelled')
  }

  /** Locks an open task in reach, applies the change, audits and emits it. */
  private async change(
    actor: Actor, id: string, expectedVersion: number | undefined,
    values: (tx: Tx, before: TaskRow) => Promise<Partial<TaskInsert>>,
    action: 'task.updated' | 'task.completed' | 'task.cancelled'
  ): Promise<Task> {
    return runAction(this.deps.db, actionContext(actor), async ({ tx, audit, emit }) => {
      const before = isUuid(id) ? await repo.lock(tx, id, this.scope(actor, 'write')) : undefined
      if (!before) throw notFound('Task', id)
      if (expectedVersion !== undefined && before.version !== expectedVersion) throw staleVersion('Task', expectedVersion, before.version)
      if (before.status !== 'open') throw new CrmError('CRM_ERR_INVALID_TRANSITION', `Task is already ${before.status}`, [{ field: null, message: `the task is already ${before.status}`, code: 'INVALID_TRANSITION' }])
      const after = await repo.update(tx, id, await values(tx, before))
      const changes = changedFields(this.auditView(before), this.auditView(after), [...auditedFields, 'status', 'completionNote'])
      audit({ action, entityType: 'task', entityId: id, changes })
      emit({ type: action, entityType: 'task', entityId: id, data: { id, version: after.version, status: after.status, changes } })
      return this.toView(after)
    })
  }

  toView(row: TaskRow, now = new Date()) {
    const { deletedAt: _d, ...rest } = row
    return { ...rest, overdue: row.status === 'open' && row.dueAt !== null && row.dueAt < now }
  }

  private auditView(row: TaskRow) {
    const { deletedAt: _d, ...rest } = row
    return rest
  }
}
