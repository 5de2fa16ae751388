import { runAction, type Action } from '../../db/action.js'
import type { Executor } from '../../db/client.js'
import { invalid, notFound, staleVersion, uniqueViolation } from '../../errors.js'
import { defaultFollowUpPolicy } from '../../rules/follow-up.js'
import { leadOwnerRoles, type AssignmentDecision } from '../../rules/lead-assignment.js'
import { actionContext, type Actor } from '../auth/actor.js'
import { authorize } from '../auth/permissions.js'
import { changedFields } from '../common/changes.js'
import { asTaken } from '../common/unique.js'
import { isUuid, parse } from '../common/validate.js'
import type { ServiceDeps } from '../service-deps.js'
import { routingRepository as repo, type AssignmentRuleInsert, type AssignmentRuleRow, type FollowUpPolicyRow } from './routing.repository.js'
import { previewRoute } from './routing.router.js'
import {
  AssignmentRuleCreate, AssignmentRuleUpdate, FollowUpPolicyInput, LeadAssignmentPreviewInput, PolicySource
} from './routing.schemas.js'

export type AssignmentRule = Omit<AssignmentRuleRow, 'deletedAt'>
export type FollowUpPolicy = Omit<FollowUpPolicyRow, 'deletedAt' | 'externalId'>

const ruleFields = ['externalId', 'name', 'priority', 'active', 'sources', 'industries', 'regions', 'campaignIds', 'assigneeId', 'teamId'] as const
const policyFields = ['firstContactHours', 'followUpDays', 'dormantDays', 'active'] as const

const ruleView = ({ deletedAt: _d, ...rest }: AssignmentRuleRow): AssignmentRule => rest
const policyView = ({ deletedAt: _d, externalId: _e, ...rest }: FollowUpPolicyRow): FollowUpPolicy => rest

/** Lead routing as data: assignment rules and follow-up policies (admin and manager change them). */
export class RoutingService {
  constructor(private readonly deps: ServiceDeps) {}

  /** Every rule (active or not) in the order routing tries them. */
  async listRules(actor: Actor): Promise<AssignmentRule[]> {
    authorize(actor, 'routing', 'read')
    return (await repo.rules(this.deps.db)).map(ruleView)
  }

  /** One rule, or NOT_FOUND. */
  async getRule(actor: Actor, id: string): Promise<AssignmentRule> {
    authorize(actor, 'routing', 'read')
    const row = isUuid(id) ? await repo.ruleById(this.deps.db, id) : undefined
    if (!row) throw notFound('AssignmentRule', id)
    return ruleView(row)
  }

  /** Batched read for loaders: rules by id, in the order asked, null where deleted. */
  async findRules(actor: Actor, ids: readonly string[]): Promise<(AssignmentRule | null)[]> {
    authorize(actor, 'routing', 'read')
    const rows = await repo.rulesByIds(this.deps.db, ids.filter(isUuid))
    const byId = new Map(rows.map((r) => [r.id, ruleView(r)]))
    return ids.map((id) => byId.get(id) ?? null)
  }

  /** Adds a rule; it routes the next lead. Exactly one target: an active user who may own leads, or a team. */
  async createRule(actor: Actor, input: unknown): Promise<AssignmentRule> {
    authorize(actor, 'routing', 'write')
    const data = parse(AssignmentRuleCreate, input)
    return runAction(this.deps.db, actionContext(actor), async ({ tx, audit, emit }) => {
      await this.checkRule(tx, data)
      const row = await this.insertRule(tx, { ...data, name: data.name.trim() })
      audit({ action: 'assignment_rule.created', entityType: 'assignment_rule', entityId: row.id, changes: ruleView(row) })
      emit({ type: 'assignment_rule.created', entityType: 'assignment_rule', entityId: row.id, data: { rule: ruleView(row) } })
      return ruleView(row)
    })
  }

