import { and, eq, isNull, sql } from 'drizzle-orm'
import { runAction } from '../../db/action.js'
import type { Executor } from '../../db/client.js'
import { couponTemplates } from '../../db/schema/coupons.js'
import { memberLevels } from '../../db/schema/member-levels.js'
import { CrmError, invalid, notFound, staleVersion, uniqueViolation } from '../../errors.js'
import { actionContext, type Actor } from '../auth/actor.js'
import { authorize } from '../auth/permissions.js'
import { changedFields } from '../common/changes.js'
import { isUuid, parse } from '../common/validate.js'
import type { ServiceDeps } from '../service-deps.js'
import { levelsRepository as repo } from './levels.repository.js'
import { BASE_LEVEL_ID, LevelCreate, LevelListQuery, LevelUpdate } from './levels.schemas.js'
import { levelView, type LevelRow, type MemberLevelView } from './levels.views.js'

type Shape = Pick<LevelRow, 'id' | 'rank' | 'minSpend' | 'minPoints' | 'active'>

/** A level's fields must make sense together; the field at fault is named (the table's checks back this). */
function checkShape(l: Shape): void {
  if (l.id === BASE_LEVEL_ID) {
    const base = (field: string, message: string) => new CrmError('CRM_ERR_VALIDATION', `${field}: ${message}`, [{ field, message, code: 'BASE_LEVEL' }])
    if (l.minSpend !== null || l.minPoints !== null) throw base(l.minSpend !== null ? 'minSpend' : 'minPoints', 'the base level has no thresholds: every customer is at it until it qualifies for another')
    if (l.rank !== 0) throw base('rank', 'the base level keeps rank 0')
    if (!l.active) throw base('active', 'the base level cannot be deactivated: customers without another level are at it')
    return
  }
  if (l.minSpend === null && l.minPoints === null) throw invalid('minSpend', 'a level above the base needs minSpend or minPoints (or both)', 'REQUIRED')
}

/** A taken key, rank or externalId is the caller's to fix: CONFLICT naming the field. */
function asTaken(err: unknown): unknown {
  const v = uniqueViolation(err)
  if (!v) return err
  const field = v.constraint.includes('external_id') ? 'externalId' : v.constraint.includes('rank') ? 'rank' : v.constraint.includes('key') ? 'key' : null
  return new CrmError('CRM_ERR_CONFLICT', `${field ?? 'A unique field'}: another member level already has this value`,
    [{ field, message: 'is already used by another member level', code: 'TAKEN' }])
}

async function assertTemplates(ex: Executor, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return
  const found = await ex.select({ id: couponTemplates.id }).from(couponTemplates)
    .where(and(sql`${couponTemplates.id} = any(${`{${ids.join(',')}}`}::uuid[])`, isNull(couponTemplates.deletedAt)))
  const known = new Set(found.map((r) => r.id))
  const missing = ids.filter((id) => !known.has(id))
  if (missing.length) throw invalid('couponTemplateIds', `name no coupon template: ${missing.join(', ')}`, 'UNKNOWN_REFERENCE')
}

const levelFields = ['nameZh', 'nameEn', 'rank', 'minSpend', 'minPoints', 'match', 'windowMonths', 'reviewMonths', 'pointsMultiplierBp', 'discountBp', 'couponTemplateIds', 'externalId', 'active'] as const

/**
 * 会员等级设置: the levels as data (loyaltyConfig). A change to a level's thresholds or window
 * moves nobody by itself: the next activity of a customer may move it up under the new
 * thresholds, and its review may move it down (docs/loyalty.md, "Changing a level").
 */
export class LevelsAdmin {
  constructor(private readonly deps: ServiceDeps) {}

  async list(actor: Actor, query: unknown = {}): Promise<MemberLevelView[]> {
    authorize(actor, 'loyaltyConfig', 'read')
    const q = parse(LevelListQuery, query)
    return (await repo.all(this.deps.db)).filter((l) => q.active === undefined || l.active === q.active).map(levelView)
  }

  async get(actor: Actor, id: string): Promise<MemberLevelView> {
    authorize(actor, 'loyaltyConfig', 'read')
    const row = isUuid(id) ? await repo.byId(this.deps.db, id) : undefined
    if (!row) throw notFound('MemberLevel', id)
    return levelView(row)
  }

  /** Levels by id for loaders (a small table: read whole), null where unknown. */
  async findMany(actor: Actor, ids: readonly string[]): Promise<(MemberLevelView | null)[]> {
    authorize(actor, 'loyaltyConfig', 'read')
    const byId = new Map((await repo.all(this.deps.db)).map((l) => [l.id, levelView(l)]))
    return ids.map((id) => byId.get(id) ?? null)
  }

  async create(actor: Actor, input: unknown): Promise<MemberLevelView> {
    const data = parse(LevelCreate, input)
    authorize(actor, 'loyaltyConfig', 'write')
    const values = {
      key: data.key, nameZh: data.nameZh, nameEn: data.nameEn, rank: data.rank, minSpend: data.minSpend ?? null, minPoints: data.minPoints ?? null,
      match: data.match ?? 'any', windowMonths: data.windowMonths ?? 12, reviewMonths: data.reviewMonths ?? 12,
      pointsMultiplierBp: data.pointsMultiplierBp ?? 10000, discountBp: data.discountBp ?? 0, couponTemplateIds: data.couponTemplateIds ?? [],
      externalId: data.externalId ?? null, active: true
    }
    checkShape({ id: '', ...values })
    return runAction(this.deps.db, actionContext(actor), async (action) => {
      await assertTemplates(action.tx, values.couponTemplateIds)
      const [row] = await action.tx.insert(memberLevels).values(values).returning().catch((err: unknown) => { throw asTaken(err) })
      action.audit({ action: 'member_level.created', entityType: 'member_level', entityId: row.id, changes: levelView(row) })
      return levelView(row)
    })
  }

  /** Changes a level; nobody moves until their next activity (up) or review (down). */
  async update(actor: Actor, id: string, input: unknown): Promise<MemberLevelView> {
    const data = parse(LevelUpdate, input)
    authorize(actor, 'loyaltyConfig', 'write')
    return runAction(this.deps.db, actionContext(actor), async (action) => {
      const before = isUuid(id) ? await repo.lock(action.tx, id) : undefined
      if (!before) throw notFound('MemberLevel', id)
      if (data.expectedVersion !== undefined && data.expectedVersion !== before.version) throw staleVersion('MemberLevel', data.expectedVersion, before.version)
      const { expectedVersion: _v, ...rest } = data
      const next = { ...before, ...rest }
      checkShape(next)
      if (data.couponTemplateIds) await assertTemplates(action.tx, data.couponTemplateIds)
      const changes = changedFields(before, next, levelFields)
      if (Object.keys(changes).length === 0) return levelView(before)
      const [row] = await action.tx.update(memberLevels).set({ ...rest, version: before.version + 1, updatedAt: new Date() })
        .where(eq(memberLevels.id, before.id)).returning().catch((err: unknown) => { throw asTaken(err) })
      action.audit({ action: 'member_level.updated', entityType: 'member_level', entityId: row.id, changes })
      return levelView(row)
    })
  }

  /** No customer reaches it any more; those at it keep it until their review (the base level stays). */
  async deactivate(actor: Actor, id: string, expectedVersion?: number): Promise<MemberLevelView> {
    return this.update(actor, id, { active: false, ...(expectedVersion !== undefined ? { expectedVersion } : {}) })
  }
}
