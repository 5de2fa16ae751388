import { and, eq, isNull, sql, type SQL } from 'drizzle-orm'
import { runAction } from '../../db/action.js'
import { Keyset, type PageRequest } from '../../db/paging.js'
import { couponBatches, coupons, couponTemplates } from '../../db/schema/coupons.js'
import { CrmError, forbidden, invalid, notFound } from '../../errors.js'
import { parseCouponCode } from '../../rules/coupon-code.js'
import { actionContext, type Actor } from '../auth/actor.js'
import { authorize } from '../auth/permissions.js'
import { isUuid, parse } from '../common/validate.js'
import { resolveHolder } from '../points/points.holders.js'
import type { ServiceDeps } from '../service-deps.js'
import { MAX_BATCH, generateBatch, runPendingBatches, SYNC_BATCH_LIMIT } from './coupons.batches.js'
import { invalidCode, invalidCodeMessage, refused, resolveBuyer, unknownCode, UNKNOWN_CODE } from './coupons.buyer.js'
import type { CodeSource } from './coupons.generate.js'
import { assignInAction, issueCouponInAction } from './coupons.issue.js'
import { couponReach, couponsRepository as repo, type CouponWithTemplate } from './coupons.repository.js'
import { AssignInput, BatchInput, CouponFilter, IssueInput, RedeemInput, RestoreInput, ValidateInput, VoidInput } from './coupons.schemas.js'
import { redeemCouponInAction } from './coupons.redeem.js'
import { decide, restoreInAction, voidInAction } from './coupons.use.js'
import { batchView, couponView, couponViewOf, redemptionView, type CouponBatchView, type CouponRedemptionView, type CouponView } from './coupons.views.js'

export type CouponValidation = {
  valid: boolean
  reason: string | null
  message: string
  discount: { amount: number; currency: string } | null
  giftItemCode: string | null
  stackable: boolean | null
  coupon: CouponView | null
}

export type CouponRedemption = { redemption: CouponRedemptionView; coupon: CouponView }

const holderOf = (d: { customerId?: string; customerExternalId?: string; referrerId?: string }) => d

/** 优惠券: issuing, reading, checking, using, voiding and restoring coupons (docs/loyalty.md, "Coupons"). */
export class CouponsService {
  constructor(private readonly deps: ServiceDeps) {}

  private now(): Date {
    return new Date()
  }

  /** Issues one coupon of a template to a customer or a referrer (`loyalty` write on the holder). */
  async issue(actor: Actor, input: unknown): Promise<CouponView> {
    const data = parse(IssueInput, input)
    const now = this.now()
    return runAction(this.deps.db, actionContext(actor), async (action) => {
      const holder = await resolveHolder(action.tx, actor, holderOf(data), 'write')
      const outcome = await issueCouponInAction(action, { templateId: data.templateId, ...holder }, now)
      if (!outcome.ok) {
        throw outcome.reason === 'UNKNOWN_TEMPLATE' ? invalid('templateId', outcome.message, outcome.reason)
          : new CrmError('CRM_ERR_UNPROCESSABLE', `templateId: ${outcome.message}`, [{ field: 'templateId', message: outcome.message, code: outcome.reason }])
      }
      return couponView(outcome.coupon, outcome.template)
    })
  }

  /**
   * Unassigned codes of a template, counted against its total quantity at once: up to
   * 10,000 made in this request, more by the coupon-batches job (the batch answers
   * `pending`; `coupon_batch.completed` announces the end).
   */
  async issueBatch(actor: Actor, templateId: string, input: unknown, source?: CodeSource): Promise<CouponBatchView> {
    const data = parse(BatchInput, input)
    authorize(actor, 'loyaltyConfig', 'write')
    if (data.quantity > MAX_BATCH) throw invalid('quantity', `must be at most ${MAX_BATCH}`, 'OUT_OF_RANGE')
    const now = this.now()
    return runAction(this.deps.db, actionContext(actor), async (action) => {
      const template = isUuid(templateId) ? await repo.reserve(action.tx, templateId, data.quantity) : null
      if (!template) {
        const known = isUuid(templateId) ? await repo.template(action.tx, templateId) : undefined
        if (!known) throw notFound('CouponTemplate', templateId)
        const message = !known.active ? 'the template is not active: it issues no coupons'
          : `the template has ${Math.max(0, (known.totalQuantity ?? 0) - known.issuedCount)} of its ${known.totalQuantity} coupons left`
        throw new CrmError('CRM_ERR_UNPROCESSABLE', `quantity: ${message}`, [{ field: 'quantity', message, code: known.active ? 'SOLD_OUT' : 'TEMPLATE_INACTIVE' }])
      }
      const [batch] = await action.tx.insert(couponBatches).values({ templateId, quantity: data.quantity, status: 'pending', createdAt: now }).returning()
      action.audit({ action: 'coupon_batch.created', entityType: 'coupon_batch', entityId: batch.id, changes: { templateId, quantity: data.quantity } })
      if (data.quantity > SYNC_BATCH_LIMIT) return batchView(batch)
      return batchView(await generateBatch(action, batch, template, now, source))
    })
  }

