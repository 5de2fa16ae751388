import type { SQL } from 'drizzle-orm'
import { runAction, type Action } from '../../db/action.js'
import type { Executor } from '../../db/client.js'
import { Keyset, type PageRequest } from '../../db/paging.js'
import { leads } from '../../db/schema/leads.js'
import { CrmError, invalid, notFound, staleVersion } from '../../errors.js'
import { decideLeadTransition, marksFirstContact } from '../../rules/lead-status.js'
import { actionContext, type Actor } from '../auth/actor.js'
import { authorize, type Reach } from '../auth/permissions.js'
import { reachFilter } from '../auth/reach.js'
import { changedFields, withContactChanges } from '../common/changes.js'
import { assertAssignable } from '../common/owners.js'
import { isUuid, parse } from '../common/validate.js'
import { CustomersService, type Customer } from '../customers/customers.service.js'
import { OpportunitiesService, type Opportunity } from '../opportunities/opportunities.service.js'
import { referralOnLeadStatus } from '../referrals/referral-progress.js'
import type { ServiceDeps } from '../service-deps.js'
import { recordAssignment, slaColumns, slaColumnsOf } from './leads.assignment.js'
import { convertLocked } from './leads.conversion.js'
import { followUpScan, type FollowUpScanResult } from './leads.follow-up.js'
import { createReferralLead, recordRouting, routeCreatedLead, type ReferralLeadInput } from './leads.intake.js'
import { checkReferences, insertUnique, updateUnique } from './leads.integrity.js'
import { leadConditions, leadsRepository as repo, type LeadHistoryRow, type LeadInsert, type LeadRow } from './leads.repository.js'
import { LeadAssign, LeadConvert, LeadCreate, LeadFilter, LeadStatusChange, LeadUpdate, type LeadOrderField } from './leads.schemas.js'
import { auditedFields, leadAuditView, leadColumns, leadView, type Lead } from './leads.views.js'
import { refuseErased } from '../privacy/erasure-tombstones.js'

export type { Lead, LeadRow, ReferralLeadInput }
export type LeadHistoryEntry = LeadHistoryRow
export type LeadOrder = { field: LeadOrderField; direction: 'ASC' | 'DESC' }

const orderColumns = { createdAt: leads.createdAt, updatedAt: leads.updatedAt, name: leads.name }

export class LeadsService {
  private readonly related: { customers: CustomersService; opportunities: OpportunitiesService }

  constructor(private readonly deps: ServiceDeps) {
    this.related = { customers: new CustomersService(deps), opportunities: new OpportunitiesService(deps) }
  }

  /** The filter that hides leads outside the actor's reach (unowned leads only for 'all' reach). */
  scope(actor: Actor, op: 'read' | 'write' = 'read'): SQL | undefined {
    return reachFilter(actor, authorize(actor, 'leads', op), { owner: leads.ownerId })
  }

  /** One lead the actor may see, or NOT_FOUND (never a hint that it exists). */
  async get(actor: Actor, id: string): Promise<Lead> {
    const scope = this.scope(actor)
    const row = isUuid(id) ? await repo.byId(this.deps.db, id, scope) : undefined
    if (!row) throw notFound('Lead', id)
    return this.toView(actor, row)
  }

  /** Batched read for loaders: leads by id, in the order asked, null where unseen. */
  async findMany(actor: Actor, ids: readonly string[]): Promise<(Lead | null)[]> {
    const rows = await repo.byIds(this.deps.db, ids.filter(isUuid), this.scope(actor))
    const byId = new Map(rows.map((r) => [r.id, this.toView(actor, r)]))
    return ids.map((id) => byId.get(id) ?? null)
  }

  /** A keyset page of the leads the actor may see; `count` runs only if called. */
  async list(actor: Actor, filter: unknown, order: LeadOrder, page: PageRequest) {
    const scope = this.scope(actor)
    const where = leadConditions(parse(LeadFilter, filter ?? {}), this.deps.pii)
    if (scope) where.push(scope)
    const keyset = new Keyset(order.field, orderColumns[order.field], leads.id, order.direction, page)
    const result = keyset.page(await repo.page(this.deps.db, where, keyset))
    return { ...result, rows: result.rows.map((r) => this.toView(actor, r as LeadRow)), count: () => repo.count(this.deps.db, where) }
  }

  /** Assignment and status history of many leads at once (one query), oldest entry first. */
  async historyOf(actor: Actor, leadIds: readonly string[]): Promise<LeadHistoryEntry[][]> {
    const rows = await repo.historyOf(this.deps.db, leadIds.filter(isUuid), this.scope(actor))
    const byLead = new Map<string, LeadHistoryEntry[]>()
    for (const r of rows) byLead.set(r.leadId, [...(byLead.get(r.leadId) ?? []), r])
    return leadIds.map((id) => byLead.get(id) ?? [])
  }