  /** Changes the given fields; with expectedVersion, refuses a stale write. */
  async updateRule(actor: Actor, id: string, input: unknown): Promise<AssignmentRule> {
    authorize(actor, 'routing', 'write')
    const { expectedVersion, ...data } = parse(AssignmentRuleUpdate, input)
    return runAction(this.deps.db, actionContext(actor), async ({ tx, audit, emit }) => {
      const before = await this.lockRule(tx, id, expectedVersion)
      await this.checkRule(tx, { ...before, ...data }, before)
      const after = await repo.updateRule(tx, id, { ...data, ...(data.name ? { name: data.name.trim() } : {}) }).catch((err: unknown) => { throw asTaken(err, 'assignment rule') })
      const changes = changedFields(ruleView(before), ruleView(after), ruleFields)
      if (Object.keys(changes).length > 0) {
        audit({ action: 'assignment_rule.updated', entityType: 'assignment_rule', entityId: id, changes })
        emit({ type: 'assignment_rule.updated', entityType: 'assignment_rule', entityId: id, data: { id, version: after.version, changes } })
      }
      return ruleView(after)
    })
  }

  /** Soft delete: the rule stops routing; audit keeps it. */
  async deleteRule(actor: Actor, id: string, expectedVersion?: number): Promise<{ id: string }> {
    authorize(actor, 'routing', 'write')
    return runAction(this.deps.db, actionContext(actor), async ({ tx, audit, emit }) => {
      await this.lockRule(tx, id, expectedVersion)
      await repo.updateRule(tx, id, { deletedAt: new Date() })
      audit({ action: 'assignment_rule.deleted', entityType: 'assignment_rule', entityId: id })
      emit({ type: 'assignment_rule.deleted', entityType: 'assignment_rule', entityId: id, data: { id } })
      return { id }
    })
  }

  /** Every follow-up policy, by source; without a `*` row the built-in default (72 h, 7 d, 30 d) applies. */
  async listPolicies(actor: Actor): Promise<FollowUpPolicy[]> {
    authorize(actor, 'routing', 'read')
    return (await repo.policies(this.deps.db)).map(policyView)
  }

  /** Creates or changes the policy of one lead source (`*`: the default); omitted fields keep their value. */
  async upsertPolicy(actor: Actor, source: unknown, input: unknown): Promise<{ policy: FollowUpPolicy; created: boolean }> {
    authorize(actor, 'routing', 'write')
    const key = parse(PolicySource, source)
    const { expectedVersion, ...data } = parse(FollowUpPolicyInput, input)
    for (let attempt = 0; ; attempt++) {
      try {
        return await runAction(this.deps.db, actionContext(actor), (action) => this.writePolicy(action, key, data, expectedVersion))
      } catch (err) {
        // Two first writes of one source at once: the loser updates the winner's row.
        if (attempt > 0 || !uniqueViolation(err)) throw err
      }
    }
  }

  /** Removes a source's policy: its leads fall back to `*` (or the built-in default). */
  async deletePolicy(actor: Actor, source: unknown, expectedVersion?: number): Promise<{ id: string }> {
    authorize(actor, 'routing', 'write')
    const key = parse(PolicySource, source)
    return runAction(this.deps.db, actionContext(actor), async ({ tx, audit, emit }) => {
      const before = await repo.policyBySource(tx, key, true)
      if (!before) throw notFound('FollowUpPolicy', key)
      if (expectedVersion !== undefined && before.version !== expectedVersion) throw staleVersion('FollowUpPolicy', expectedVersion, before.version)
      await repo.updatePolicy(tx, before.id, { deletedAt: new Date() })
      audit({ action: 'follow_up_policy.deleted', entityType: 'follow_up_policy', entityId: before.id, changes: { source: key } })
      emit({ type: 'follow_up_policy.deleted', entityType: 'follow_up_policy', entityId: before.id, data: { id: before.id, source: key } })
      return { id: before.id }
    })
  }

  /** Who would get a lead with these facts now, and why; writes nothing (the rotation does not move). */
  async previewAssignment(actor: Actor, input: unknown): Promise<AssignmentDecision> {
    authorize(actor, 'routing', 'read')
    const data = parse(LeadAssignmentPreviewInput, input)
    return previewRoute(this.deps.db, {
      source: data.source, industry: data.industry ?? null, region: data.region ?? null, campaignId: data.campaignId ?? null,
      referrerId: data.referrerId ?? null, fallbackTeamId: data.teamId ?? null
    })
  }

