import { and, type SQL } from 'drizzle-orm'
import { runAction, type Action } from '../../db/action.js'
import { Keyset, type PageRequest } from '../../db/paging.js'
import { campaigns } from '../../db/schema/campaigns.js'
import { CrmError, invalid, notFound, staleVersion } from '../../errors.js'
import { decideCampaignStatus, type CampaignStatus } from '../../rules/campaign-status.js'
import { actionContext, type Actor } from '../auth/actor.js'
import { authorize } from '../auth/permissions.js'
import { reachFilter } from '../auth/reach.js'
import { changedFields } from '../common/changes.js'
import { assertAssignable } from '../common/owners.js'
import { asTaken, upsertUpdate } from '../common/unique.js'
import { isUuid, parse } from '../common/validate.js'
import { customerConditions } from '../customers/customers.repository.js'
import { customerRelatedReach } from '../customers/customers.related.js'
import { CustomerFilter } from '../customers/customers.schemas.js'
import { filterUsesScores } from '../customers/customers.scores.js'
import { CustomersService } from '../customers/customers.service.js'
import type { ServiceDeps } from '../service-deps.js'
import { campaignConditions, campaignsRepository as repo, type CampaignInsert, type CampaignRow } from './campaigns.repository.js'
import { CampaignCreate, CampaignFilter, CampaignUpdate, type CampaignOrderField } from './campaigns.schemas.js'
import { assertMayFilterBy } from '../common/personal-search.js'

export type Campaign = ReturnType<typeof toView>
export type CampaignOrder = { field: CampaignOrderField; direction: 'ASC' | 'DESC' }

const orderColumns = { createdAt: campaigns.createdAt, updatedAt: campaigns.updatedAt, name: campaigns.name }
const auditedFields = [
  'externalId', 'name', 'goal', 'channel', 'description', 'audience', 'startsAt', 'endsAt', 'budget', 'status', 'ownerId'
] as const

/** 营销活动: campaigns with a saved audience, a time window, a budget and a status. */
export class CampaignsService {
  private readonly customers: CustomersService

  constructor(private readonly deps: ServiceDeps) {
    this.customers = new CustomersService(deps)
  }

  /** Every staff role reads campaigns; marketing, managers and integrations write them. */
  scope(actor: Actor, op: 'read' | 'write' = 'read'): SQL | undefined {
    return reachFilter(actor, authorize(actor, 'campaigns', op), { owner: campaigns.ownerId })
  }

  /** One campaign the actor may see, or NOT_FOUND. */
  async get(actor: Actor, id: string): Promise<Campaign> {
    const row = isUuid(id) ? await repo.byId(this.deps.db, id, this.scope(actor)) : undefined
    if (!row) throw notFound('Campaign', id)
    return toView(row)
  }

  /** Batched read for loaders: campaigns by id, in the order asked, null where unseen. */
  async findMany(actor: Actor, ids: readonly string[]): Promise<(Campaign | null)[]> {
    const rows = await repo.byIds(this.deps.db, ids.filter(isUuid), this.scope(actor))
    const byId = new Map(rows.map((r) => [r.id, toView(r)]))
    return ids.map((id) => byId.get(id) ?? null)
  }

  /** A keyset page of campaigns; `count` runs only if called. */
  async list(actor: Actor, filter: unknown, order: CampaignOrder, page: PageRequest) {
    const scope = this.scope(actor)
    const where = campaignConditions(parse(CampaignFilter, filter ?? {}))
    if (scope) where.push(scope)
    const keyset = new Keyset(order.field, orderColumns[order.field], campaigns.id, order.direction, page)
    const result = keyset.page(await repo.page(this.deps.db, where, keyset))
    return { ...result, rows: result.rows.map((r) => toView(r as CampaignRow)), count: () => repo.count(this.deps.db, where) }
  }

