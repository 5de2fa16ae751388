import type { SQL } from 'drizzle-orm'
import { Keyset, type PageRequest } from '../../db/paging.js'
import { referrals } from '../../db/schema/referrals.js'
import { referrers } from '../../db/schema/referrers.js'
import { notFound } from '../../errors.js'
import type { Actor } from '../auth/actor.js'
import { authorize } from '../auth/permissions.js'
import { reachFilter } from '../auth/reach.js'
import { relatedRows } from '../common/related-reach.js'
import { isUuid, parse } from '../common/validate.js'
import { LeadsService } from '../leads/leads.service.js'
import type { ServiceDeps } from '../service-deps.js'
import { referralReach } from './referral-reach.js'
import { expirePendingConsents, purgeUnconsented } from './referral-expiry.js'
import { countsPerParent, pagesPerParent, type Parent } from './referral-lists.js'
import { qualifyReferral, reissueConsentToken, rejectReferral } from './referral-review.js'
import { activeReferrerByCode, runningCampaign, unknownCode } from './referral-sources.js'
import { statsOf, type ReferrerStats } from './referral-stats.js'
import { confirmConsent, submitAuthenticated, submitPublic, type RequestMeta, type SubmissionDeps } from './referral-submissions.js'
import { displayName } from './public-view.js'
import { referralConditions, referralsRepository as repo, type ReferralRow } from './referrals.repository.js'
import { ReferralFilter, type ReferralOrderField } from './referrals.schemas.js'
import { referralView, type Referral } from './referrals.views.js'
import { assertMayFilterBy } from '../common/personal-search.js'

export type { Referral, ReferrerStats, RequestMeta }
export type ReferralOrder = { field: ReferralOrderField; direction: 'ASC' | 'DESC' }
/** One parent's nested connection arguments (Referrer.referrals, Customer.referrals). */
export type NestedPage = { parentId: string; first?: number | null; after?: string | null; filter?: unknown; orderBy?: ReferralOrder | null }

const orderColumns = { createdAt: referrals.createdAt, updatedAt: referrals.updatedAt }

/** 推荐记录: capture, consent, checks and progress of referrals (docs/referrals.md). */
export class ReferralsService {
  private readonly submissions: SubmissionDeps

  constructor(private readonly deps: ServiceDeps, leadsService: LeadsService = new LeadsService(deps)) {
    this.submissions = { deps, leads: leadsService }
  }

  /**
   * The filter that hides referrals outside the actor's reach. Team reach: the referral's
   * lead is owned in the team, or its referrer's relationship owner is in the team.
   */
  scope(actor: Actor, op: 'read' | 'write' = 'read'): SQL | undefined {
    return referralReach(actor, authorize(actor, 'referrals', op))
  }

  /** One referral the actor may see, or NOT_FOUND (never a hint that it exists). */
  async get(actor: Actor, id: string): Promise<Referral> {
    const row = isUuid(id) ? await repo.byId(this.deps.db, id, this.scope(actor)) : undefined
    if (!row) throw notFound('Referral', id)
    return this.toView(actor, row)
  }

  /** Batched read for loaders: referrals by id, in the order asked, null where unseen. */
  async findMany(actor: Actor, ids: readonly string[]): Promise<(Referral | null)[]> {
    const rows = await repo.byIds(this.deps.db, ids.filter(isUuid), this.scope(actor))
    const byId = new Map(rows.map((r) => [r.id, this.toView(actor, r)]))
    return ids.map((id) => byId.get(id) ?? null)
  }

  /** A keyset page of the referrals the actor may see; `count` runs only if called. */
  async list(actor: Actor, filter: unknown, order: ReferralOrder, page: PageRequest) {
    const where = this.conditions(actor, filter)
    const keyset = new Keyset(order.field, orderColumns[order.field], referrals.id, order.direction, page)
    const result = keyset.page(await repo.page(this.deps.db, where, keyset))
    return { ...result, rows: result.rows.map((r) => this.toView(actor, r as ReferralRow)), count: () => repo.count(this.deps.db, where) }
  }

  /**
   * Referrer.referrals / Customer.referrals for every parent of a page: one query per
   * distinct set of arguments, and one grouped count shared by all of them when asked.
   */
  async perParent(actor: Actor, parent: Parent, requests: readonly NestedPage[]) {
    const groups = new Map<string, NestedPage[]>()
    for (const r of requests) {
      const key = JSON.stringify([r.first, r.after, r.filter, r.orderBy])
      groups.set(key, [...(groups.get(key) ?? []), r])
    }
    const answers = new Map<NestedPage, ReturnType<typeof this.connectionOf>>()
    for (const group of groups.values()) {
      const { filter, orderBy, first, after } = group[0]
      const where = this.conditions(actor, filter)
      const order = orderBy ?? { field: 'createdAt', direction: 'DESC' }
      const keyset = new Keyset(order.field, orderColumns[order.field], referrals.id, order.direction, { first, after })
      const ids = [...new Set(group.map((r) => r.parentId).filter(isUuid))]
      const pages = await pagesPerParent(this.deps.db, parent, ids, where, keyset)
      let counts: Promise<Map<string, number>> | undefined
      const countOf = async (id: string) => (await (counts ??= countsPerParent(this.deps.db, parent, ids, where))).get(id) ?? 0
      for (const r of group) answers.set(r, this.connectionOf(actor, pages.get(r.parentId), () => countOf(r.parentId)))
    }
    return requests.map((r) => answers.get(r)!)
  }