  private async writePolicy(action: Action, source: string, data: Omit<FollowUpPolicyInput, 'expectedVersion'>, expectedVersion?: number) {
    const { tx, audit, emit } = action
    const before = await repo.policyBySource(tx, source, true)
    if (!before) {
      if (expectedVersion !== undefined) throw staleVersion('FollowUpPolicy', expectedVersion, 0)
      const { source: _s, ...defaults } = defaultFollowUpPolicy
      const row = await repo.insertPolicy(tx, { ...defaults, ...data, source })
      audit({ action: 'follow_up_policy.created', entityType: 'follow_up_policy', entityId: row.id, changes: policyView(row) })
      emit({ type: 'follow_up_policy.created', entityType: 'follow_up_policy', entityId: row.id, data: { policy: policyView(row) } })
      return { policy: policyView(row), created: true }
    }
    if (expectedVersion !== undefined && before.version !== expectedVersion) throw staleVersion('FollowUpPolicy', expectedVersion, before.version)
    const changes = changedFields(policyView(before), { ...policyView(before), ...data }, policyFields)
    if (Object.keys(changes).length === 0) return { policy: policyView(before), created: false }
    const after = await repo.updatePolicy(tx, before.id, data)
    audit({ action: 'follow_up_policy.updated', entityType: 'follow_up_policy', entityId: after.id, changes })
    emit({ type: 'follow_up_policy.updated', entityType: 'follow_up_policy', entityId: after.id, data: { id: after.id, source, version: after.version, changes } })
    return { policy: policyView(after), created: false }
  }

  private async lockRule(tx: Executor, id: string, expectedVersion?: number): Promise<AssignmentRuleRow> {
    const row = isUuid(id) ? await repo.ruleById(tx, id, true) : undefined
    if (!row) throw notFound('AssignmentRule', id)
    if (expectedVersion !== undefined && row.version !== expectedVersion) throw staleVersion('AssignmentRule', expectedVersion, row.version)
    return row
  }

  /** Exactly one target, and every id it names is live; unchanged ones are not checked again. */
  private async checkRule(tx: Executor, rule: Partial<AssignmentRuleInsert>, before?: AssignmentRuleRow): Promise<void> {
    const assigneeId = rule.assigneeId ?? null
    const teamId = rule.teamId ?? null
    if ((assigneeId === null) === (teamId === null)) {
      throw invalid('assigneeId', 'give exactly one of assigneeId (a user) or teamId (a team to rotate through)', 'ONE_TARGET')
    }
    if (assigneeId && assigneeId !== before?.assigneeId) {
      const user = await repo.user(tx, assigneeId)
      if (!user) throw invalid('assigneeId', 'is not a known user', 'UNKNOWN_USER')
      if (!user.active) throw invalid('assigneeId', 'is a deactivated user', 'INACTIVE_USER')
      if (!leadOwnerRoles.has(user.role)) throw invalid('assigneeId', `has role ${user.role}, which may not own leads`, 'CANNOT_OWN_LEADS')
    }
    if (teamId && teamId !== before?.teamId && !(await repo.teamExists(tx, teamId))) throw invalid('teamId', 'is not a known team', 'UNKNOWN_REFERENCE')
    const campaigns = (rule.campaignIds ?? []).filter((id) => !before?.campaignIds.includes(id))
    const missing = await repo.missingCampaigns(tx, campaigns)
    if (missing.length > 0) throw invalid('campaignIds', `name no campaign: ${missing.join(', ')}`, 'UNKNOWN_REFERENCE')
  }

  private async insertRule(tx: Executor, values: AssignmentRuleInsert): Promise<AssignmentRuleRow> {
    try {
      return await repo.insertRule(tx, values)
    } catch (err) {
      throw asTaken(err, 'assignment rule')
    }
  }
}
