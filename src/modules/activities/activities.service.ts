import { eq, or, sql, type SQL } from 'drizzle-orm'
import { runAction } from '../../db/action.js'
import { Keyset, type PageRequest } from '../../db/paging.js'
import { activities } from '../../db/schema/activities.js'
import { invalid, notFound } from '../../errors.js'
import { actionContext, type Actor } from '../auth/actor.js'
import { authorize } from '../auth/permissions.js'
import { asTaken } from '../common/unique.js'
import { isUuid, parse } from '../common/validate.js'
import type { ServiceDeps } from '../service-deps.js'
import { activitiesRepository as repo, activityConditions, customerTimeline, listSource, parentColumn, type ActivityRecord, type ParentedActivity } from './activities.repository.js'
import { ActivityFilter, ActivityLog, type ActivityDirection, type ActivityKind, type ActivityOrderField } from './activities.schemas.js'
import { activityScope, customerSeen, customerVisible, resolveSubjects, subjectTables, subjectWithinReach, type SubjectKind } from './activities.subjects.js'

export type Activity = ActivityRecord
export type ActivityOrder = { field: ActivityOrderField; direction: 'ASC' | 'DESC' }

const orderColumns = { occurredAt: activities.occurredAt, createdAt: activities.createdAt }
/** Clocks drift: an activity may be logged a little ahead of the server's time, not more. */
const FUTURE_TOLERANCE_MS = 5 * 60_000
/** A note or an internal exchange is work on a lead, not contact with the person. */
const isContact = (kind: ActivityKind, direction: ActivityDirection) => kind !== 'note' && direction !== 'internal'

function checkFirst(first: number): void {
  if (!Number.isInteger(first) || first < 0 || first > 200) throw invalid('first', 'must be an integer from 0 to 200', 'OUT_OF_RANGE')
}

/** Rows of a latest-per-parent read, grouped per parent in the order asked (the parent id dropped). */
function byParent(ids: readonly string[], rows: ParentedActivity[]): Activity[][] {
  const lists = new Map<string, Activity[]>()
  for (const { parentId, ...row } of rows) {
    const list = lists.get(parentId)
    if (list) list.push(row)
    else lists.set(parentId, [row])
  }
  return ids.map((id) => lists.get(id) ?? [])
}

/** 沟通记录: calls, visits, messages and notes, shared with whoever may see their subject. */
export class ActivitiesService {
  constructor(private readonly deps: ServiceDeps) {}

  /** The filter that hides activities whose subjects lie outside the actor's reach. */
  scope(actor: Actor): SQL | undefined {
    return activityScope(actor, authorize(actor, 'activities', 'read'))
  }

  /** One activity the actor may see, or NOT_FOUND. */
  async get(actor: Actor, id: string): Promise<Activity> {
    const scope = this.scope(actor)
    const row = isUuid(id) ? await repo.byId(this.deps.db, id, scope) : undefined
    if (!row) throw notFound('Activity', id)
    return row
  }

  /** A keyset page (newest first by default) of the activities the actor may see. */
  async list(actor: Actor, filter: unknown, order: ActivityOrder, page: PageRequest) {
    const data = parse(ActivityFilter, filter ?? {})
    // A customer's timeline is shown whole to whoever may see the customer.
    const scope = data.customerId && await customerSeen(this.deps.db, actor, data.customerId) ? undefined : this.scope(actor)
    const where = activityConditions(data)
    if (scope) where.push(scope)
    const source = listSource(data)
    const keyset = new Keyset(order.field, orderColumns[order.field], activities.id, order.direction, page)
    const result = keyset.page(await repo.page(this.deps.db, source, where, keyset))
    return { ...result, count: () => repo.count(this.deps.db, source, where) }
  }

