import type { SQL } from 'drizzle-orm'
import { runAction, type Action } from '../../db/action.js'
import { Keyset, type PageRequest } from '../../db/paging.js'
import { customers } from '../../db/schema/customers.js'
import { opportunities } from '../../db/schema/opportunities.js'
import { CrmError, invalid, notFound, staleVersion } from '../../errors.js'
import {
  checkProbability, decideStageMove, defaultProbabilities, type OpportunityStage, type ProbabilityTable
} from '../../rules/opportunity-stages.js'
import { actionContext, type Actor } from '../auth/actor.js'
import { authorize } from '../auth/permissions.js'
import { reachFilter } from '../auth/reach.js'
import { relatedRows } from '../common/related-reach.js'
import { changedFields } from '../common/changes.js'
import { assertAssignable } from '../common/owners.js'
import { isUuid, parse } from '../common/validate.js'
import { customersRepository } from '../customers/customers.repository.js'
import { referralOnOpportunityWon } from '../referrals/referral-progress.js'
import { CustomersService } from '../customers/customers.service.js'
import type { ServiceDeps } from '../service-deps.js'
import { asInputError, columns, decided, stageColumns, toStageChange, toView, type Opportunity, type StageChange } from './opportunities.mapping.js'
import { opportunityConditions, opportunitiesRepository as repo, type OpportunityInsert, type OpportunityRow } from './opportunities.repository.js'
import { upsertUpdate } from '../common/unique.js'
import {
  OpportunityCreate, OpportunityFilter, OpportunityUpdate, StageMoveInput, type OpportunityOrderField
} from './opportunities.schemas.js'

export type { Opportunity, StageChange }
export type OpportunityOrder = { field: OpportunityOrderField; direction: 'ASC' | 'DESC' }

type Changes = OpportunityUpdate & { customerId?: string; stage?: OpportunityStage; lostReason?: string | null }

const orderColumns = {
  createdAt: opportunities.createdAt, updatedAt: opportunities.updatedAt, name: opportunities.name, amount: opportunities.amount
}
const auditedFields = [
  'externalId', 'name', 'amount', 'expectedCloseDate', 'ownerId', 'probability', 'leadId', 'campaignId', 'referrerId'
] as const

/** 商机: deals with customers, moved through the pipeline by the stage rule. */
export class OpportunitiesService {
  private readonly customers: CustomersService

  constructor(private readonly deps: ServiceDeps, private readonly probabilities: ProbabilityTable = defaultProbabilities) {
    this.customers = new CustomersService(deps)
  }

  /** The filter that hides opportunities outside the actor's reach (sales: own and team's). */
  scope(actor: Actor, op: 'read' | 'write' = 'read'): SQL | undefined {
    return reachFilter(actor, authorize(actor, 'opportunities', op), { owner: opportunities.ownerId })
  }

  /** One opportunity the actor may see, or NOT_FOUND (never a hint that it exists). */
  async get(actor: Actor, id: string): Promise<Opportunity> {
    const scope = this.scope(actor)
    const row = isUuid(id) ? await repo.byId(this.deps.db, id, scope) : undefined
    if (!row) throw notFound('Opportunity', id)
    return toView(row)
  }

  /** Batched read for loaders: opportunities by id, in the order asked, null where unseen. */
  async findMany(actor: Actor, ids: readonly string[]): Promise<(Opportunity | null)[]> {
    const rows = await repo.byIds(this.deps.db, ids.filter(isUuid), this.scope(actor))
    const byId = new Map(rows.map((r) => [r.id, toView(r)]))
    return ids.map((id) => byId.get(id) ?? null)
  }

  /** A keyset page of the opportunities the actor may see; `count` runs only if called. */
  async list(actor: Actor, filter: unknown, order: OpportunityOrder, page: PageRequest) {
    const scope = this.scope(actor)
    const customerReach = relatedRows(actor, 'customers', (reach) => reachFilter(actor, reach, { owner: customers.ownerId }))
    const where = opportunityConditions(parse(OpportunityFilter, filter ?? {}), customerReach)
    if (scope) where.push(scope)
    const keyset = new Keyset(order.field, orderColumns[order.field], opportunities.id, order.direction, page)
    const result = keyset.page(await repo.page(this.deps.db, where, keyset))
    return { ...result, rows: result.rows.map((r) => toView(r as OpportunityRow)), count: () => repo.count(this.deps.db, where) }
  }

  /** Customer.opportunities: the newest `first` of each customer, for all customers at once (one query). */
  async forCustomers(actor: Actor, requests: readonly { customerId: string; first: number }[]): Promise<Opportunity[][]> {
    for (const { first } of requests) {
      if (!Number.isInteger(first) || first < 0 || first > 200) throw invalid('first', 'must be an integer from 0 to 200', 'OUT_OF_RANGE')
    }
    const ids = [...new Set(requests.map((r) => r.customerId).filter(isUuid))]
    const most = Math.max(0, ...requests.map((r) => r.first))
    const byCustomer = new Map<string, Opportunity[]>()
    for (const row of await repo.latestPerCustomer(this.deps.db, ids, most, this.scope(actor))) {
      const list = byCustomer.get(row.customerId)
      if (list) list.push(toView(row))
      else byCustomer.set(row.customerId, [toView(row)])
    }
    return requests.map((r) => (byCustomer.get(r.customerId) ?? []).slice(0, r.first))
  }

