import { and, eq, sql, type SQL } from 'drizzle-orm'
import { Keyset, type Page, type PageRequest } from '../../db/paging.js'
import { rewards } from '../../db/schema/incentives.js'
import { notFound } from '../../errors.js'
import type { Actor } from '../auth/actor.js'
import { authorize } from '../auth/permissions.js'
import { isUuid, parse } from '../common/validate.js'
import type { ServiceDeps } from '../service-deps.js'
import { approveDueRewards, approveReward, cancelReward, markRewardPaid } from './reward-actions.js'
import { rewardConditions, rewardsRepository as repo, type RewardTotal } from './rewards.repository.js'
import { RewardFilter, type RewardOrderField } from './rewards.schemas.js'
import { rewardView, rewardViewFor, type Reward, type RewardRow } from './rewards.views.js'

export type { Reward, RewardTotal }
export type RewardOrder = { field: RewardOrderField; direction: 'ASC' | 'DESC' }
/** One referrer's nested connection arguments (Referrer.rewards). */
export type NestedRewards = { referrerId: string; first?: number | null; after?: string | null; filter?: unknown; orderBy?: RewardOrder | null }

const orderColumns = { createdAt: rewards.createdAt, updatedAt: rewards.updatedAt }
const EXPORT_BATCH = 200

/** 奖励台账: the reward ledger, its finance views and its state changes (docs/rewards.md). */
export class RewardsService {
  constructor(private readonly deps: ServiceDeps) {}

  /** Finance and marketing read the whole ledger; a referrer token only entries where it is the beneficiary referrer. */
  scope(actor: Actor): SQL | undefined {
    const reach = authorize(actor, 'rewards', 'read')
    if (reach === 'all') return undefined
    if (reach === 'self' && actor.referrerId) return and(eq(rewards.beneficiaryType, 'referrer'), eq(rewards.beneficiaryId, actor.referrerId))
    return sql`false`
  }

  /** One entry the actor may see, or NOT_FOUND (never a hint that it exists). */
  async get(actor: Actor, id: string): Promise<Reward> {
    const row = isUuid(id) ? await repo.byId(this.deps.db, id, this.scope(actor)) : undefined
    if (!row) throw notFound('Reward', id)
    return rewardViewFor(actor)(row)
  }

  /** Batched read for loaders: entries by id, in the order asked, null where unseen. */
  async findMany(actor: Actor, ids: readonly string[]): Promise<(Reward | null)[]> {
    const rows = await repo.byIds(this.deps.db, ids.filter(isUuid), this.scope(actor))
    const view = rewardViewFor(actor)
    const byId = new Map(rows.map((r) => [r.id, view(r)]))
    return ids.map((id) => byId.get(id) ?? null)
  }

  /** A keyset page of the ledger; `count` and `totals` run only if called. */
  async list(actor: Actor, filter: unknown, order: RewardOrder, page: PageRequest) {
    const where = this.conditions(actor, filter)
    const keyset = new Keyset(order.field, orderColumns[order.field], rewards.id, order.direction, page)
    const result = keyset.page(await repo.page(this.deps.db, where, keyset))
    return {
      ...result, rows: result.rows.map((r) => rewardViewFor(actor)(r as RewardRow)),
      count: () => repo.count(this.deps.db, where), totals: () => repo.totals(this.deps.db, where)
    }
  }

  /** Sums per reward type and currency of the entries the filter selects. */
  async totals(actor: Actor, filter: unknown): Promise<RewardTotal[]> {
    return repo.totals(this.deps.db, this.conditions(actor, filter))
  }

  /** Referrer.rewards for every referrer of a page: one query per distinct set of arguments; counts and totals shared when asked. */
  async perReferrer(actor: Actor, requests: readonly NestedRewards[]) {
    const groups = new Map<string, NestedRewards[]>()
    for (const r of requests) {
      const key = JSON.stringify([r.first, r.after, r.filter, r.orderBy])
      groups.set(key, [...(groups.get(key) ?? []), r])
    }
    const answers = new Map<NestedRewards, ReturnType<typeof connectionOf>>()
    for (const group of groups.values()) {
      const { filter, orderBy, first, after } = group[0]
      const where = this.conditions(actor, filter)
      const order = orderBy ?? { field: 'createdAt', direction: 'DESC' }
      const keyset = new Keyset(order.field, orderColumns[order.field], rewards.id, order.direction, { first, after })
      const ids = [...new Set(group.map((r) => r.referrerId).filter(isUuid))]
      const pages = await repo.pagesPerReferrer(this.deps.db, ids, where, keyset)
      let counts: Promise<Map<string, number>> | undefined
      let totals: Promise<Map<string, RewardTotal[]>> | undefined
      for (const r of group) {
        answers.set(r, connectionOf(pages.get(r.referrerId), rewardViewFor(actor), {
          totalCount: async () => (await (counts ??= repo.countsPerReferrer(this.deps.db, ids, where))).get(r.referrerId) ?? 0,
          totals: async () => (await (totals ??= repo.totalsPerReferrer(this.deps.db, ids, where))).get(r.referrerId) ?? []
        }))
      }
    }
    return requests.map((r) => answers.get(r)!)
  }

  /**
   * The export: every entry the filter selects, oldest first, read in keyset batches so a
   * large ledger streams in constant memory. Authorised before the first batch.
   */
  async *exportRows(actor: Actor, filter: unknown): AsyncGenerator<Reward> {
    const where = this.conditions(actor, filter)
    let after: string | null = null
    for (;;) {
      const keyset: Keyset = new Keyset('createdAt', rewards.createdAt, rewards.id, 'ASC', { first: EXPORT_BATCH, after })
      const page: Page<RewardRow> = keyset.page(await repo.page(this.deps.db, where, keyset)) as Page<RewardRow>
      for (const row of page.rows) yield rewardViewFor(actor)(row)
      if (!page.hasNextPage) return
      after = page.endCursor
    }
  }

  /** Checks the caller may read the ledger at all (exports check before streaming). */
  assertReadable(actor: Actor): void {
    this.scope(actor)
  }

  async approve(actor: Actor, id: string, expectedVersion?: number, now = new Date()): Promise<Reward> {
    return rewardView(await approveReward(this.deps, actor, id, expectedVersion, now))
  }

  async markPaid(actor: Actor, id: string, input: unknown, now = new Date()): Promise<Reward> {
    return rewardView(await markRewardPaid(this.deps, actor, id, input, now))
  }

  async cancel(actor: Actor, id: string, input: unknown, now = new Date()): Promise<Reward> {
    return rewardView(await cancelReward(this.deps, actor, id, input, now))
  }

  /** The reward-approval job's pass as of `now`. */
  approveDue(now: Date): Promise<{ approved: number }> {
    return approveDueRewards(this.deps, now)
  }

  private conditions(actor: Actor, filter: unknown): SQL[] {
    const scope = this.scope(actor)
    const where = rewardConditions(parse(RewardFilter, filter ?? {}))
    if (scope) where.push(scope)
    return where
  }
}

function connectionOf(page: Page<RewardRow> | undefined, view: (row: RewardRow) => Reward, lazy: { totalCount: () => Promise<number>; totals: () => Promise<RewardTotal[]> }) {
  const rows = page?.rows ?? []
  return {
    edges: rows.map((row, i) => ({ cursor: page!.cursors[i], node: view(row) })),
    pageInfo: { hasNextPage: page?.hasNextPage ?? false, endCursor: page?.endCursor ?? null },
    ...lazy
  }
}
