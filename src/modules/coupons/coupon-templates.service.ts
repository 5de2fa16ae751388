import { and, eq, getTableColumns, inArray, isNull } from 'drizzle-orm'
import { runAction } from '../../db/action.js'
import type { Executor } from '../../db/client.js'
import { countWhere, selectPage } from '../../db/list-queries.js'
import { Keyset, type PageRequest } from '../../db/paging.js'
import { campaigns } from '../../db/schema/campaigns.js'
import { couponTemplates } from '../../db/schema/coupons.js'
import { CrmError, invalid, notFound, staleVersion } from '../../errors.js'
import { templateProblems, type TemplateShape } from '../../rules/coupon-validity.js'
import { actionContext, type Actor } from '../auth/actor.js'
import { authorize } from '../auth/permissions.js'
import { changedFields } from '../common/changes.js'
import { asTaken } from '../common/unique.js'
import { isUuid, parse } from '../common/validate.js'
import type { ServiceDeps } from '../service-deps.js'
import { couponsRepository as repo, type TemplateInsert, type TemplateRow } from './coupons.repository.js'
import { TemplateCreate, TemplateFilter, TemplateUpdate } from './coupons.schemas.js'
import { templateView, type CouponTemplateView } from './coupons.views.js'

const auditedFields = [
  'externalId', 'name', 'description', 'kind', 'currency', 'amountOff', 'percentBp', 'maxDiscount', 'giftItemCode', 'minOrderAmount',
  'validFrom', 'validUntil', 'validDays', 'perCustomerLimit', 'totalQuantity', 'stackable', 'restoreOnRefund', 'campaignId', 'active'
] as const
/** What a coupon gives: fixed once coupons exist, so a code never changes its worth after it was handed out. */
const offerFields = ['kind', 'currency', 'amountOff', 'percentBp', 'maxDiscount', 'giftItemCode'] as const

const date = (s: string | null | undefined) => (s == null ? s : new Date(s))

/** The input's columns (dates parsed); undefined where not given. */
function columns(data: TemplateUpdate): Partial<TemplateInsert> {
  const { validFrom, validUntil, expectedVersion: _v, ...plain } = data
  return { ...plain, ...(validFrom !== undefined ? { validFrom: date(validFrom) } : {}), ...(validUntil !== undefined ? { validUntil: date(validUntil) } : {}) }
}

function shapeOf(v: Partial<TemplateRow>): TemplateShape {
  return {
    kind: v.kind!, currency: v.currency ?? 'CNY', amountOff: v.amountOff ?? null, percentBp: v.percentBp ?? null, maxDiscount: v.maxDiscount ?? null,
    giftItemCode: v.giftItemCode ?? null, minOrderAmount: v.minOrderAmount ?? 0, perCustomerLimit: v.perCustomerLimit ?? null,
    validFrom: v.validFrom ?? null, validUntil: v.validUntil ?? null, validDays: v.validDays ?? null,
    totalQuantity: v.totalQuantity ?? null, issuedCount: v.issuedCount ?? 0
  }
}

function assertShape(v: Partial<TemplateRow>): void {
  const problems = templateProblems(shapeOf(v))
  if (problems.length > 0) throw new CrmError('CRM_ERR_VALIDATION', `Invalid coupon template: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`, problems)
}

async function assertCampaign(ex: Executor, id: string | null | undefined): Promise<void> {
  if (!id) return
  const [row] = await ex.select({ id: campaigns.id }).from(campaigns).where(and(eq(campaigns.id, id), isNull(campaigns.deletedAt)))
  if (!row) throw invalid('campaignId', 'refers to no campaign', 'UNKNOWN_REFERENCE')
}

/** 优惠券模板: what coupons give and when they apply (docs/loyalty.md, "Coupons"). loyaltyConfig reads and writes them. */
export class CouponTemplatesService {
  constructor(private readonly deps: ServiceDeps) {}

  async get(actor: Actor, id: string): Promise<CouponTemplateView> {
    authorize(actor, 'loyaltyConfig', 'read')
    const row = isUuid(id) ? await repo.template(this.deps.db, id) : undefined
    if (!row) throw notFound('CouponTemplate', id)
    return templateView(row)
  }