  /**
   * Campaign.audienceSize for several campaigns in one query: customers matching each saved
   * audience, counted within the actor's own customer reach (null where there is no audience).
   */
  async audienceSizes(actor: Actor, list: readonly Campaign[]): Promise<(number | null)[]> {
    const scope = this.customers.scope(actor)
    const keys = [...new Set(list.filter((c) => c.audience).map((c) => JSON.stringify(c.audience)))]
    const filters = keys.map((k) => parse(CustomerFilter, JSON.parse(k) as unknown))
    const related = customerRelatedReach(actor)
    const conditions = filters.map((f) => and(...customerConditions(f, this.deps.pii, related))!)
    // Audiences on RFM scores (segment, r, f, m, scored) need customer_scores beside each customer.
    const counts = await repo.countMatching(this.deps.db, conditions, scope, filters.some(filterUsesScores))
    const byKey = new Map(keys.map((k, i) => [k, counts[i]]))
    return list.map((c) => (c.audience ? byKey.get(JSON.stringify(c.audience)) ?? null : null))
  }

  /** Creates a campaign; the caller owns it unless another owner is named. */
  async create(actor: Actor, input: unknown): Promise<Campaign> {
    const reach = authorize(actor, 'campaigns', 'write')
    const data = parse(CampaignCreate, input)
    checkAudience(data.audience)
    assertMayFilterBy(actor, data.audience, 'audience.search')
    checkWindow(data.startsAt ?? null, data.endsAt ?? null)
    return runAction(this.deps.db, actionContext(actor), async ({ tx, audit, emit }) => {
      const ownerId = data.ownerId !== undefined ? data.ownerId : actor.userId
      if (ownerId) await assertAssignable(tx, actor, reach, ownerId)
      const row = await this.insertUnique(tx, { ...columns(data), name: data.name, ownerId })
      audit({ action: 'campaign.created', entityType: 'campaign', entityId: row.id, changes: toView(row) })
      emit({ type: 'campaign.created', entityType: 'campaign', entityId: row.id, data: { campaign: toView(row) } })
      return toView(row)
    })
  }

  /** Changes the given fields; status moves follow the campaign-status rule; with expectedVersion, refuses a stale write. */
  async update(actor: Actor, id: string, input: unknown): Promise<Campaign> {
    return this.applyUpdate(actor, id, parse(CampaignUpdate, input), false)
  }

  /** PUT by the caller's externalId: creates the campaign or updates (and revives) the one that has it. */
  async upsertByExternalId(actor: Actor, externalId: string, input: unknown): Promise<{ campaign: Campaign; created: boolean }> {
    authorize(actor, 'campaigns', 'write')
    const data = parse(CampaignCreate, { ...(input as object), externalId })
    for (let attempt = 0; ; attempt++) {
      const existing = await repo.byExternalId(this.deps.db, externalId)
      if (existing) return { campaign: await upsertUpdate('campaign', 'Campaign', [existing.id], () => this.applyUpdate(actor, existing.id, data, true)), created: false }
      try {
        return { campaign: await this.create(actor, data), created: true }
      } catch (err) {
        // Lost a race with a concurrent upsert of the same externalId: update that one.
        if (attempt > 0 || !(err instanceof CrmError && err.code === 'CRM_ERR_CONFLICT')) throw err
      }
    }
  }

  /** Soft delete: the campaign leaves every list; records that point at it keep their link. */
  async delete(actor: Actor, id: string, expectedVersion?: number): Promise<{ id: string }> {
    authorize(actor, 'campaigns', 'write')
    return runAction(this.deps.db, actionContext(actor), async ({ tx, audit }) => {
      await this.lockForWrite(tx, actor, id, expectedVersion, false)
      await repo.update(tx, id, { deletedAt: new Date() })
      audit({ action: 'campaign.deleted', entityType: 'campaign', entityId: id })
      return { id }
    })
  }

