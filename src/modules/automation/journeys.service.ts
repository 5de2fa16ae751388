import { and, eq, getTableColumns, isNull, sql, type SQL } from 'drizzle-orm'
import { runAction, type Action } from '../../db/action.js'
import { countWhere, selectPage } from '../../db/list-queries.js'
import { Keyset, type PageRequest } from '../../db/paging.js'
import { rows } from '../../db/rows.js'
import { journeyEnrollments as enrollments, journeys, journeyStepRuns, journeyVersions } from '../../db/schema/journeys.js'
import { CrmError, notFound, staleVersion } from '../../errors.js'
import type { JourneyDefinition } from '../../rules/journey-definition.js'
import { actionContext, type Actor } from '../auth/actor.js'
import { authorize } from '../auth/permissions.js'
import { reachFilter } from '../auth/reach.js'
import { asTaken } from '../common/unique.js'
import { isUuid, parse } from '../common/validate.js'
import type { ServiceDeps } from '../service-deps.js'
import { JourneyCreate, JourneyFilter, JourneyUpdate, EnrollmentFilter } from './journeys.schemas.js'
import { assertDefinition } from './journeys.validate.js'
import { baselineAudience } from './journey-triggers.js'
import { enrollmentView, journeyView, stepRunView, type JourneyRow, type JourneyView, type StepCounts } from './journeys.views.js'

type Status = JourneyRow['status']
/** Which status each transition leaves from. */
const transitions: Record<'activate' | 'pause' | 'archive', { to: Status; from: Status[] }> = {
  activate: { to: 'active', from: ['draft', 'paused'] },
  pause: { to: 'paused', from: ['active'] },
  archive: { to: 'archived', from: ['draft', 'active', 'paused'] }
}

const definitionOf = (d: { trigger: unknown; conditions?: unknown; reentry?: unknown; steps: unknown }): JourneyDefinition =>
  ({ trigger: d.trigger, conditions: d.conditions ?? null, reentry: d.reentry ?? null, steps: d.steps }) as JourneyDefinition

/** 营销自动化: journeys, their versions and their enrollments (docs/automation.md). Journeys are campaign work: the campaigns grant reads and writes them. */
export class JourneysService {
  constructor(private readonly deps: ServiceDeps) {}

  private async load(ex: ServiceDeps['db'] | Action['tx'], id: string, lock = false): Promise<{ row: JourneyRow; def: JourneyDefinition } | undefined> {
    if (!isUuid(id)) return undefined
    const q = ex.select().from(journeys).where(and(eq(journeys.id, id), isNull(journeys.deletedAt)))
    const [row] = lock ? await q.for('update') : await q
    if (!row) return undefined
    const [v] = await ex.select().from(journeyVersions).where(and(eq(journeyVersions.journeyId, id), eq(journeyVersions.version, row.currentVersion)))
    return { row, def: v.definition as unknown as JourneyDefinition }
  }

  async get(actor: Actor, id: string): Promise<JourneyView> {
    authorize(actor, 'campaigns', 'read')
    const found = await this.load(this.deps.db, id)
    if (!found) throw notFound('Journey', id)
    return journeyView(found.row, found.def)
  }

  /** Batched read for loaders (JourneyEnrollment.journey): null where unknown. */
  async findMany(actor: Actor, ids: readonly string[]): Promise<(JourneyView | null)[]> {
    authorize(actor, 'campaigns', 'read')
    const wanted = [...new Set(ids.filter(isUuid))]
    const found = wanted.length ? await rows<{ id: string }>(this.deps.db, sql`select id from journeys where deleted_at is null and id = any(${`{${wanted.join(',')}}`}::uuid[])`) : []
    const views = await Promise.all(found.map((r) => this.load(this.deps.db, r.id)))
    const byId = new Map(views.filter((v) => v !== undefined).map((v) => [v!.row.id, journeyView(v!.row, v!.def)]))
    return ids.map((id) => byId.get(id) ?? null)
  }

  /** Newest first, keyset pages. */
  async list(actor: Actor, filter: unknown, page: PageRequest) {
    authorize(actor, 'campaigns', 'read')
    const f = parse(JourneyFilter, filter ?? {})
    const where = [isNull(journeys.deletedAt), f.status ? eq(journeys.status, f.status) : undefined]
    const keyset = new Keyset('createdAt', journeys.createdAt, journeys.id, 'DESC', page)
    const result = keyset.page(await selectPage(this.deps.db, journeys, getTableColumns(journeys), where, keyset))
    const list = result.rows as JourneyRow[]
    const defs = list.length ? await rows<{ journey_id: string; definition: JourneyDefinition }>(this.deps.db, sql`
      select v.journey_id, v.definition from journey_versions v join journeys j on j.id = v.journey_id and j.current_version = v.version
      where j.id = any(${`{${list.map((r) => r.id).join(',')}}`}::uuid[])`) : []
    const byId = new Map(defs.map((d) => [d.journey_id, d.definition]))
    return { ...result, rows: list.map((r) => journeyView(r, byId.get(r.id)!)), count: () => countWhere(this.deps.db, journeys, where) }
  }