  async batch(actor: Actor, id: string): Promise<CouponBatchView> {
    authorize(actor, 'loyaltyConfig', 'read')
    const row = isUuid(id) ? await repo.batch(this.deps.db, id) : undefined
    if (!row) throw notFound('CouponBatch', id)
    return batchView(row)
  }

  /** The coupon-batches job's pass (src/jobs/coupon-batches.job.ts). */
  runPendingBatches(now: Date, source?: CodeSource) {
    return runPendingBatches(this.deps.db, now, source)
  }

  /** A batch's codes, in pages of `size`, for the export (marketing prints or sends them). */
  async *batchCodes(actor: Actor, id: string, size = 5000): AsyncGenerator<{ code: string; status: string; customerId: string | null }[]> {
    authorize(actor, 'loyaltyConfig', 'read')
    // Unassigned codes are bearer codes: only a role that reads every coupon sees them.
    if (couponReach(actor, 'read') !== undefined) throw forbidden("Only a role that reads every coupon may read a batch's codes")
    await this.batch(actor, id)
    let after = '00000000-0000-0000-0000-000000000000'
    for (;;) {
      const page = await this.deps.db.select({ id: coupons.id, code: coupons.code, status: coupons.status, customerId: coupons.customerId })
        .from(coupons).where(and(eq(coupons.batchId, id), sql`${coupons.id} > ${after}`)).orderBy(coupons.id).limit(size)
      if (page.length === 0) return
      yield page
      after = page[page.length - 1].id
    }
  }

  /** Hands an unassigned code to a customer or referrer: from then on only they may use it. */
  async assign(actor: Actor, input: unknown): Promise<CouponView> {
    const data = parse(AssignInput, input)
    const parsed = parseCouponCode(data.code)
    if (!parsed.ok) throw invalidCode(parsed.problem)
    const now = this.now()
    return runAction(this.deps.db, actionContext(actor), async (action) => {
      const holder = await resolveHolder(action.tx, actor, holderOf({ customerId: data.customerId, customerExternalId: data.customerExternalId, referrerId: data.referrerId }), 'write')
      // Unassigned codes are reached only by roles that reach every coupon.
      const found = await repo.byCode(action.tx, parsed.code, couponReach(actor, 'write') ?? undefined)
      if (!found) throw unknownCode()
      if (found.coupon.customerId !== null || found.coupon.referrerId !== null) {
        throw new CrmError('CRM_ERR_INVALID_TRANSITION', 'code: the coupon already has a holder', [{ field: 'code', message: 'the coupon already has a holder', code: 'ALREADY_ASSIGNED' }])
      }
      if (found.coupon.status !== 'issued') throw refused(found.coupon.status === 'voided' ? 'VOIDED' : 'ALREADY_REDEEMED', `the coupon is ${found.coupon.status}`)
      const row = await assignInAction(action, found.coupon, found.template, holder, now)
      if (!row) throw new CrmError('CRM_ERR_CONFLICT', 'code: the coupon changed meanwhile; read it again', [{ field: 'code', message: 'the coupon changed meanwhile; read it again', code: 'CONFLICT' }])
      return couponView(row, found.template)
    })
  }

  async get(actor: Actor, id: string): Promise<CouponView> {
    const [found] = isUuid(id) ? await repo.byIds(this.deps.db, [id], couponReach(actor, 'read')) : []
    if (!found) throw notFound('Coupon', id)
    return couponViewOf(found)
  }

