import { and, eq, getTableColumns, type SQL } from 'drizzle-orm'
import { runAction } from '../../db/action.js'
import type { Executor } from '../../db/client.js'
import { Keyset, type PageRequest } from '../../db/paging.js'
import { countWhere, selectPage } from '../../db/list-queries.js'
import { customers } from '../../db/schema/customers.js'
import { customerLevelChanges } from '../../db/schema/member-levels.js'
import { CrmError, invalid, notFound } from '../../errors.js'
import { addMonths } from '../../rules/member-levels.js'
import { actionContext, systemActor, type Actor } from '../auth/actor.js'
import { authorize } from '../auth/permissions.js'
import { reachFilter } from '../auth/reach.js'
import { isUuid, parse } from '../common/validate.js'
import type { ServiceDeps } from '../service-deps.js'
import { LevelsAdmin } from './levels.admin.js'
import { evaluateLevelInAction, setLevelInAction, type LevelChange } from './levels.evaluate.js'
import { levelsRepository as repo } from './levels.repository.js'
import { BASE_LEVEL_ID, ReviewLevels, SetCustomerLevel } from './levels.schemas.js'
import { changeView, levelView, type CustomerLevelView, type LevelChangeView, type MemberLevelView } from './levels.views.js'

/** One review pass: how many customers were looked at and what happened to them. */
export type ReviewResult = { reviewed: number; upgraded: number; downgraded: number; renewed: number; failed: number; more: boolean }
export type ReviewOptions = {
  /** Customers reviewed at most (the admin trigger); default: all that are due. */
  limit?: number
  batch?: number
  /** A customer whose review failed: the pass goes on (the job logs and counts it). */
  onFailure?: (err: unknown, item: { customerId: string }) => void
}

/** 会员等级: customers' levels, their history, counts, manual levels and the review (docs/loyalty.md). */
export class LevelsService {
  readonly admin: LevelsAdmin

  constructor(private readonly deps: ServiceDeps) {
    this.admin = new LevelsAdmin(deps)
  }

  private now(): Date {
    return new Date()
  }

  /** The customers whose loyalty the actor reaches for `op` (undefined: all). */
  private scope(actor: Actor, op: 'read' | 'write'): SQL | undefined {
    return reachFilter(actor, authorize(actor, 'loyalty', op), { owner: customers.ownerId })
  }

  /** Customer.level for many customers in one statement; null where the actor may not see the customer's loyalty. */
  async ofCustomers(actor: Actor, customerIds: readonly string[]): Promise<(CustomerLevelView | null)[]> {
    const ids = [...new Set(customerIds.filter(isUuid))]
    const found = await repo.ofCustomers(this.deps.db, ids, this.scope(actor, 'read'))
    const byId = new Map(found.map((r) => [r.customerId, {
      customerId: r.customerId, level: levelView(r.level), reachedAt: r.reachedAt?.toISOString() ?? null, reviewAt: r.reviewAt?.toISOString() ?? null
    }]))
    return customerIds.map((id) => byId.get(id) ?? null)
  }

  /** One customer's level (REST `GET /customers/{id}/level`). */
  async ofCustomer(actor: Actor, customerId: string): Promise<CustomerLevelView> {
    const [found] = await this.ofCustomers(actor, [customerId])
    if (!found) throw notFound('Customer', customerId)
    return found
  }

  /** REST customer views gain `level`, in one statement for the page; absent for a role that may not read loyalty. */
  async attach<T extends { id: string }>(actor: Actor, list: T[]): Promise<(T & { level?: Omit<CustomerLevelView, 'customerId'> | null })[]> {
    if (list.length === 0) return list
    let levels: (CustomerLevelView | null)[]
    try {
      levels = await this.ofCustomers(actor, list.map((c) => c.id))
    } catch (err) {
      if (err instanceof CrmError && err.code === 'CRM_ERR_FORBIDDEN') return list
      throw err
    }
    return list.map((c, i) => {
      const l = levels[i]
      return { ...c, level: l ? { level: l.level, reachedAt: l.reachedAt, reviewAt: l.reviewAt } : null }
    })
  }

  /** A customer's level history, newest first. */
  async history(actor: Actor, customerId: string, page: PageRequest) {
    await this.ofCustomer(actor, customerId)
    const keyset = new Keyset('at', customerLevelChanges.at, customerLevelChanges.id, 'DESC', page)
    const where = [eq(customerLevelChanges.customerId, customerId)]
    const result = keyset.page(await selectPage(this.deps.db, customerLevelChanges, getTableColumns(customerLevelChanges), where, keyset))
    return { ...result, rows: result.rows.map(changeView), count: () => countWhere(this.deps.db, customerLevelChanges, where) }
  }

  /** Customers the actor may see per level (those that never moved are at the base level), by rank. */
  async counts(actor: Actor): Promise<{ level: MemberLevelView; count: number }[]> {
    const scope = this.scope(actor, 'read')
    const [levels, counts] = await Promise.all([repo.all(this.deps.db), repo.counts(this.deps.db, scope)])
    return levels.map((l) => ({ level: levelView(l), count: counts.get(l.id) ?? 0 }))
  }

