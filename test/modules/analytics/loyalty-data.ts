import { randomBytes } from 'node:crypto'
import type { TestApp } from '../../helper.js'

/**
 * Coupon and member-level rows for the loyalty report, written straight into the tables: the
 * coupon and level APIs land in their own branches (issue 18). Replace with their mutations
 * (createCouponTemplate, issueCoupons, redeemCoupon, voidCoupon; memberLevels and the level
 * evaluation) once merged.
 */

/** Times in Asia/Shanghai (+08:00) as ISO instants. */
export const sh = (local: string) => new Date(`${local}+08:00`).toISOString()

export async function insertTemplate(ctx: TestApp, name: string, campaignId: string | null): Promise<string> {
  // Inserted directly until the coupon API lands (see the file comment).
  const [row] = await ctx.sql<{ id: string }>(`insert into coupon_templates (id, name, kind, amount_off, campaign_id)
    values (gen_random_uuid(), $1, 'amount_off', 1000, $2) returning id::text`, [name, campaignId])
  return row.id
}

export type CouponSpec = {
  template: string
  issuedAt: string
  customerId?: string | null
  voidedAt?: string
  /** Each use: when, its discount and currency, and when it was given back. */
  uses?: { at: string; discount: number; currency?: string; restoredAt?: string }[]
}

export async function insertCoupon(ctx: TestApp, spec: CouponSpec): Promise<string> {
  // Inserted directly until the coupon API lands (see the file comment).
  const last = spec.uses?.at(-1)
  const status = spec.voidedAt ? 'voided' : last && !last.restoredAt ? 'redeemed' : 'issued'
  const [coupon] = await ctx.sql<{ id: string }>(`insert into coupons (id, template_id, code, customer_id, status, issued_at, redeemed_at, voided_at)
    values (gen_random_uuid(), $1, $2, $3, $4, $5, $6, $7) returning id::text`,
  [spec.template, randomBytes(8).toString('hex').toUpperCase(), spec.customerId ?? null, status, sh(spec.issuedAt),
    last && !last.restoredAt ? sh(last.at) : null, spec.voidedAt ? sh(spec.voidedAt) : null])
  for (const use of spec.uses ?? []) {
    await ctx.sql(`insert into coupon_redemptions (id, coupon_id, template_id, customer_id, order_amount, currency, discount, redeemed_at, restored_at)
      values (gen_random_uuid(), $1, $2, $3, 100000, $4, $5, $6, $7)`,
    [coupon.id, spec.template, spec.customerId ?? null, use.currency ?? 'CNY', use.discount, sh(use.at), use.restoredAt ? sh(use.restoredAt) : null])
  }
  return coupon.id
}

export async function insertLevel(ctx: TestApp, key: string, rank: number, active = true): Promise<string> {
  // Inserted directly until the member-level API lands (see the file comment).
  const [row] = await ctx.sql<{ id: string }>(`insert into member_levels (id, key, name_zh, name_en, rank, min_spend, active)
    values (gen_random_uuid(), $1, $2, $3, $4, $5, $6) returning id::text`, [key, `${key}会员`, `${key} member`, rank, rank * 100_000, active])
  return row.id
}

export async function setLevel(ctx: TestApp, customerId: string, levelId: string): Promise<void> {
  // Inserted directly until the level evaluation lands (see the file comment).
  await ctx.sql(`insert into customer_levels (customer_id, level_id, reached_at) values ($1, $2, now())`, [customerId, levelId])
}