  private async applyUpdate(actor: Actor, id: string, data: CampaignUpdate, revive: boolean): Promise<Campaign> {
    const reach = authorize(actor, 'campaigns', 'write')
    checkAudience(data.audience)
    assertMayFilterBy(actor, data.audience, 'audience.search')
    return runAction(this.deps.db, actionContext(actor), async ({ tx, audit, emit }) => {
      const before = await this.lockForWrite(tx, actor, id, data.expectedVersion, revive)
      checkWindow(data.startsAt !== undefined ? data.startsAt : before.startsAt?.toISOString() ?? null,
        data.endsAt !== undefined ? data.endsAt : before.endsAt?.toISOString() ?? null)
      if (data.status) checkStatus(before.status, data.status)
      if (data.ownerId && data.ownerId !== before.ownerId) await assertAssignable(tx, actor, reach, data.ownerId)
      const after = await this.updateUnique(tx, id, { ...columns(data), ...(revive ? { deletedAt: null } : {}) })
      const changes = changedFields(toView(before), toView(after), auditedFields)
      if (Object.keys(changes).length > 0) {
        audit({ action: 'campaign.updated', entityType: 'campaign', entityId: id, changes })
        emit({ type: 'campaign.updated', entityType: 'campaign', entityId: id, data: { id, version: after.version, changes } })
      }
      return toView(after)
    })
  }

  private async lockForWrite(tx: Action['tx'], actor: Actor, id: string, expectedVersion: number | undefined, revive: boolean): Promise<CampaignRow> {
    const before = isUuid(id) ? await repo.lock(tx, id, this.scope(actor, 'write'), revive) : undefined
    if (!before) throw notFound('Campaign', id)
    if (expectedVersion !== undefined && before.version !== expectedVersion) throw staleVersion('Campaign', expectedVersion, before.version)
    return before
  }

  private async insertUnique(tx: Action['tx'], values: CampaignInsert): Promise<CampaignRow> {
    try {
      return await repo.insert(tx, values)
    } catch (err) {
      throw asTaken(err, 'campaign')
    }
  }

  private async updateUnique(tx: Action['tx'], id: string, values: Partial<CampaignInsert>): Promise<CampaignRow> {
    try {
      return await repo.update(tx, id, values)
    } catch (err) {
      throw asTaken(err, 'campaign')
    }
  }
}

/** The audience must be a valid customers filter; errors name the field as `audience.<field>`. */
function checkAudience(audience: Record<string, unknown> | null | undefined): void {
  if (!audience) return
  try {
    parse(CustomerFilter, audience)
  } catch (err) {
    if (!(err instanceof CrmError)) throw err
    const fieldErrors = err.fieldErrors.map((e) => ({ ...e, field: e.field ? `audience.${e.field}` : 'audience' }))
    throw new CrmError('CRM_ERR_VALIDATION', `Invalid audience: ${fieldErrors.map((e) => `${e.field} ${e.message}`).join('; ')}`, fieldErrors)
  }
}

function checkWindow(startsAt: string | null, endsAt: string | null): void {
  if (startsAt && endsAt && new Date(endsAt) <= new Date(startsAt)) throw invalid('endsAt', 'must be after startsAt', 'BEFORE_START')
}

function checkStatus(from: CampaignStatus, to: CampaignStatus): void {
  const decision = decideCampaignStatus(from, to)
  if (!decision.ok) {
    throw new CrmError('CRM_ERR_INVALID_TRANSITION', decision.explanation, [{ field: 'status', message: decision.explanation, code: 'INVALID_TRANSITION' }])
  }
}

function columns(data: CampaignUpdate): Partial<CampaignInsert> {
  const { budget, startsAt, endsAt, expectedVersion: _v, ...plain } = data
  return {
    ...plain,
    ...(startsAt !== undefined ? { startsAt: startsAt ? new Date(startsAt) : null } : {}),
    ...(endsAt !== undefined ? { endsAt: endsAt ? new Date(endsAt) : null } : {}),
    ...(budget !== undefined ? { budgetAmount: budget?.amount ?? null, budgetCurrency: budget?.currency ?? 'CNY' } : {})
  }
}

function toView(row: CampaignRow) {
  const { deletedAt: _d, budgetAmount, budgetCurrency, ...rest } = row
  return { ...rest, budget: budgetAmount === null ? null : { amount: budgetAmount, currency: budgetCurrency } }
}
