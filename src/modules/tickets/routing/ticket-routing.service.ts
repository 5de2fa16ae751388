import { runAction } from '../../../db/action.js'
import type { Executor } from '../../../db/client.js'
import { CrmError, forbidden, invalid, notFound, staleVersion, uniqueViolation } from '../../../errors.js'
import type { TicketRoutingDecision } from '../../../rules/ticket-routing.js'
import { ticketAgentRoles } from '../../../rules/ticket-routing.js'
import { actionContext, type Actor } from '../../auth/actor.js'
import { authorize } from '../../auth/permissions.js'
import { changedFields } from '../../common/changes.js'
import { asTaken } from '../../common/unique.js'
import { isUuid, parse } from '../../common/validate.js'
import { routingRepository } from '../../routing/routing.repository.js'
import type { ServiceDeps } from '../../service-deps.js'
import {
  ticketRoutingRepository as repo, type TicketCategoryRow, type TicketRoutingRuleInsert, type TicketRoutingRuleRow
} from './ticket-routing.repository.js'
import { previewTicketRoute } from './ticket-routing.router.js'
import {
  TicketCategoryCreate, TicketCategoryUpdate, TicketRoutingFactsInput, TicketRoutingRuleCreate, TicketRoutingRuleUpdate
} from './ticket-routing.schemas.js'

export type TicketRoutingRule = Omit<TicketRoutingRuleRow, 'deletedAt'>
export type TicketCategory = Omit<TicketCategoryRow, 'deletedAt'>

const ruleFields = ['externalId', 'name', 'priority', 'active', 'categories', 'priorities', 'channels', 'customerTiers', 'assigneeId', 'queueTeamId'] as const
const categoryFields = ['externalId', 'name', 'nameEn', 'active'] as const

const ruleView = ({ deletedAt: _d, ...rest }: TicketRoutingRuleRow): TicketRoutingRule => rest
const categoryView = ({ deletedAt: _d, ...rest }: TicketCategoryRow): TicketCategory => rest

/**
 * Ticket routing as data (docs/service.md, "Routing"): routing rules and the category list.
 * Anyone who may read tickets reads them; changing them takes write reach over every
 * ticket (admin, service, integration), since a rule moves tickets between teams.
 */
export class TicketRoutingService {
  constructor(private readonly deps: ServiceDeps) {}

  /** Every rule (active or not) in the order routing tries them. */
  async listRules(actor: Actor): Promise<TicketRoutingRule[]> {
    authorize(actor, 'tickets', 'read')
    return (await repo.rules(this.deps.db)).map(ruleView)
  }

  /** One rule, or NOT_FOUND. */
  async getRule(actor: Actor, id: string): Promise<TicketRoutingRule> {
    authorize(actor, 'tickets', 'read')
    const row = isUuid(id) ? await repo.ruleById(this.deps.db, id) : undefined
    if (!row) throw notFound('TicketRoutingRule', id)
    return ruleView(row)
  }

  /** Batched read for loaders: rules by id, in the order asked, null where deleted. */
  async findRules(actor: Actor, ids: readonly string[]): Promise<(TicketRoutingRule | null)[]> {
    authorize(actor, 'tickets', 'read')
    const byId = new Map((await repo.rulesByIds(this.deps.db, ids.filter(isUuid))).map((r) => [r.id, ruleView(r)]))
    return ids.map((id) => byId.get(id) ?? null)
  }

  /** Adds a rule; it routes the next ticket. Exactly one target: an active agent or manager, or a queue (team). */
  async createRule(actor: Actor, input: unknown): Promise<TicketRoutingRule> {
    this.mayChange(actor)
    const data = parse(TicketRoutingRuleCreate, input)
    return runAction(this.deps.db, actionContext(actor), async ({ tx, audit, emit }) => {
      await this.checkRule(tx, data)
      const row = await repo.insertRule(tx, { ...data, name: data.name.trim() }).catch((err: unknown) => { throw asTaken(err, 'ticket routing rule') })
      audit({ action: 'ticket_routing_rule.created', entityType: 'ticket_routing_rule', entityId: row.id, changes: ruleView(row) })
      emit({ type: 'ticket_routing_rule.created', entityType: 'ticket_routing_rule', entityId: row.id, data: { rule: ruleView(row) } })
      return ruleView(row)
    })
  }

