import { runAction, type Action } from '../../db/action.js'
import { Keyset, type PageRequest } from '../../db/paging.js'
import { incentiveRules } from '../../db/schema/incentives.js'
import { forbidden, notFound, staleVersion } from '../../errors.js'
import type { IncentiveEvaluation } from '../../rules/incentives.types.js'
import { actionContext, type Actor } from '../auth/actor.js'
import { authorize } from '../auth/permissions.js'
import { changedFields } from '../common/changes.js'
import { asTaken } from '../common/unique.js'
import { isUuid, parse } from '../common/validate.js'
import type { ServiceDeps } from '../service-deps.js'
import { previewIncentives } from './incentive-preview.js'
import { incentiveRulesRepository as repo, ruleConditions, type RuleInsert, type RuleRow } from './incentive-rules.repository.js'
import { IncentiveRuleCreate, IncentiveRuleFilter, IncentiveRuleUpdate, type RuleOrderField } from './incentive-rules.schemas.js'
import { assertLevelKeys } from '../levels/levels.conditions.js'
import { assertCampaign, assertCouponTemplate, assertValidRule, type RuleShape } from './incentive-rules.validate.js'

export type IncentiveRuleView = ReturnType<typeof toView>
export type RuleOrder = { field: RuleOrderField; direction: 'ASC' | 'DESC' }

const orderColumns = {
  createdAt: incentiveRules.createdAt, updatedAt: incentiveRules.updatedAt, priority: incentiveRules.priority, name: incentiveRules.name
}
const auditedFields = [
  'externalId', 'name', 'description', 'active', 'campaignId', 'trigger', 'orderScope', 'milestone', 'calc', 'rewardType', 'amount',
  'percentBp', 'currency', 'couponCode', 'couponTemplateId', 'beneficiary', 'referredAmount', 'referrerKinds', 'referrerTiers', 'customerLevels', 'minOrderAmount',
  'validFrom', 'validUntil', 'capAmount', 'perReferrerCap', 'perReferrerPeriod', 'tierMultipliers', 'priority', 'stackable',
  'approval', 'holdDays'
] as const
/** Rule authors who may also try rules out (previewIncentives reads referrers' and orders' facts). */
const previewers: ReadonlySet<string> = new Set(['admin', 'manager', 'marketing', 'integration'])

/** 激励规则: incentive rules as data (docs/incentives.md), and their preview. */
export class IncentiveRulesService {
  constructor(private readonly deps: ServiceDeps) {}

  /** Staff read rules (referrer tokens do not); admins, managers, marketing and integrations write them. */
  private check(actor: Actor, op: 'read' | 'write'): void {
    authorize(actor, 'incentiveRules', op)
  }

  /** One rule, or NOT_FOUND. */
  async get(actor: Actor, id: string): Promise<IncentiveRuleView> {
    this.check(actor, 'read')
    const row = isUuid(id) ? await repo.byId(this.deps.db, id) : undefined
    if (!row) throw notFound('IncentiveRule', id)
    return toView(row)
  }

  /** Batched read for loaders: rules by id, in the order asked, null where unknown. */
  async findMany(actor: Actor, ids: readonly string[]): Promise<(IncentiveRuleView | null)[]> {
    this.check(actor, 'read')
    const byId = new Map((await repo.byIds(this.deps.db, ids.filter(isUuid))).map((r) => [r.id, toView(r)]))
    return ids.map((id) => byId.get(id) ?? null)
  }

  /** A keyset page of rules; `count` runs only if called. */
  async list(actor: Actor, filter: unknown, order: RuleOrder, page: PageRequest) {
    this.check(actor, 'read')
    const where = ruleConditions(parse(IncentiveRuleFilter, filter ?? {}))
    const keyset = new Keyset(order.field, orderColumns[order.field], incentiveRules.id, order.direction, page)
    const result = keyset.page(await repo.page(this.deps.db, where, keyset))
    return { ...result, rows: result.rows.map((r) => toView(r as RuleRow)), count: () => repo.count(this.deps.db, where) }
  }

  /** Campaign.rules for many campaigns (one query), each list by priority. */
  async ofCampaigns(actor: Actor, campaignIds: readonly string[], active?: boolean): Promise<IncentiveRuleView[][]> {
    this.check(actor, 'read')
    const rows = await repo.ofCampaigns(this.deps.db, [...new Set(campaignIds.filter(isUuid))], active)
    return campaignIds.map((id) => rows.filter((r) => r.campaignId === id).map(toView))
  }

