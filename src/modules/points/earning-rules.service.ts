import { and, asc, eq, isNull } from 'drizzle-orm'
import { runAction } from '../../db/action.js'
import type { Executor } from '../../db/client.js'
import { campaigns } from '../../db/schema/campaigns.js'
import { pointsEarningRules } from '../../db/schema/points.js'
import { invalid, notFound, staleVersion } from '../../errors.js'
import { actionContext, type Actor } from '../auth/actor.js'
import { authorize } from '../auth/permissions.js'
import { changedFields } from '../common/changes.js'
import { asTaken } from '../common/unique.js'
import { isUuid, parse } from '../common/validate.js'
import type { ServiceDeps } from '../service-deps.js'
import { EarningRuleCreate, EarningRuleUpdate } from './points.schemas.js'

type RuleRow = typeof pointsEarningRules.$inferSelect
export type EarningRuleView = Omit<RuleRow, 'deletedAt' | 'validFrom' | 'validUntil' | 'createdAt' | 'updatedAt'> & {
  validFrom: string | null; validUntil: string | null; createdAt: string; updatedAt: string
}

function view(r: RuleRow): EarningRuleView {
  const { deletedAt: _d, ...rest } = r
  return { ...rest, validFrom: r.validFrom?.toISOString() ?? null, validUntil: r.validUntil?.toISOString() ?? null, createdAt: r.createdAt.toISOString(), updatedAt: r.updatedAt.toISOString() }
}

type Shape = Pick<RuleRow, 'kind' | 'campaignId' | 'points' | 'unitAmount' | 'multiplierBp' | 'validFrom' | 'validUntil'>

/** A rule's fields must make sense together: the field at fault named (the table's check backs this). */
function checkShape(r: Shape): void {
  if (r.kind === 'base') {
    if (r.points == null) throw invalid('points', 'is required for a base rule: points per unitAmount', 'REQUIRED')
    if (r.unitAmount == null) throw invalid('unitAmount', 'is required for a base rule: the amount (minor units) that earns `points`', 'REQUIRED')
  } else {
    if (r.campaignId == null) throw invalid('campaignId', "is required for a multiplier rule: it multiplies that campaign's orders", 'REQUIRED')
    if (r.multiplierBp == null) throw invalid('multiplierBp', 'is required for a multiplier rule (basis points of 1: 20000 = 2×)', 'REQUIRED')
  }
  if (r.validFrom && r.validUntil && r.validFrom.getTime() >= r.validUntil.getTime()) throw invalid('validUntil', 'must be after validFrom', 'INVALID_RANGE')
}

const ruleFields = ['name', 'active', 'campaignId', 'currency', 'points', 'unitAmount', 'multiplierBp', 'minOrderAmount', 'validFrom', 'validUntil', 'priority', 'externalId'] as const

const date = (s: string | null | undefined) => (s == null ? s : new Date(s))

/** 消费积分规则: how paid orders earn points (src/rules/points-earning.ts, docs/loyalty.md). */
export class EarningRulesService {
  constructor(private readonly deps: ServiceDeps) {}

  async list(actor: Actor): Promise<EarningRuleView[]> {
    authorize(actor, 'loyaltyConfig', 'read')
    const found = await this.deps.db.select().from(pointsEarningRules).where(isNull(pointsEarningRules.deletedAt))
      .orderBy(asc(pointsEarningRules.priority), asc(pointsEarningRules.id))
    return found.map(view)
  }

  async create(actor: Actor, input: unknown): Promise<EarningRuleView> {
    const data = parse(EarningRuleCreate, input)
    authorize(actor, 'loyaltyConfig', 'write')
    const values = {
      name: data.name, kind: data.kind, active: data.active ?? true, campaignId: data.campaignId ?? null, currency: data.currency ?? 'CNY',
      points: data.points ?? null, unitAmount: data.unitAmount ?? null, multiplierBp: data.multiplierBp ?? null,
      minOrderAmount: data.minOrderAmount ?? null, validFrom: date(data.validFrom) ?? null, validUntil: date(data.validUntil) ?? null,
      priority: data.priority ?? 100, externalId: data.externalId ?? null
    }
    checkShape(values)
    return runAction(this.deps.db, actionContext(actor), async (action) => {
      if (values.campaignId) await assertCampaign(action.tx, values.campaignId)
      const [row] = await action.tx.insert(pointsEarningRules).values(values).returning().catch((err: unknown) => { throw asTaken(err, 'points earning rule') })
      action.audit({ action: 'points_earning_rule.created', entityType: 'points_earning_rule', entityId: row.id, changes: view(row) })
      return view(row)
    })
  }

  async update(actor: Actor, id: string, input: unknown): Promise<EarningRuleView> {
    const data = parse(EarningRuleUpdate, input)
    authorize(actor, 'loyaltyConfig', 'write')
    return runAction(this.deps.db, actionContext(actor), async (action) => {
      const [before] = isUuid(id) ? await action.tx.select().from(pointsEarningRules)
        .where(and(eq(pointsEarningRules.id, id), isNull(pointsEarningRules.deletedAt))).for('update') : []
      if (!before) throw notFound('PointsEarningRule', id)
      if (data.expectedVersion !== undefined && data.expectedVersion !== before.version) throw staleVersion('PointsEarningRule', data.expectedVersion, before.version)
      const { expectedVersion: _v, validFrom, validUntil, ...rest } = data
      const next = { ...before, ...rest, ...(validFrom !== undefined ? { validFrom: date(validFrom) } : {}), ...(validUntil !== undefined ? { validUntil: date(validUntil) } : {}) }
      checkShape(next)
      if (next.campaignId && next.campaignId !== before.campaignId) await assertCampaign(action.tx, next.campaignId)
      const changes = changedFields(before, next, ruleFields)
      if (Object.keys(changes).length === 0) return view(before)
      const [row] = await action.tx.update(pointsEarningRules).set({ ...next, id: before.id, version: before.version + 1, updatedAt: new Date() })
        .where(eq(pointsEarningRules.id, id)).returning().catch((err: unknown) => { throw asTaken(err, 'points earning rule') })
      action.audit({ action: 'points_earning_rule.updated', entityType: 'points_earning_rule', entityId: id, changes })
      return view(row)
    })
  }
}

async function assertCampaign(ex: Executor, id: string): Promise<void> {
  const [row] = await ex.select({ id: campaigns.id }).from(campaigns).where(and(eq(campaigns.id, id), isNull(campaigns.deletedAt)))
  if (!row) throw invalid('campaignId', 'refers to no campaign', 'UNKNOWN_REFERENCE')
}