  /** Batched read for loaders (Coupon.template): null where unknown or not readable. */
  async findMany(actor: Actor, ids: readonly string[]): Promise<(CouponTemplateView | null)[]> {
    authorize(actor, 'loyaltyConfig', 'read')
    const wanted = [...new Set(ids.filter(isUuid))]
    const found = wanted.length ? await this.deps.db.select().from(couponTemplates).where(and(isNull(couponTemplates.deletedAt), inArray(couponTemplates.id, wanted))) : []
    const byId = new Map(found.map((t) => [t.id, templateView(t)]))
    return ids.map((id) => byId.get(id) ?? null)
  }

  /** Newest first, keyset pages. */
  async list(actor: Actor, filter: unknown, page: PageRequest) {
    authorize(actor, 'loyaltyConfig', 'read')
    const f = parse(TemplateFilter, filter ?? {})
    const where = [
      isNull(couponTemplates.deletedAt), f.active !== undefined ? eq(couponTemplates.active, f.active) : undefined,
      f.kind ? eq(couponTemplates.kind, f.kind) : undefined, f.campaignId ? eq(couponTemplates.campaignId, f.campaignId) : undefined
    ]
    const keyset = new Keyset('createdAt', couponTemplates.createdAt, couponTemplates.id, 'DESC', page)
    const result = keyset.page(await selectPage(this.deps.db, couponTemplates, getTableColumns(couponTemplates), where, keyset))
    return { ...result, rows: result.rows.map((r) => templateView(r as TemplateRow)), count: () => countWhere(this.deps.db, couponTemplates, where) }
  }

  async create(actor: Actor, input: unknown): Promise<CouponTemplateView> {
    const data = parse(TemplateCreate, input)
    authorize(actor, 'loyaltyConfig', 'write')
    const values = { ...columns(data), name: data.name, kind: data.kind } as TemplateInsert
    assertShape(values as Partial<TemplateRow>)
    return runAction(this.deps.db, actionContext(actor), async (action) => {
      await assertCampaign(action.tx, values.campaignId)
      const [row] = await action.tx.insert(couponTemplates).values(values).returning().catch((err: unknown) => { throw asTaken(err, 'coupon template') })
      action.audit({ action: 'coupon_template.created', entityType: 'coupon_template', entityId: row.id, changes: templateView(row) })
      return templateView(row)
    })
  }

  /** Changes the given fields; what the coupons give is fixed once any is issued. */
  async update(actor: Actor, id: string, input: unknown): Promise<CouponTemplateView> {
    const data = parse(TemplateUpdate, input)
    authorize(actor, 'loyaltyConfig', 'write')
    return runAction(this.deps.db, actionContext(actor), async (action) => {
      const before = isUuid(id) ? await repo.lockTemplate(action.tx, id) : undefined
      if (!before) throw notFound('CouponTemplate', id)
      if (data.expectedVersion !== undefined && data.expectedVersion !== before.version) throw staleVersion('CouponTemplate', data.expectedVersion, before.version)
      const next = { ...before, ...columns(data) } as TemplateRow
      const changes = changedFields(before, next, auditedFields)
      if (before.issuedCount > 0) {
        const locked = offerFields.find((f) => f in changes)
        if (locked) throw invalid(locked, 'cannot change once coupons are issued: create a new template', 'OFFER_FIXED')
      }
      assertShape(next)
      if ('campaignId' in changes) await assertCampaign(action.tx, next.campaignId)
      if (Object.keys(changes).length === 0) return templateView(before)
      const { id: _id, issuedCount: _n, createdAt: _c, ...settable } = next
      const [row] = await action.tx.update(couponTemplates).set({ ...settable, version: before.version + 1, updatedAt: new Date() })
        .where(eq(couponTemplates.id, before.id)).returning().catch((err: unknown) => { throw asTaken(err, 'coupon template') })
      action.audit({ action: 'coupon_template.updated', entityType: 'coupon_template', entityId: before.id, changes })
      return templateView(row)
    })
  }
}