  /** Creates a rule after checking that its fields fit together (docs/incentives.md). */
  async create(actor: Actor, input: unknown): Promise<IncentiveRuleView> {
    this.check(actor, 'write')
    const data = parse(IncentiveRuleCreate, input)
    const values = { ...columns(data), name: data.name, trigger: data.trigger, calc: data.calc, rewardType: data.rewardType, createdBy: actor.userId }
    assertValidRule(withDefaults(values))
    return runAction(this.deps.db, actionContext(actor), async ({ tx, audit, emit }) => {
      await assertCampaign(tx, withDefaults(values))
      if (values.customerLevels?.length) await assertLevelKeys(tx, values.customerLevels, 'customerLevels')
      await assertCouponTemplate(tx, withDefaults(values))
      const row = await this.write(() => repo.insert(tx, values))
      audit({ action: 'incentive_rule.created', entityType: 'incentive_rule', entityId: row.id, changes: toView(row) })
      emit({ type: 'incentive_rule.created', entityType: 'incentive_rule', entityId: row.id, data: { incentiveRule: toView(row) } })
      return toView(row)
    })
  }

  /** Changes the given fields (`active` activates or deactivates); with expectedVersion, refuses a stale write. */
  async update(actor: Actor, id: string, input: unknown): Promise<IncentiveRuleView> {
    this.check(actor, 'write')
    const data = parse(IncentiveRuleUpdate, input)
    return runAction(this.deps.db, actionContext(actor), async ({ tx, audit, emit }) => {
      const before = await this.lockForWrite(tx, id, data.expectedVersion)
      const values = columns(data)
      const merged = { ...before, ...values }
      assertValidRule(merged)
      if (values.campaignId !== undefined || values.currency !== undefined || values.rewardType !== undefined) await assertCampaign(tx, merged)
      if (values.customerLevels?.length) await assertLevelKeys(tx, values.customerLevels, 'customerLevels')
      if (values.couponTemplateId) await assertCouponTemplate(tx, merged)
      const after = await this.write(() => repo.update(tx, id, values))
      const changes = changedFields(toView(before), toView(after), auditedFields)
      if (Object.keys(changes).length > 0) {
        audit({ action: 'incentive_rule.updated', entityType: 'incentive_rule', entityId: id, changes })
        emit({ type: 'incentive_rule.updated', entityType: 'incentive_rule', entityId: id, data: { id, version: after.version, changes } })
      }
      return toView(after)
    })
  }

  /** What the rules would decide for an event, and why, without writing anything. */
  async preview(actor: Actor, input: unknown): Promise<IncentiveEvaluation> {
    this.check(actor, 'read')
    if (!previewers.has(actor.role)) throw forbidden('Only rule authors (admin, manager, marketing, integration) preview incentives')
    return previewIncentives(this.deps.db, input, new Date())
  }

  private async lockForWrite(tx: Action['tx'], id: string, expectedVersion: number | undefined): Promise<RuleRow> {
    const before = isUuid(id) ? await repo.lock(tx, id) : undefined
    if (!before) throw notFound('IncentiveRule', id)
    if (expectedVersion !== undefined && before.version !== expectedVersion) throw staleVersion('IncentiveRule', expectedVersion, before.version)
    return before
  }

  private async write(run: () => Promise<RuleRow>): Promise<RuleRow> {
    try {
      return await run()
    } catch (err) {
      throw asTaken(err, 'incentive rule')
    }
  }
}

/** The stored defaults, for checking a new rule as it will be. */
function withDefaults(v: RuleInsert): RuleShape {
  return {
    trigger: v.trigger, calc: v.calc, rewardType: v.rewardType, orderScope: v.orderScope ?? 'every', milestone: v.milestone ?? null,
    amount: v.amount ?? null, percentBp: v.percentBp ?? null, couponCode: v.couponCode ?? null, couponTemplateId: v.couponTemplateId ?? null, beneficiary: v.beneficiary ?? 'referrer',
    referredAmount: v.referredAmount ?? null, minOrderAmount: v.minOrderAmount ?? null, validFrom: v.validFrom ?? null,
    validUntil: v.validUntil ?? null, campaignId: v.campaignId ?? null, currency: v.currency ?? 'CNY'
  }
}

function columns(data: IncentiveRuleUpdate): Partial<RuleInsert> {
  const { validFrom, validUntil, expectedVersion: _v, ...plain } = data
  return {
    ...plain,
    ...(validFrom !== undefined ? { validFrom: validFrom ? new Date(validFrom) : null } : {}),
    ...(validUntil !== undefined ? { validUntil: validUntil ? new Date(validUntil) : null } : {})
  }
}

export function toView(row: RuleRow) {
  const { deletedAt: _d, ...rest } = row
  return rest
}