  /** Changes the given fields; with expectedVersion, refuses a stale write. */
  async updateRule(actor: Actor, id: string, input: unknown): Promise<TicketRoutingRule> {
    this.mayChange(actor)
    const { expectedVersion, ...data } = parse(TicketRoutingRuleUpdate, input)
    return runAction(this.deps.db, actionContext(actor), async ({ tx, audit, emit }) => {
      const before = await this.lockRule(tx, id, expectedVersion)
      await this.checkRule(tx, { ...before, ...data }, before)
      const after = await repo.updateRule(tx, id, { ...data, ...(data.name ? { name: data.name.trim() } : {}) })
        .catch((err: unknown) => { throw asTaken(err, 'ticket routing rule') })
      const changes = changedFields(ruleView(before), ruleView(after), ruleFields)
      if (Object.keys(changes).length > 0) {
        audit({ action: 'ticket_routing_rule.updated', entityType: 'ticket_routing_rule', entityId: id, changes })
        emit({ type: 'ticket_routing_rule.updated', entityType: 'ticket_routing_rule', entityId: id, data: { id, version: after.version, changes } })
      }
      return ruleView(after)
    })
  }

  /** Soft delete: the rule stops routing; audit keeps it. */
  async deleteRule(actor: Actor, id: string, expectedVersion?: number): Promise<{ id: string }> {
    this.mayChange(actor)
    return runAction(this.deps.db, actionContext(actor), async ({ tx, audit, emit }) => {
      await this.lockRule(tx, id, expectedVersion)
      await repo.updateRule(tx, id, { deletedAt: new Date() })
      audit({ action: 'ticket_routing_rule.deleted', entityType: 'ticket_routing_rule', entityId: id })
      emit({ type: 'ticket_routing_rule.deleted', entityType: 'ticket_routing_rule', entityId: id, data: { id } })
      return { id }
    })
  }

  /** Who would work a ticket with these facts now, and why; writes nothing (no rotation moves). */
  async preview(actor: Actor, input: unknown): Promise<TicketRoutingDecision> {
    authorize(actor, 'tickets', 'read')
    const data = parse(TicketRoutingFactsInput, input)
    return previewTicketRoute(this.deps.db, {
      category: data.category, priority: data.priority ?? 'normal', channel: data.channel, customerTier: data.customerTier ?? null
    })
  }

  /** Every live category, active or not, by key. */
  async listCategories(actor: Actor): Promise<TicketCategory[]> {
    authorize(actor, 'tickets', 'read')
    return (await repo.categories(this.deps.db)).map(categoryView)
  }

  /** Adds a category; its key is a slug no other live category has. */
  async createCategory(actor: Actor, input: unknown): Promise<TicketCategory> {
    this.mayChange(actor)
    const data = parse(TicketCategoryCreate, input)
    return runAction(this.deps.db, actionContext(actor), async ({ tx, audit, emit }) => {
      if (await repo.categoryByKey(tx, data.key)) throw keyTaken()
      const row = await repo.insertCategory(tx, { ...data, name: data.name.trim(), nameEn: data.nameEn?.trim() ?? null }).catch((err: unknown) => {
        throw uniqueViolation(err)?.constraint.includes('key') ? keyTaken() : asTaken(err, 'ticket category')
      })
      audit({ action: 'ticket_category.created', entityType: 'ticket_category', entityId: row.id, changes: categoryView(row) })
      emit({ type: 'ticket_category.created', entityType: 'ticket_category', entityId: row.id, data: { category: categoryView(row) } })
      return categoryView(row)
    })
  }

