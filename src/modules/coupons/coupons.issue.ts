import { randomBytes } from 'node:crypto'
import { and, eq, isNull, sql } from 'drizzle-orm'
import type { Action } from '../../db/action.js'
import { coupons } from '../../db/schema/coupons.js'
import { COUPON_CODE_BYTES, couponCodeFromBytes } from '../../rules/coupon-code.js'
import { couponWindow } from '../../rules/coupon-validity.js'
import { couponsRepository as repo, type CouponRow, type TemplateRow } from './coupons.repository.js'
import { couponEventData } from './coupons.views.js'

/** Who receives a coupon: a customer or a referrer (exactly one), and the reward it pays, if any. */
export type IssueRequest = { templateId: string; customerId?: string | null; referrerId?: string | null; rewardId?: string | null }

export type IssueRefusal = 'UNKNOWN_TEMPLATE' | 'TEMPLATE_INACTIVE' | 'SOLD_OUT'
export type IssueOutcome =
  | { ok: true; coupon: CouponRow; template: TemplateRow; created: boolean }
  | { ok: false; reason: IssueRefusal; message: string }

/** A fresh code from crypto randomness (src/rules/coupon-code.ts). */
export const newCouponCode = (): string => couponCodeFromBytes(randomBytes(COUPON_CODE_BYTES))

const ATTEMPTS = 5

/** Why a template cannot issue `n` more coupons now (the reservation was refused). */
async function refusalOf(action: Action, templateId: string, n: number): Promise<{ reason: IssueRefusal; message: string }> {
  const template = await repo.template(action.tx, templateId)
  if (!template) return { reason: 'UNKNOWN_TEMPLATE', message: 'is not a coupon template' }
  if (!template.active) return { reason: 'TEMPLATE_INACTIVE', message: 'the template is not active: it issues no coupons' }
  const left = Math.max(0, (template.totalQuantity ?? 0) - template.issuedCount)
  return { reason: 'SOLD_OUT', message: `the template has ${left} of its ${template.totalQuantity} coupons left, not ${n}` }
}

/**
 * Issues one coupon of a template to a customer or a referrer, inside the caller's action:
 * counts it against the template's total quantity (a conditional update, so the total is
 * never passed), gives it a fresh code (a collision, however unlikely, draws again) and its
 * validity window, and announces `coupon.issued`. With `rewardId`, at most one coupon per
 * reward (unique index): a second call answers the first coupon. A template that cannot
 * issue (unknown, inactive, sold out) is an answer, not an exception, so a reward approval
 * or a level upgrade inside an order's recording goes on without its coupon (audited).
 */
export async function issueCouponInAction(action: Action, req: IssueRequest, now: Date): Promise<IssueOutcome> {
  if (req.rewardId) {
    const existing = await repo.byReward(action.tx, req.rewardId)
    if (existing) return { ok: true, coupon: existing, template: (await repo.template(action.tx, existing.templateId))!, created: false }
  }
  const template = await repo.reserve(action.tx, req.templateId, 1)
  if (!template) {
    const refusal = await refusalOf(action, req.templateId, 1)
    action.audit({ action: 'coupon.not_issued', entityType: 'coupon_template', entityId: req.templateId, changes: { ...req, ...refusal } })
    return { ok: false, ...refusal }
  }
  const window = couponWindow(template, now)
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const [row] = await action.tx.insert(coupons).values({
      templateId: template.id, code: newCouponCode(), customerId: req.customerId ?? null, referrerId: req.referrerId ?? null,
      status: 'issued', issuedAt: now, validFrom: window.validFrom, validUntil: window.validUntil, rewardId: req.rewardId ?? null
    }).onConflictDoNothing().returning()
    if (row) {
      announceIssued(action, row, 'issued')
      return { ok: true, coupon: row, template, created: true }
    }
    // The reward got its coupon meanwhile (a concurrent approval): that one stands, and this one was never made.
    const existing = req.rewardId ? await repo.byReward(action.tx, req.rewardId) : undefined
    if (existing) {
      await repo.release(action.tx, template.id, 1)
      return { ok: true, coupon: existing, template, created: false }
    }
  }
  throw new Error(`no free coupon code after ${ATTEMPTS} draws`)
}

export function announceIssued(action: Action, row: CouponRow, via: 'issued' | 'assigned'): void {
  const data = couponEventData(row)
  action.audit({ action: 'coupon.issued', entityType: 'coupon', entityId: row.id, changes: { ...data, via } })
  action.emit({ type: 'coupon.issued', entityType: 'coupon', entityId: row.id, data: { coupon: data, via } })
}

/**
 * Hands an unassigned code to a holder (conditional: only while still unassigned and
 * unused). A template valid for N days from issue starts the days now.
 */
export async function assignInAction(action: Action, coupon: CouponRow, template: TemplateRow, holder: { customerId?: string; referrerId?: string }, now: Date): Promise<CouponRow | null> {
  const window = template.validDays !== null ? couponWindow(template, now) : { validFrom: coupon.validFrom, validUntil: coupon.validUntil }
  const [row] = await action.tx.update(coupons).set({
    customerId: holder.customerId ?? null, referrerId: holder.referrerId ?? null, validFrom: window.validFrom, validUntil: window.validUntil,
    version: sql`${coupons.version} + 1`
  }).where(and(eq(coupons.id, coupon.id), isNull(coupons.customerId), isNull(coupons.referrerId), eq(coupons.status, 'issued'))).returning()
  if (row) announceIssued(action, row, 'assigned')
  return row ?? null
}