  /** A coupon by its code as typed (INVALID_CODE for a mistyped one; NOT_FOUND when nobody you reach holds it). */
  async byCode(actor: Actor, code: string): Promise<CouponView> {
    const parsed = parseCouponCode(code)
    if (!parsed.ok) throw invalidCode(parsed.problem)
    const found = await repo.byCode(this.deps.db, parsed.code, couponReach(actor, 'read'))
    if (!found) throw notFound('Coupon')
    return couponViewOf(found)
  }

  /** Newest first; a holder's coupons, a template's, a batch's, by status. */
  async list(actor: Actor, filter: unknown, page: PageRequest) {
    const f = parse(CouponFilter, filter ?? {})
    const where: (SQL | undefined)[] = [couponReach(actor, 'read')]
    if ([f.customerId, f.customerExternalId, f.referrerId].some((v) => v !== undefined)) {
      const holder = await resolveHolder(this.deps.db, actor, holderOf({ customerId: f.customerId, customerExternalId: f.customerExternalId, referrerId: f.referrerId }), 'read')
      where.push('customerId' in holder ? eq(coupons.customerId, holder.customerId) : eq(coupons.referrerId, holder.referrerId))
    }
    if (f.templateId) where.push(eq(coupons.templateId, f.templateId))
    if (f.batchId) where.push(eq(coupons.batchId, f.batchId))
    if (f.rewardId) where.push(eq(coupons.rewardId, f.rewardId))
    if (f.status) where.push(eq(coupons.status, f.status))
    if (f.unassigned !== undefined) where.push(f.unassigned ? and(isNull(coupons.customerId), isNull(coupons.referrerId)) : sql`(${coupons.customerId} is not null or ${coupons.referrerId} is not null)`)
    const keyset = new Keyset('issuedAt', coupons.issuedAt, coupons.id, 'DESC', page)
    const found = await this.deps.db.select({ coupon: coupons, template: couponTemplates, cursorValue: keyset.cursorValue })
      .from(coupons).innerJoin(couponTemplates, eq(couponTemplates.id, coupons.templateId))
      .where(and(...where, keyset.where())).orderBy(...keyset.orderBy()).limit(keyset.limit + 1)
    const result = keyset.page(found.map((r) => ({ id: r.coupon.id, cursorValue: r.cursorValue, view: couponView(r.coupon, r.template) })))
    const count = async () => {
      const [row] = await this.deps.db.select({ n: sql<number>`count(*)::int` }).from(coupons).where(and(...where))
      return Number(row.n)
    }
    return { ...result, rows: result.rows.map((r) => r.view), count }
  }

  /** Customer.coupons / Referrer.coupons for many holders at once: each one's newest `first`, in one statement. */
  async ofHolders(actor: Actor, column: 'customer' | 'referrer', ids: readonly string[], status: string | null, first: number): Promise<CouponView[][]> {
    const wanted = [...new Set(ids.filter(isUuid))]
    const reach = couponReach(actor, 'read')
    if (wanted.length === 0) return ids.map(() => [])
    const key = column === 'customer' ? coupons.customerId : coupons.referrerId
    const ranked = this.deps.db.select({
      id: coupons.id, holder: sql<string>`${key}`.as('holder'),
      rank: sql<number>`row_number() over (partition by ${key} order by ${coupons.issuedAt} desc, ${coupons.id} desc)`.as('rank')
    }).from(coupons).where(and(sql`${key} in ${wanted}`, reach, status ? sql`${coupons.status} = ${status}` : undefined)).as('ranked')
    const top = await this.deps.db.select({ id: ranked.id, holder: ranked.holder }).from(ranked).where(sql`${ranked.rank} <= ${first}`)
    const full = new Map((await repo.byIds(this.deps.db, top.map((r) => r.id))).map((c) => [c.coupon.id, c]))
    const byHolder = new Map<string, CouponWithTemplate[]>()
    for (const r of top) {
      const c = full.get(r.id)
      if (c) byHolder.set(r.holder, [...(byHolder.get(r.holder) ?? []), c])
    }
    const newest = (a: CouponWithTemplate, b: CouponWithTemplate) => b.coupon.issuedAt.getTime() - a.coupon.issuedAt.getTime() || (a.coupon.id < b.coupon.id ? 1 : -1)
    return ids.map((id) => (byHolder.get(id) ?? []).sort(newest).map(couponViewOf))
  }