  /** Opportunity.stageHistory for several opportunities at once, oldest change first. */
  async stageHistory(actor: Actor, opportunityIds: readonly string[]): Promise<StageChange[][]> {
    const byOpportunity = new Map<string, StageChange[]>()
    for (const row of await repo.historyOf(this.deps.db, opportunityIds.filter(isUuid), this.scope(actor))) {
      const list = byOpportunity.get(row.opportunityId)
      if (list) list.push(toStageChange(row))
      else byOpportunity.set(row.opportunityId, [toStageChange(row)])
    }
    return opportunityIds.map((id) => byOpportunity.get(id) ?? [])
  }

  /** Opens a deal on a customer the caller can see; the caller owns it unless another owner is named. */
  async create(actor: Actor, input: unknown): Promise<Opportunity> {
    authorize(actor, 'opportunities', 'write')
    const data = parse(OpportunityCreate, input)
    return runAction(this.deps.db, actionContext(actor), (action) => this.openWithin(action, actor, data))
  }

  /** `create` inside the caller's transaction (convertLead opens its deal in the conversion's own). */
  async openWithin(action: Action, actor: Actor, data: OpportunityCreate): Promise<Opportunity> {
    const reach = authorize(actor, 'opportunities', 'write')
    const initial = decided(decideStageMove({ from: null, to: data.stage ?? 'initial_contact', lostReason: data.lostReason, probability: data.probability }, this.probabilities))
    if (!initial.changed) throw new Error('unreachable: a new opportunity always takes its first stage')
    const { tx, audit, emit } = action
    const ownerId = data.ownerId !== undefined ? data.ownerId : actor.userId
    if (ownerId) await assertAssignable(tx, actor, reach, ownerId)
    else if (reach !== 'all') throw invalid('ownerId', 'is required', 'REQUIRED')
    await this.assertCustomerVisible(tx, actor, data.customerId)
    const { stage: _s, lostReason: _l, probability: _p, ...rest } = data
    const row = await this.insertUnique(tx, { ...columns(rest), customerId: data.customerId, name: data.name, ownerId, ...stageColumns(initial) })
    await repo.insertHistory(tx, { opportunityId: row.id, fromStage: null, toStage: row.stage, probability: row.probability, reason: row.lostReason, changedById: actor.userId })
    audit({ action: 'opportunity.created', entityType: 'opportunity', entityId: row.id, changes: toView(row) })
    emit({ type: 'opportunity.created', entityType: 'opportunity', entityId: row.id, data: { opportunity: toView(row) } })
    return toView(row)
  }

  /** Changes the given fields (not the stage: see moveStage); with expectedVersion, refuses a stale write. */
  async update(actor: Actor, id: string, input: unknown): Promise<Opportunity> {
    return this.applyUpdate(actor, id, parse(OpportunityUpdate, input), false)
  }

  /**
   * PUT by the caller's externalId: creates the opportunity, or sets the given fields on the
   * one that has it (reviving it if deleted, moving its stage if a new one is given).
   */
  async upsertByExternalId(actor: Actor, externalId: string, input: unknown): Promise<{ opportunity: Opportunity; created: boolean }> {
    authorize(actor, 'opportunities', 'write')
    const data = parse(OpportunityCreate, { ...(input as object), externalId })
    for (let attempt = 0; ; attempt++) {
      const existing = await repo.byExternalId(this.deps.db, externalId)
      if (existing) return { opportunity: await upsertUpdate('opportunity', 'Opportunity', [existing.id], () => this.applyUpdate(actor, existing.id, data, true)), created: false }
      try {
        return { opportunity: await this.create(actor, data), created: true }
      } catch (err) {
        // Lost a race with a concurrent upsert of the same externalId: update that one.
        if (attempt > 0 || !(err instanceof CrmError && err.code === 'CRM_ERR_CONFLICT')) throw err
      }
    }
  }

  /** Moves the deal through the pipeline: history row, stage events, audit, all in one transaction. */
  async moveStage(actor: Actor, id: string, input: unknown): Promise<Opportunity> {
    authorize(actor, 'opportunities', 'write')
    const data = parse(StageMoveInput, input)
    return runAction(this.deps.db, actionContext(actor), async (action) => {
      const before = await this.lockForWrite(action, actor, id, data.expectedVersion, false)
      const decision = decided(decideStageMove({ from: before.stage, to: data.stage, lostReason: data.lostReason, probability: data.probability }, this.probabilities))
      if (!decision.changed) return toView(before)
      const after = await repo.update(action.tx, id, stageColumns(decision))
      await this.recordMove(action, actor, before, after)
      return toView(after)
    })
  }