  /**
   * The latest `first` activities of each customer's timeline (its own, its leads',
   * opportunities' and referral's: activities.timeline.ts), for a whole page of customers in
   * one query. Whoever may see the customer sees its whole timeline.
   */
  async forCustomers(actor: Actor, customerIds: readonly string[], first: number): Promise<Activity[][]> {
    checkFirst(first)
    authorize(actor, 'activities', 'read')
    const scope = customerVisible(actor, sql`p.parent_id`)
    const valid = [...new Set(customerIds.filter(isUuid))]
    return byParent(customerIds, await repo.latestPer(this.deps.db, customerTimeline, valid, first, scope))
  }

  /** The same for leads, opportunities or referrers (their `activities` fields): the activities logged on each. */
  async forSubjects(actor: Actor, kind: Exclude<SubjectKind, 'customer'>, ids: readonly string[], first: number): Promise<Activity[][]> {
    checkFirst(first)
    const reach = authorize(actor, 'activities', 'read')
    const column = subjectTables[kind].activityColumn
    const scope = reach === 'all' ? undefined
      : or(actor.userId ? eq(activities.authorId, actor.userId) : undefined, subjectWithinReach(actor, reach, kind, column))
    const valid = [...new Set(ids.filter(isUuid))]
    return byParent(ids, await repo.latestPer(this.deps.db, parentColumn(column), valid, first, scope))
  }

  /** Records a contact or note; on a lead it also moves the lead's activity times (same transaction). */
  async log(actor: Actor, input: unknown): Promise<Activity> {
    authorize(actor, 'activities', 'write')
    const data = parse(ActivityLog, input)
    const occurredAt = data.occurredAt ? new Date(data.occurredAt) : new Date()
    if (occurredAt.getTime() > Date.now() + FUTURE_TOLERANCE_MS) throw invalid('occurredAt', 'is in the future', 'IN_FUTURE')
    if (!data.customerId && !data.leadId && !data.opportunityId && !data.referrerId) {
      throw invalid('customerId', 'name at least one of customerId, leadId, opportunityId or referrerId', 'SUBJECT_REQUIRED')
    }
    const direction = data.direction ?? (data.kind === 'note' ? 'internal' : 'outbound')
    return runAction(this.deps.db, actionContext(actor), async ({ tx, audit, emit }) => {
      const found = await resolveSubjects(tx, actor, data)
      const customerId = this.customerOf(data.customerId ?? null, found.opportunity?.customerId, found.lead?.customerId)
      let row: Activity
      try {
        row = await repo.insert(tx, {
          externalId: data.externalId ?? null, kind: data.kind, direction, subject: data.subject ?? null, body: data.body ?? null,
          occurredAt, durationSeconds: data.durationSeconds ?? null, authorId: actor.userId, customerId,
          leadId: data.leadId ?? null, opportunityId: data.opportunityId ?? null, referrerId: data.referrerId ?? null
        })
      } catch (err) { throw asTaken(err, 'activity') }
      if (row.leadId) await repo.touchLead(tx, row.leadId, occurredAt, isContact(data.kind, direction))
      const summary = this.summary(row)
      audit({ action: 'activity.logged', entityType: 'activity', entityId: row.id, changes: summary })
      emit({ type: 'activity.logged', entityType: 'activity', entityId: row.id, data: { activity: summary } })
      return row
    })
  }

  /** The customer an activity concerns: named directly, or through its opportunity or lead (which must agree). */
  private customerOf(named: string | null, ofOpportunity: string | null | undefined, ofLead: string | null | undefined): string | null {
    const implied = [ofOpportunity, ofLead].filter((id): id is string => !!id)
    const customerId = named ?? implied[0] ?? null
    if (implied.some((id) => id !== customerId)) {
      throw invalid('customerId', 'does not match the customer of the opportunity or lead', 'SUBJECT_MISMATCH')
    }
    return customerId
  }

  /** What audit entries and events carry: not the body, which is long and may hold personal data. */
  private summary(row: Activity) {
    const { body: _b, version: _v, updatedAt: _u, ...rest } = row
    return { ...rest, hasBody: row.body !== null }
  }
}