  /**
   * Creates a lead in status new. The owner: the one named; none when `ownerId` is null (the
   * pool); else the caller's user; else (an integration key, a key without a user) the
   * assignment rules decide, as for a referral's lead (docs/lead-routing.md).
   */
  async create(actor: Actor, input: unknown): Promise<Lead> {
    const reach = authorize(actor, 'leads', 'write')
    const data = parse(LeadCreate, input)
    return runAction(this.deps.db, actionContext(actor), async (action) => {
      const { tx, audit, emit } = action
      const routed = data.ownerId === undefined && !actor.userId
      const chosen = data.ownerId !== undefined ? data.ownerId : actor.userId
      if (chosen) await assertAssignable(tx, actor, reach, chosen)
      else if (!routed && reach !== 'all') throw invalid('ownerId', 'is required', 'REQUIRED')
      await checkReferences(tx, actor, data)
      const { ownerId: _o, ...rest } = data
      const now = new Date()
      const columns = leadColumns(this.deps.pii, rest)
      const route = routed ? await routeCreatedLead(tx, data, actor.teamId) : null
      const ownerId = route ? route.decision.ownerId : chosen
      const clock = { firstContactedAt: null, nextFollowUpAt: columns.nextFollowUpAt ?? null }
      const sla = route ? (ownerId ? slaColumnsOf(route.policy, clock, now) : {}) : await slaColumns(tx, { source: data.source, ...clock }, ownerId, now)
      const row = await insertUnique(tx, { ...columns, ...sla, source: data.source, name: data.name, ownerId, assignedAt: ownerId ? now : null })
      await repo.addHistory(tx, { leadId: row.id, kind: 'created', toStatus: row.status, toOwnerId: ownerId, actorId: actor.userId, ...(route ? { at: now } : {}) })
      audit({ action: 'lead.created', entityType: 'lead', entityId: row.id, changes: leadAuditView(row) })
      emit({ type: 'lead.created', entityType: 'lead', entityId: row.id, data: { lead: leadAuditView(row) } })
      if (route) await recordRouting(action, row, route.decision, now)
      else if (ownerId) await recordAssignment(action, row, null, ownerId, { reason: null, actorId: actor.userId })
      return this.toView(actor, row)
    })
  }

  /**
   * A referral became `submitted`: creates its lead (source `referral`) inside the
   * referral's own transaction, routes it and sets its follow-up times. Returns the row.
   */
  async createFromReferral(action: Action, input: ReferralLeadInput, now: Date): Promise<LeadRow> {
    return createReferralLead(action, input, now)
  }

  /** Changes the given fields (never status or owner); with expectedVersion, refuses a stale write. */
  async update(actor: Actor, id: string, input: unknown): Promise<Lead> {
    return this.applyUpdate(actor, id, parse(LeadUpdate, input), false)
  }

  /**
   * PUT by the caller's externalId: creates the lead, or sets the given fields on the one
   * that has it (reviving it if deleted; a different ownerId reassigns it). Concurrent upserts converge.
   */
  async upsertByExternalId(actor: Actor, externalId: string, input: unknown): Promise<{ lead: Lead; created: boolean }> {
    authorize(actor, 'leads', 'write')
    const data = parse(LeadCreate, { ...(input as object), externalId })
    // An erased person does not come back by their old externalId (docs/privacy.md, Erasure).
    await refuseErased(this.deps.db, this.deps.pii, 'lead', externalId)
    for (let attempt = 0; ; attempt++) {
      const existing = await repo.byExternalId(this.deps.db, externalId)
      if (existing) return { lead: await this.applyUpdate(actor, existing.id, data, true), created: false }
      try {
        return { lead: await this.create(actor, data), created: true }
      } catch (err) {
        // Lost a race with a concurrent upsert of the same externalId: update that one.
        if (attempt > 0 || !(err instanceof CrmError && err.code === 'CRM_ERR_CONFLICT')) throw err
      }
    }
  }

  /** Hands the lead to another owner (or back to the pool with null); the same owner is a no-op. */
  async assign(actor: Actor, id: string, input: unknown): Promise<Lead> {
    const reach = authorize(actor, 'leads', 'write')
    const data = parse(LeadAssign, input)
    return runAction(this.deps.db, actionContext(actor), async (action) => {
      const before = await this.lockForWrite(action.tx, actor, id, data.expectedVersion)
      if (before.ownerId === data.ownerId) return this.toView(actor, before)
      const values = await this.reassign(action, actor, reach, before, data.ownerId, data.reason ?? null)
      return this.toView(actor, (await repo.update(action.tx, id, values))!)
    })
  }