  /** Soft delete: the deal leaves every list but its stage history stays. */
  async delete(actor: Actor, id: string, expectedVersion?: number): Promise<{ id: string }> {
    authorize(actor, 'opportunities', 'write')
    return runAction(this.deps.db, actionContext(actor), async (action) => {
      await this.lockForWrite(action, actor, id, expectedVersion, false)
      await repo.update(action.tx, id, { deletedAt: new Date() })
      action.audit({ action: 'opportunity.deleted', entityType: 'opportunity', entityId: id })
      return { id }
    })
  }

  private async applyUpdate(actor: Actor, id: string, data: Changes, revive: boolean): Promise<Opportunity> {
    const reach = authorize(actor, 'opportunities', 'write')
    return runAction(this.deps.db, actionContext(actor), async (action) => {
      const before = await this.lockForWrite(action, actor, id, data.expectedVersion, revive)
      if (data.customerId !== undefined && data.customerId !== before.customerId) {
        throw invalid('customerId', 'cannot be changed on an existing opportunity', 'IMMUTABLE')
      }
      if (data.ownerId && data.ownerId !== before.ownerId) await assertAssignable(action.tx, actor, reach, data.ownerId)
      if (data.ownerId === null && reach !== 'all') throw invalid('ownerId', 'cannot be cleared', 'REQUIRED')
      const { stage, lostReason, probability, customerId: _c, expectedVersion: _v, ...rest } = data
      const move = stage === undefined ? null
        : decided(decideStageMove({ from: before.stage, to: stage, lostReason, probability }, this.probabilities))
      const moved = move?.changed ? move : null
      if (probability !== undefined && !moved) {
        const check = checkProbability(before.stage, probability)
        if (!check.ok) throw invalid('probability', check.explanation, 'INVALID_PROBABILITY')
      }
      const values = { ...columns(rest), ...(probability !== undefined ? { probability } : {}), ...(moved ? stageColumns(moved) : {}), ...(revive ? { deletedAt: null } : {}) }
      const after = await this.updateUnique(action.tx, id, values)
      const changes = changedFields(toView(before), toView(after), auditedFields)
      if (Object.keys(changes).length > 0) {
        action.audit({ action: 'opportunity.updated', entityType: 'opportunity', entityId: id, changes })
        action.emit({ type: 'opportunity.updated', entityType: 'opportunity', entityId: id, data: { id, version: after.version, changes } })
      }
      if (moved) await this.recordMove(action, actor, before, after)
      return toView(after)
    })
  }

  private async lockForWrite(action: Action, actor: Actor, id: string, expectedVersion: number | undefined, revive: boolean): Promise<OpportunityRow> {
    const before = isUuid(id) ? await repo.lock(action.tx, id, this.scope(actor, 'write'), revive) : undefined
    if (!before) throw notFound('Opportunity', id)
    if (expectedVersion !== undefined && before.version !== expectedVersion) throw staleVersion('Opportunity', expectedVersion, before.version)
    return before
  }

  /** The history row, audit entry and events of a stage change already applied to `after`. */
  private async recordMove(action: Action, actor: Actor, before: OpportunityRow, after: OpportunityRow): Promise<void> {
    await repo.insertHistory(action.tx, {
      opportunityId: after.id, fromStage: before.stage, toStage: after.stage, probability: after.probability,
      reason: after.lostReason, changedById: actor.userId, changedAt: after.stageChangedAt
    })
    const change = { stage: { from: before.stage, to: after.stage }, probability: { from: before.probability, to: after.probability } }
    action.audit({ action: 'opportunity.stage_changed', entityType: 'opportunity', entityId: after.id, changes: { ...change, ...(after.lostReason ? { lostReason: after.lostReason } : {}) } })
    const data = { opportunity: toView(after), from: before.stage, to: after.stage }
    action.emit({ type: 'opportunity.stage_changed', entityType: 'opportunity', entityId: after.id, data })
    if (after.stage === 'won' || after.stage === 'lost') {
      action.emit({ type: `opportunity.${after.stage}`, entityType: 'opportunity', entityId: after.id, data })
    }
    // The referral that brought this deal converts when it is won (docs/referrals.md).
    if (after.stage === 'won') await referralOnOpportunityWon(action, after.id, after.closedAt ?? after.stageChangedAt)
  }

  private async assertCustomerVisible(tx: Action['tx'], actor: Actor, customerId: string): Promise<void> {
    const customer = await customersRepository.byId(tx, customerId, this.customers.scope(actor))
    if (!customer) throw invalid('customerId', 'is not a customer you can see', 'UNKNOWN_CUSTOMER')
  }

  private async insertUnique(tx: Action['tx'], values: OpportunityInsert): Promise<OpportunityRow> {
    try {
      return await repo.insert(tx, values)
    } catch (err) {
      throw asInputError(err)
    }
  }

  private async updateUnique(tx: Action['tx'], id: string, values: Partial<OpportunityInsert>): Promise<OpportunityRow> {
    try {
      return await repo.update(tx, id, values)
    } catch (err) {
      throw asInputError(err)
    }
  }
}