  /** Sets a customer's level by hand, with the reason (history reason `manual`): admins and managers. */
  async setLevel(actor: Actor, input: unknown): Promise<LevelChange> {
    const data = parse(SetCustomerLevel, input)
    authorize(actor, 'loyaltyConfig', 'write')
    const scope = this.scope(actor, 'write')
    if ((data.levelId === undefined) === (data.levelKey === undefined)) {
      throw invalid('levelKey', 'name the level by exactly one of levelId and levelKey', data.levelId ? 'AMBIGUOUS_LEVEL' : 'REQUIRED')
    }
    const now = this.now()
    const reviewAt = data.reviewAt ? new Date(data.reviewAt) : undefined
    if (reviewAt && reviewAt.getTime() <= now.getTime()) throw invalid('reviewAt', 'must be in the future', 'OUT_OF_RANGE')
    return runAction(this.deps.db, actionContext(actor), async (action) => {
      await this.assertCustomer(action.tx, data.customerId, scope)
      const level = data.levelId ? await repo.byId(action.tx, data.levelId) : await repo.byKey(action.tx, data.levelKey!)
      const field = data.levelId ? 'levelId' : 'levelKey'
      if (!level) throw invalid(field, 'names no member level', 'UNKNOWN_LEVEL')
      if (!level.active) throw invalid(field, 'names an inactive level', 'INACTIVE_LEVEL')
      const base = level.id === BASE_LEVEL_ID
      if (base && reviewAt) throw invalid('reviewAt', 'the base level has no review', 'BASE_LEVEL')
      return setLevelInAction(action, data.customerId, level, data.reason, base ? null : reviewAt ?? addMonths(now, level.reviewMonths), now)
    })
  }

  /** A live customer within the actor's reach, else the caller's mistake (never a hint that it exists). */
  private async assertCustomer(ex: Executor, customerId: string, scope: SQL | undefined): Promise<void> {
    const [row] = isUuid(customerId)
      ? await ex.select({ deletedAt: customers.deletedAt }).from(customers).where(and(eq(customers.id, customerId), scope))
      : []
    if (!row || row.deletedAt) throw invalid('customerId', 'is not a customer you can see', 'UNKNOWN_CUSTOMER')
  }

  /** One customer's review, in its own action (a seam: the review pass calls it per customer). */
  reviewOne(customerId: string, now: Date): Promise<LevelChange | null> {
    return runAction(this.deps.db, actionContext(systemActor), (action) => evaluateLevelInAction(action, customerId, now, 'review'))
  }

  /**
   * The review pass (src/jobs/level-review.job.ts): every customer whose review date has
   * come, oldest first, each in its own transaction; one that fails is reported and skipped,
   * the pass goes on.
   */
  async reviewDue(now: Date, opts: ReviewOptions = {}): Promise<ReviewResult> {
    const result: ReviewResult = { reviewed: 0, upgraded: 0, downgraded: 0, renewed: 0, failed: 0, more: false }
    const batch = opts.batch ?? 500
    const limit = opts.limit ?? Number.POSITIVE_INFINITY
    let after: { reviewAt: Date; customerId: string } | null = null
    for (;;) {
      const due = await repo.due(this.deps.db, now, after, Math.min(batch, limit - result.reviewed + 1))
      for (const item of due) {
        if (result.reviewed >= limit) { result.more = true; return result }
        after = item
        result.reviewed++
        try {
          const change = await this.reviewOne(item.customerId, now)
          if (change?.reason === 'upgrade') result.upgraded++
          else if (change?.reason === 'downgrade') result.downgraded++
          else if (change?.reason === 'renewal') result.renewed++
        } catch (err) {
          result.failed++
          opts.onFailure?.(err, { customerId: item.customerId })
        }
      }
      if (due.length < batch) return result
    }
  }

  /** The admin's trigger: reviews up to `limit` due customers now (the job does all of them on its schedule). */
  async reviewNow(actor: Actor, input: unknown): Promise<ReviewResult> {
    const data = parse(ReviewLevels, input ?? {})
    authorize(actor, 'loyaltyConfig', 'write')
    return this.reviewDue(this.now(), { limit: data.limit ?? 1000 })
  }

  /** Re-evaluates one customer now, as activity would (up only): after changing a level's thresholds, or an import. */
  async evaluate(actor: Actor, customerId: string): Promise<LevelChange | null> {
    authorize(actor, 'loyaltyConfig', 'write')
    const scope = this.scope(actor, 'write')
    return runAction(this.deps.db, actionContext(actor), async (action) => {
      await this.assertCustomer(action.tx, customerId, scope)
      return evaluateLevelInAction(action, customerId, this.now(), 'activity')
    })
  }
}

export type { LevelChange, LevelChangeView }