  /** Moves the lead along its status table (src/rules/lead-status.ts); converted only by conversion. */
  async changeStatus(actor: Actor, id: string, input: unknown): Promise<Lead> {
    authorize(actor, 'leads', 'write')
    const data = parse(LeadStatusChange, input)
    return runAction(this.deps.db, actionContext(actor), async (action) => {
      const { tx, audit, emit } = action
      const before = await this.lockForWrite(tx, actor, id, data.expectedVersion)
      if (before.status === data.status) return this.toView(actor, before)
      const reason = data.reason?.trim() || null
      const decision = decideLeadTransition({ from: before.status, to: data.status, via: 'status_update', reason })
      if (!decision.allowed) {
        if (decision.code === 'REASON_REQUIRED') throw invalid('reason', decision.reason, 'REQUIRED')
        throw new CrmError('CRM_ERR_INVALID_TRANSITION', decision.reason, [{ field: 'status', message: decision.reason, code: 'INVALID_TRANSITION' }])
      }
      const after = (await repo.update(tx, id, {
        status: data.status, statusReason: reason,
        ...(marksFirstContact.has(data.status) && !before.firstContactedAt ? { firstContactedAt: new Date() } : {})
      }))!
      await repo.addHistory(tx, { leadId: id, kind: 'status_changed', fromStatus: before.status, toStatus: data.status, reason, actorId: actor.userId })
      const change = { id, from: before.status, to: data.status, reason, version: after.version }
      audit({ action: 'lead.status_changed', entityType: 'lead', entityId: id, changes: { status: { from: before.status, to: data.status }, statusReason: reason } })
      emit({ type: 'lead.status_changed', entityType: 'lead', entityId: id, data: change })
      await referralOnLeadStatus(action, after, data.status, new Date())
      return this.toView(actor, after)
    })
  }

  /**
   * Turns a qualified lead into a customer (new from its data, or an existing one) and,
   * unless told not to, an opportunity, in one transaction; the referral follows.
   */
  async convert(actor: Actor, id: string, input: unknown): Promise<{ lead: Lead; customer: Customer; opportunity: Opportunity | null }> {
    authorize(actor, 'leads', 'write')
    const data = parse(LeadConvert, input ?? {})
    return runAction(this.deps.db, actionContext(actor), async (action) => {
      const before = await this.lockForWrite(action.tx, actor, id, data.expectedVersion)
      const done = await convertLocked(this.deps, this.related, action, actor, before, data, new Date())
      return { ...done, lead: this.toView(actor, done.lead) }
    })
  }

  /** One pass of the follow-up policy as of `now` (the lead-follow-up-scan job; tests time-travel it). */
  followUpScan(now: Date): Promise<FollowUpScanResult> {
    return followUpScan(this.deps, now)
  }

  /** Soft delete: the lead leaves every list but its history stays. */
  async delete(actor: Actor, id: string, expectedVersion?: number): Promise<{ id: string }> {
    authorize(actor, 'leads', 'write')
    return runAction(this.deps.db, actionContext(actor), async ({ tx, audit }) => {
      await this.lockForWrite(tx, actor, id, expectedVersion)
      await repo.update(tx, id, { deletedAt: new Date() })
      audit({ action: 'lead.deleted', entityType: 'lead', entityId: id })
      return { id }
    })
  }

  toView(actor: Actor, row: LeadRow): Lead {
    return leadView(this.deps.pii, actor, row)
  }

  private async applyUpdate(actor: Actor, id: string, data: LeadUpdate & { ownerId?: string | null }, revive: boolean): Promise<Lead> {
    const reach = authorize(actor, 'leads', 'write')
    return runAction(this.deps.db, actionContext(actor), async (action) => {
      const { tx, audit, emit } = action
      const before = await this.lockForWrite(tx, actor, id, data.expectedVersion, revive)
      await checkReferences(tx, actor, data, before)
      const { ownerId, ...fields } = data
      const owner = ownerId !== undefined && ownerId !== before.ownerId ? await this.reassign(action, actor, reach, before, ownerId, null) : {}
      const after = await updateUnique(tx, id, { ...leadColumns(this.deps.pii, fields), ...owner, ...(revive ? { deletedAt: null } : {}) })
      const changes = withContactChanges(changedFields(leadAuditView(before), leadAuditView(after), auditedFields), before, after)
      if (Object.keys(changes).length > 0) {
        audit({ action: 'lead.updated', entityType: 'lead', entityId: id, changes })
        emit({ type: 'lead.updated', entityType: 'lead', entityId: id, data: { id, version: after.version, changes } })
      }
      return this.toView(actor, after)
    })
  }

  /** The locked lead inside the actor's write reach, at the expected version, or NOT_FOUND / STALE_VERSION. */
  private async lockForWrite(tx: Executor, actor: Actor, id: string, expectedVersion?: number, includeDeleted = false): Promise<LeadRow> {
    const before = isUuid(id) ? await repo.lock(tx, id, this.scope(actor, 'write'), includeDeleted) : undefined
    if (!before) throw notFound('Lead', id)
    if (expectedVersion !== undefined && before.version !== expectedVersion) throw staleVersion('Lead', expectedVersion, before.version)
    return before
  }

  /** Checks the new owner, records the assignment; returns the columns to set. */
  private async reassign(action: Action, actor: Actor, reach: Reach, before: LeadRow, ownerId: string | null, reason: string | null): Promise<Partial<LeadInsert>> {
    if (ownerId) await assertAssignable(action.tx, actor, reach, ownerId)
    else if (reach !== 'all') throw invalid('ownerId', 'cannot be cleared', 'REQUIRED')
    await recordAssignment(action, before, before.ownerId, ownerId, { reason, actorId: actor.userId })
    // A new owner gets a fresh first-contact deadline (unless already contacted).
    const now = new Date()
    return { ownerId, assignedAt: ownerId ? now : null, ...(await slaColumns(action.tx, before, ownerId, now)) }
  }
}