  /** Whether a code applies to an order and what it gives, or why not; uses nothing. */
  async validate(actor: Actor, input: unknown): Promise<CouponValidation> {
    const data = parse(ValidateInput, input)
    authorize(actor, 'loyalty', 'read')
    const parsed = parseCouponCode(data.code)
    if (!parsed.ok) return answer(false, 'INVALID_CODE', invalidCodeMessage(parsed.problem), null)
    const buyer = await resolveBuyer(this.deps.db, actor, data, 'read')
    const found = await repo.byCode(this.deps.db, parsed.code, couponReach(actor, 'read'))
    if (!found) return answer(false, 'NOT_FOUND', UNKNOWN_CODE, null)
    const currency = data.orderAmount.currency ?? 'CNY'
    const d = await decide(this.deps.db, found, { buyer, orderAmount: data.orderAmount.amount, currency, now: this.now() })
    if (!d.ok) return answer(false, d.reason, d.message, found)
    return { ...answer(true, null, d.explanation, found), discount: { amount: d.discount, currency }, giftItemCode: d.giftItemCode }
  }

  /** 核销: uses a coupon on an order exactly once (ALREADY_REDEEMED for every other try); Idempotency-Key replays the first answer. */
  async redeem(actor: Actor, input: unknown): Promise<CouponRedemption> {
    const data = parse(RedeemInput, input)
    authorize(actor, 'loyalty', 'write')
    const parsed = parseCouponCode(data.code)
    if (!parsed.ok) throw invalidCode(parsed.problem)
    const now = this.now()
    return runAction(this.deps.db, actionContext(actor), async (action) => {
      const done = await redeemCouponInAction(action, actor, data, parsed.code, now)
      return { redemption: redemptionView(done.redemption), coupon: couponView(done.coupon, done.template) }
    })
  }

  async redemption(actor: Actor, id: string): Promise<CouponRedemptionView> {
    const row = isUuid(id) ? await repo.redemption(this.deps.db, id) : undefined
    if (!row || (await repo.byIds(this.deps.db, [row.couponId], couponReach(actor, 'read'))).length === 0) throw notFound('CouponRedemption', id)
    return redemptionView(row)
  }

  /** Voids an unused coupon with a reason: it can never be used. */
  async void(actor: Actor, id: string, input: unknown): Promise<CouponView> {
    const data = parse(VoidInput, input)
    const now = this.now()
    return runAction(this.deps.db, actionContext(actor), async (action) => {
      const [found] = isUuid(id) ? await repo.byIds(action.tx, [id], couponReach(actor, 'write')) : []
      if (!found) throw notFound('Coupon', id)
      const row = await voidInAction(action, found.coupon.id, data.reason, now)
      if (!row) {
        const [current] = await action.tx.select({ status: coupons.status }).from(coupons).where(eq(coupons.id, id))
        const message = `the coupon is ${current.status}: only an unused coupon can be voided`
        throw new CrmError('CRM_ERR_INVALID_TRANSITION', `status: ${message}`, [{ field: 'status', message, code: current.status === 'voided' ? 'ALREADY_VOIDED' : 'ALREADY_REDEEMED' }])
      }
      return couponView(row, found.template)
    })
  }

  /** Puts back a used coupon by hand (a cancelled sale the ERP does not record as a refund). */
  async restore(actor: Actor, redemptionId: string, input: unknown): Promise<CouponRedemption> {
    const data = parse(RestoreInput, input ?? {})
    const now = this.now()
    return runAction(this.deps.db, actionContext(actor), async (action) => {
      const row = isUuid(redemptionId) ? await repo.redemption(action.tx, redemptionId) : undefined
      const [found] = row ? await repo.byIds(action.tx, [row.couponId], couponReach(actor, 'write')) : []
      if (!row || !found) throw notFound('CouponRedemption', redemptionId)
      const done = await restoreInAction(action, row, data.reason ?? 'restored by hand', now)
      if (!done) {
        const message = 'the redemption was already restored'
        throw new CrmError('CRM_ERR_INVALID_TRANSITION', `restoredAt: ${message}`, [{ field: 'restoredAt', message, code: 'ALREADY_RESTORED' }])
      }
      return { redemption: redemptionView(done.redemption), coupon: couponView(done.coupon, found.template) }
    })
  }
}

function answer(valid: boolean, reason: string | null, message: string, found: CouponWithTemplate | null): CouponValidation {
  return { valid, reason, message, discount: null, giftItemCode: null, stackable: found ? found.template.stackable : null, coupon: found ? couponViewOf(found) : null }
}