  /** A draft journey at version 1. */
  async create(actor: Actor, input: unknown): Promise<JourneyView> {
    const data = parse(JourneyCreate, input)
    authorize(actor, 'campaigns', 'write')
    const def = definitionOf(data)
    return runAction(this.deps.db, actionContext(actor), async (action) => {
      await assertDefinition(action.tx, def)
      const [row] = await action.tx.insert(journeys).values({ name: data.name, description: data.description ?? null, externalId: data.externalId ?? null })
        .returning().catch((err: unknown) => { throw asTaken(err, 'journey') })
      await action.tx.insert(journeyVersions).values({ journeyId: row.id, version: 1, definition: def as unknown as Record<string, unknown> })
      const view = journeyView(row, def)
      action.audit({ action: 'journey.created', entityType: 'journey', entityId: row.id, changes: view })
      action.emit({ type: 'journey.created', entityType: 'journey', entityId: row.id, data: { journey: view } })
      return view
    })
  }

  /**
   * Changes a journey. A draft's definition is replaced; an active or paused journey's
   * becomes a new version (new enrollments start on it; running ones finish on theirs).
   */
  async update(actor: Actor, id: string, input: unknown): Promise<JourneyView> {
    const data = parse(JourneyUpdate, input)
    authorize(actor, 'campaigns', 'write')
    return runAction(this.deps.db, actionContext(actor), async (action) => {
      const found = await this.load(action.tx, id, true)
      if (!found) throw notFound('Journey', id)
      const { row, def: before } = found
      if (data.expectedVersion !== undefined && data.expectedVersion !== row.version) throw staleVersion('Journey', data.expectedVersion, row.version)
      if (row.status === 'archived') throw new CrmError('CRM_ERR_INVALID_TRANSITION', 'status: an archived journey cannot change', [{ field: 'status', message: 'an archived journey cannot change', code: 'ARCHIVED' }])
      const def = definitionOf({
        trigger: data.trigger ?? before.trigger, conditions: data.conditions !== undefined ? data.conditions : before.conditions,
        reentry: data.reentry !== undefined ? data.reentry : before.reentry, steps: data.steps ?? before.steps
      })
      const defChanged = JSON.stringify(def) !== JSON.stringify(definitionOf(before))
      if (defChanged) await assertDefinition(action.tx, def)
      const newVersion = defChanged && row.status !== 'draft'
      const currentVersion = newVersion ? row.currentVersion + 1 : row.currentVersion
      if (newVersion) await action.tx.insert(journeyVersions).values({ journeyId: row.id, version: currentVersion, definition: def as unknown as Record<string, unknown> })
      else if (defChanged) await action.tx.update(journeyVersions).set({ definition: def as unknown as Record<string, unknown> }).where(and(eq(journeyVersions.journeyId, row.id), eq(journeyVersions.version, row.currentVersion)))
      // A new audience is compared from now on: its present members did not just enter it.
      if (newVersion && row.status === 'active' && JSON.stringify(def.trigger) !== JSON.stringify(before.trigger)) await this.baseline(action, row.id, def)
      const [next] = await action.tx.update(journeys).set({
        name: data.name ?? row.name, description: data.description !== undefined ? data.description : row.description,
        externalId: data.externalId !== undefined ? data.externalId : row.externalId, currentVersion, version: row.version + 1, updatedAt: new Date()
      }).where(eq(journeys.id, row.id)).returning().catch((err: unknown) => { throw asTaken(err, 'journey') })
      const view = journeyView(next, def)
      const changes = { currentVersion: { from: row.currentVersion, to: currentVersion }, definitionChanged: defChanged }
      action.audit({ action: 'journey.updated', entityType: 'journey', entityId: row.id, changes })
      action.emit({ type: 'journey.updated', entityType: 'journey', entityId: row.id, data: { journey: view, changes } })
      return view
    })
  }

  private async baseline(action: Action, id: string, def: JourneyDefinition): Promise<void> {
    if (def.trigger.type === 'audience' && !def.trigger.includeExisting) await baselineAudience(action.tx, this.deps.pii, id, def, new Date())
  }