  /** Referrer.stats for many referrers (one query). A referrer token gets only its own. */
  async stats(actor: Actor, referrerIds: readonly string[]): Promise<(ReferrerStats | null)[]> {
    const reach = authorize(actor, 'referrals', 'read')
    const allowed = referrerIds.map((id) => isUuid(id) && (reach !== 'self' || id === actor.referrerId))
    const stats = await statsOf(this.deps.db, referrerIds.filter((_id, i) => allowed[i]))
    let next = 0
    return allowed.map((ok) => (ok ? stats[next++] : null))
  }

  /** submitReferral / POST /referrals; the consent token only when one was issued and may be shown. */
  submit(actor: Actor, input: unknown, now = new Date()): Promise<{ referral: Referral; consentToken: string | null }> {
    return submitAuthenticated(this.submissions, actor, input, now)
      .then(({ row, consentToken }) => ({ referral: this.toView(actor, row), consentToken }))
  }

  /** POST /public/referrals: nothing comes back, whatever became of it. */
  submitPublic(input: unknown, meta: RequestMeta, now = new Date()): Promise<void> {
    return submitPublic(this.submissions, input, meta, now)
  }

  /** confirmReferralConsent and its REST twins (actor null: the public one). */
  async confirmConsent(actor: Actor | null, input: unknown, meta: RequestMeta, now = new Date()): Promise<ReferralRow> {
    return confirmConsent(this.submissions, actor, input, meta, now)
  }

  async qualify(actor: Actor, id: string, expectedVersion?: number, now = new Date()): Promise<Referral> {
    return this.toView(actor, await qualifyReferral({ deps: this.deps, actor, scope: this.scope(actor, 'write') }, id, expectedVersion, now))
  }

  async reject(actor: Actor, id: string, input: unknown, expectedVersion?: number, now = new Date()): Promise<Referral> {
    return this.toView(actor, await rejectReferral({ deps: this.deps, actor, scope: this.scope(actor, 'write') }, id, input, expectedVersion, now))
  }

  issueConsentToken(actor: Actor, id: string, now = new Date()): Promise<{ token: string; expiresAt: Date }> {
    return reissueConsentToken({ deps: this.deps, actor, scope: this.scope(actor, 'write') }, id, now)
  }

  /** The consent-expiry job's pass as of `now`: expire, then purge past retention. */
  async expireConsents(now: Date): Promise<{ expired: number; purged: number }> {
    const expired = await expirePendingConsents(this.deps, now)
    return { expired, purged: await purgeUnconsented(this.deps, now) }
  }

  /** GET /public/referrers/{code}: a display name and the running campaign, nothing personal. */
  async publicReferrer(code: string, campaignId: string | undefined, now = new Date()) {
    const referrer = await activeReferrerByCode(this.deps.db, code)
    if (!referrer) throw unknownCode()
    return { code: referrer.code, displayName: displayName(referrer), campaign: await runningCampaign(this.deps.db, now, campaignId) }
  }

  toView(actor: Actor, row: ReferralRow): Referral {
    return referralView(this.deps.pii, actor, row)
  }

  private conditions(actor: Actor, filter: unknown): SQL[] {
    const scope = this.scope(actor)
    const referrerReach = relatedRows(actor, 'referrers', (reach) => reachFilter(actor, reach, { owner: referrers.ownerId, self: referrers.id }))
    const parsed = parse(ReferralFilter, filter ?? {})
    assertMayFilterBy(actor, parsed)
    const where = referralConditions(parsed, this.deps.pii, referrerReach)
    if (scope) where.push(scope)
    return where
  }

  private connectionOf(actor: Actor, page: { rows: ReferralRow[]; hasNextPage: boolean; endCursor: string | null; cursors: string[] } | undefined, totalCount: () => Promise<number>) {
    const rows = page?.rows ?? []
    return {
      edges: rows.map((row, i) => ({ cursor: page!.cursors[i], node: this.toView(actor, row) })),
      pageInfo: { hasNextPage: page?.hasNextPage ?? false, endCursor: page?.endCursor ?? null },
      totalCount
    }
  }
}