  /** Renames or (de)activates a category; the key never changes. An inactive one takes no new tickets and stays on old ones. */
  async updateCategory(actor: Actor, id: string, input: unknown): Promise<TicketCategory> {
    this.mayChange(actor)
    const { expectedVersion, ...data } = parse(TicketCategoryUpdate, input)
    return runAction(this.deps.db, actionContext(actor), async ({ tx, audit, emit }) => {
      const before = isUuid(id) ? await repo.categoryById(tx, id, true) : undefined
      if (!before) throw notFound('TicketCategory', id)
      if (expectedVersion !== undefined && before.version !== expectedVersion) throw staleVersion('TicketCategory', expectedVersion, before.version)
      const values = { ...data, ...(data.name ? { name: data.name.trim() } : {}), ...(data.nameEn ? { nameEn: data.nameEn.trim() } : {}) }
      const changes = changedFields(categoryView(before), { ...categoryView(before), ...values }, categoryFields)
      if (Object.keys(changes).length === 0) return categoryView(before)
      const after = await repo.updateCategory(tx, id, values).catch((err: unknown) => { throw asTaken(err, 'ticket category') })
      audit({ action: 'ticket_category.updated', entityType: 'ticket_category', entityId: id, changes })
      emit({ type: 'ticket_category.updated', entityType: 'ticket_category', entityId: id, data: { id, key: after.key, version: after.version, changes } })
      return categoryView(after)
    })
  }

  /** Rules and categories shape where every ticket goes: only write reach over all tickets changes them. */
  private mayChange(actor: Actor): void {
    if (authorize(actor, 'tickets', 'write') !== 'all') throw forbidden('Only a role that may change every ticket may change ticket routing and categories')
  }

  private async lockRule(tx: Executor, id: string, expectedVersion?: number): Promise<TicketRoutingRuleRow> {
    const row = isUuid(id) ? await repo.ruleById(tx, id, true) : undefined
    if (!row) throw notFound('TicketRoutingRule', id)
    if (expectedVersion !== undefined && row.version !== expectedVersion) throw staleVersion('TicketRoutingRule', expectedVersion, row.version)
    return row
  }

  /** Exactly one target, each id it names live, each category known; unchanged ones are not checked again. */
  private async checkRule(tx: Executor, rule: Partial<TicketRoutingRuleInsert>, before?: TicketRoutingRuleRow): Promise<void> {
    const assigneeId = rule.assigneeId ?? null
    const queueTeamId = rule.queueTeamId ?? null
    if ((assigneeId === null) === (queueTeamId === null)) {
      throw invalid('assigneeId', 'give exactly one of assigneeId (an agent) or queueTeamId (a queue to rotate through)', 'ONE_TARGET')
    }
    if (assigneeId && assigneeId !== before?.assigneeId) {
      const user = await routingRepository.user(tx, assigneeId)
      if (!user) throw invalid('assigneeId', 'is not a known user', 'UNKNOWN_USER')
      if (!user.active) throw invalid('assigneeId', 'is a deactivated user', 'INACTIVE_USER')
      if (!ticketAgentRoles.has(user.role)) throw invalid('assigneeId', `has role ${user.role}, which may not work tickets (service or manager)`, 'CANNOT_WORK_TICKETS')
    }
    if (queueTeamId && queueTeamId !== before?.queueTeamId && !(await routingRepository.teamExists(tx, queueTeamId))) {
      throw invalid('queueTeamId', 'is not a known team', 'UNKNOWN_REFERENCE')
    }
    const named = (rule.categories ?? []).filter((c) => !before?.categories.includes(c))
    if (named.length > 0) {
      const known = new Set((await repo.categories(tx)).map((c) => c.key))
      const missing = named.filter((c) => !known.has(c))
      if (missing.length > 0) throw invalid('categories', `name no ticket category: ${missing.join(', ')} (known: ${[...known].join(', ')})`, 'UNKNOWN_CATEGORY')
    }
  }
}

const keyTaken = () => new CrmError('CRM_ERR_CONFLICT', 'key: another live ticket category has this key',
  [{ field: 'key', message: 'is already used by another ticket category', code: 'TAKEN' }])