  /** draft|paused → active; active → paused; any but archived → archived (running enrollments exit). */
  async transition(actor: Actor, id: string, op: keyof typeof transitions, expectedVersion?: number): Promise<JourneyView> {
    authorize(actor, 'campaigns', 'write')
    const { to, from } = transitions[op]
    return runAction(this.deps.db, actionContext(actor), async (action) => {
      const found = await this.load(action.tx, id, true)
      if (!found) throw notFound('Journey', id)
      const { row, def } = found
      if (expectedVersion !== undefined && expectedVersion !== row.version) throw staleVersion('Journey', expectedVersion, row.version)
      if (!from.includes(row.status)) {
        throw new CrmError('CRM_ERR_INVALID_TRANSITION', `status: a ${row.status} journey cannot become ${to}`, [{ field: 'status', message: `a ${row.status} journey cannot become ${to}`, code: 'INVALID_TRANSITION' }])
      }
      const now = new Date()
      if (op === 'activate') {
        await assertDefinition(action.tx, def)
        if (row.status === 'draft') await this.baseline(action, row.id, def)
      }
      if (op === 'archive') {
        await action.tx.update(enrollments).set({ status: 'exited', exitReason: 'journey_archived', finishedAt: now, stepKey: null, dueAt: null })
          .where(and(eq(enrollments.journeyId, row.id), eq(enrollments.status, 'active')))
      }
      const [next] = await action.tx.update(journeys).set({ status: to, version: row.version + 1, updatedAt: now, ...(op === 'activate' ? { activatedAt: now } : {}) })
        .where(eq(journeys.id, row.id)).returning()
      const view = journeyView(next, def)
      action.audit({ action: `journey.${op === 'activate' ? 'activated' : op === 'pause' ? 'paused' : 'archived'}`, entityType: 'journey', entityId: row.id, changes: { status: { from: row.status, to } } })
      action.emit({ type: `journey.${op === 'activate' ? 'activated' : op === 'pause' ? 'paused' : 'archived'}`, entityType: 'journey', entityId: row.id, data: { journey: view, from: row.status } })
      return view
    })
  }

  /** Enrollments newest first; staff whose customer reach is their team's see their team's customers' only. */
  async enrollments(actor: Actor, filter: unknown, page: PageRequest) {
    authorize(actor, 'campaigns', 'read')
    const reach = authorize(actor, 'customers', 'read')
    const f = parse(EnrollmentFilter, filter ?? {})
    const scope = reachFilter(actor, reach, { owner: sql`(select c.owner_id from customers c where c.id = ${enrollments.customerId})` })
    const where: (SQL | undefined)[] = [
      f.journeyId ? eq(enrollments.journeyId, f.journeyId) : undefined, f.customerId ? eq(enrollments.customerId, f.customerId) : undefined,
      f.status ? eq(enrollments.status, f.status) : undefined, f.version ? eq(enrollments.version, f.version) : undefined, scope
    ]
    const keyset = new Keyset('enteredAt', enrollments.enteredAt, enrollments.id, 'DESC', page)
    const result = keyset.page(await selectPage(this.deps.db, enrollments, getTableColumns(enrollments), where, keyset))
    return { ...result, rows: result.rows.map((r) => enrollmentView(r as typeof enrollments.$inferSelect)), count: () => countWhere(this.deps.db, enrollments, where) }
  }

  /** The step runs of several enrollments (JourneyEnrollment.steps), oldest first. */
  async stepRuns(actor: Actor, enrollmentIds: readonly string[]) {
    authorize(actor, 'campaigns', 'read')
    const ids = enrollmentIds.filter(isUuid)
    const found = ids.length ? await rows<typeof journeyStepRuns.$inferSelect & Record<string, unknown>>(this.deps.db, sql`
      select seq, step_key as "stepKey", step_type as "stepType", outcome, reason, detail, ran_at as "ranAt", enrollment_id as "enrollmentId"
      from journey_step_runs where enrollment_id = any(${`{${ids.join(',')}}`}::uuid[]) order by enrollment_id, seq`) : []
    return enrollmentIds.map((id) => found.filter((r) => r.enrollmentId === id).map((r) => stepRunView({ ...r, ranAt: new Date(r.ranAt) })))
  }

  /** Per version and step: how many entered it and how each run ended. */
  async stepCounts(actor: Actor, journeyIds: readonly string[]): Promise<StepCounts[][]> {
    authorize(actor, 'campaigns', 'read')
    const ids = journeyIds.filter(isUuid)
    const found = ids.length ? await rows<StepCounts & { journeyId: string }>(this.deps.db, sql`
      select journey_id as "journeyId", version, step_key as "stepKey", min(step_type) as "stepType", count(*)::int as entered,
        (count(*) filter (where outcome = 'completed'))::int as completed, (count(*) filter (where outcome = 'skipped'))::int as skipped,
        (count(*) filter (where outcome = 'held'))::int as held, (count(*) filter (where outcome = 'capped'))::int as capped,
        (count(*) filter (where outcome = 'blocked'))::int as blocked, (count(*) filter (where outcome = 'failed'))::int as failed
      from journey_step_runs where journey_id = any(${`{${ids.join(',')}}`}::uuid[])
      group by journey_id, version, step_key order by journey_id, version, step_key`) : []
    return journeyIds.map((id) => found.filter((r) => r.journeyId === id).map(({ journeyId: _j, ...c }) => c))
  }
}
