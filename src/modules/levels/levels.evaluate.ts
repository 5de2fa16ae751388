import type { Action } from '../../db/action.js'
import { issueCouponInAction } from '../coupons/coupons.issue.js'
import { CrmError } from '../../errors.js'
import { evaluate, windowsOf, type Occasion } from '../../rules/member-levels.js'
import { levelsRepository as repo, type CurrentRow } from './levels.repository.js'
import { BASE_LEVEL_ID, LEVEL_CURRENCY } from './levels.schemas.js'
import { levelRef, toRule, type ChangeFacts, type LevelRef, type LevelRow } from './levels.views.js'

/**
 * Where the rest of the service meets member levels, inside the caller's action: a level
 * decision for one customer (after an order or a points credit, at its review, or by hand)
 * is written with its history row, audit entry and `customer.level_changed` event in the
 * caller's transaction (docs/loyalty.md, "Member levels").
 */

export type LevelChangeReason = 'upgrade' | 'downgrade' | 'renewal' | 'manual'

/** A level move as the caller learns of it. */
export type LevelChange = {
  /** The history row (customer_level_changes). */
  id: string
  customerId: string
  reason: LevelChangeReason
  from: LevelRef
  to: LevelRef & { discountBp: number; pointsMultiplierBp: number }
  reachedAt: Date
  reviewAt: Date | null
  /** Coupon templates issued with this move: the reached level's when the customer went up (an upgrade, or a manual move up); empty otherwise. */
  couponTemplateIds: string[]
}

type Move = {
  customerId: string
  before: CurrentRow | undefined
  from: LevelRow
  to: LevelRow
  reason: LevelChangeReason
  reachedAt: Date
  reviewAt: Date | null
  facts: ChangeFacts
}

async function apply(action: Action, m: Move, now: Date): Promise<LevelChange> {
  await repo.upsertCurrent(action.tx, m.customerId, m.to.id, m.reachedAt, m.reviewAt, now)
  const change = await repo.insertChange(action.tx, {
    customerId: m.customerId, fromLevelId: m.from.id, toLevelId: m.to.id, reason: m.reason,
    facts: { ...m.facts, reviewAt: m.reviewAt?.toISOString() ?? null }, at: now
  })
  const from = levelRef(m.from)
  const to = levelRef(m.to)
  const reviewAt = m.reviewAt?.toISOString() ?? null
  action.audit({
    action: m.reason === 'renewal' ? 'customer.level_renewed' : 'customer.level_changed', entityType: 'customer', entityId: m.customerId,
    changes: {
      level: { from: from.key, to: to.key }, reviewAt: { from: m.before?.reviewAt?.toISOString() ?? null, to: reviewAt },
      reason: m.reason, changeId: change.id, facts: m.facts
    }
  })
  // A renewal keeps the level: it is history and audit, not news for integrators.
  if (m.reason !== 'renewal') {
    action.emit({
      type: 'customer.level_changed', entityType: 'customer', entityId: m.customerId,
      data: {
        customerId: m.customerId, changeId: change.id, reason: m.reason, from, to, reachedAt: m.reachedAt.toISOString(), reviewAt,
        facts: (m.facts.windows ?? []).map((w) => ({ ...w, spend: { amount: w.spend, currency: LEVEL_CURRENCY } })), note: m.facts.note ?? null
      }
    })
  }
  const couponTemplateIds = m.to.rank > m.from.rank ? [...m.to.couponTemplateIds] : []
  // Reaching a level issues its coupons in the same transaction; a template that cannot issue
  // (inactive, sold out) is audited as coupon.not_issued and the move stands.
  for (const templateId of couponTemplateIds) await issueCouponInAction(action, { templateId, customerId: m.customerId }, now)
  return {
    id: change.id, customerId: m.customerId, reason: m.reason, from, to: { ...to, discountBp: m.to.discountBp, pointsMultiplierBp: m.to.pointsMultiplierBp },
    reachedAt: m.reachedAt, reviewAt: m.reviewAt, couponTemplateIds
  }
}

const baseOf = (levels: readonly LevelRow[]) => levels.find((l) => l.id === BASE_LEVEL_ID) ?? levels[0]

/**
 * Evaluates the customer's level now, in the caller's action: on `activity` (an order or a
 * points credit landed) it can only go up; on `review` it may also go down or be renewed,
 * once its review date has come. Facts are read after the customer's level lock, so two
 * orders at once count each other. Null when nothing changes.
 */
export async function evaluateLevelInAction(action: Action, customerId: string, now: Date, occasion: Occasion): Promise<LevelChange | null> {
  await repo.lockCustomer(action.tx, customerId)
  const levels = await repo.all(action.tx)
  const rules = levels.map(toRule)
  const windows = windowsOf(rules)
  const before = await repo.current(action.tx, customerId)
  // Nothing above the base level and the customer at it: nothing can move.
  if (windows.length === 0 && (!before || before.levelId === BASE_LEVEL_ID)) return null
  const { facts, stored } = await repo.facts(action.tx, customerId, windows, now)
  const decision = evaluate(rules, before ? { levelId: before.levelId, reachedAt: before.reachedAt, reviewAt: before.reviewAt } : null, facts, now, occasion)
  if (decision.kind === 'keep') return null
  const byId = new Map(levels.map((l) => [l.id, l]))
  return apply(action, {
    customerId, before, from: byId.get(decision.fromLevelId ?? '') ?? baseOf(levels), to: byId.get(decision.toLevelId)!,
    reason: decision.kind, reachedAt: decision.reachedAt, reviewAt: decision.reviewAt,
    facts: { occasion, explanation: decision.explanation, windows: stored }
  }, now)
}

/**
 * Puts the customer at `to` by hand (history reason `manual`, `note` says why), reviewed at
 * `reviewAt` (default: now + the level's reviewMonths; the base level has none). The rules
 * go on from there: activity may move it up, its review may move it down.
 */
export async function setLevelInAction(action: Action, customerId: string, to: LevelRow, note: string, reviewAt: Date | null, now: Date): Promise<LevelChange> {
  await repo.lockCustomer(action.tx, customerId)
  const before = await repo.current(action.tx, customerId)
  const from = (before ? await repo.byId(action.tx, before.levelId) : undefined) ?? (await repo.byId(action.tx, BASE_LEVEL_ID))!
  if (from.id === to.id) {
    throw new CrmError('CRM_ERR_INVALID_TRANSITION', `levelKey: the customer is already at ${to.key}`,
      [{ field: 'levelKey', code: 'ALREADY_AT_LEVEL', message: 'the customer is already at this level' }])
  }
  return apply(action, { customerId, before, from, to, reason: 'manual', reachedAt: now, reviewAt, facts: { occasion: 'manual', note } }, now)
}

/** After points were credited to a customer (an approved reward): its level may go up, when levels above the base exist. */
export async function levelsOnPointsEarned(action: Action, customerId: string, now: Date): Promise<LevelChange | null> {
  if (!(await repo.hasLevelsAboveBase(action.tx))) return null
  return evaluateLevelInAction(action, customerId, now, 'activity')
}
