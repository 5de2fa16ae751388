import type { Model } from './model-state.js'
import { ModelFailure, type World } from './model-world.js'

/**
 * Coupons in the model: one template per run (¥10 off, at most TEMPLATE_QUANTITY issued).
 * After every command the app's coupons are the model's: status, holder, the template's
 * count, and a standing use exactly for a redeemed coupon.
 */
export const TEMPLATE_QUANTITY = 6
export const AMOUNT_OFF = 1000

export type MCoupon = { id: string; code: string; customerId: string; status: 'issued' | 'redeemed' | 'voided' }

export async function createModelTemplate(w: World, m: Model): Promise<void> {
  const r = await w.ctx.gql(w.caller('admin').token, 'mutation($i: CreateCouponTemplateInput!) { createCouponTemplate(input: $i) { template { id } userErrors { field message } } }',
    { i: { name: '模型券 ¥10', kind: 'amount_off', amountOff: AMOUNT_OFF, validDays: 30, totalQuantity: TEMPLATE_QUANTITY } })
  const id = r.data?.createCouponTemplate?.template?.id
  if (!id) throw new Error(`createCouponTemplate failed: ${JSON.stringify(r)}`)
  m.couponTemplateId = id
}

/** The app's coupons are the model's; the template counts them; a coupon has a standing use exactly when it is redeemed. */
export async function checkCoupons(w: World, m: Model): Promise<void> {
  if (!m.couponTemplateId) return
  const rows = await w.sql<{ id: string; status: string; customer_id: string; uses: number }>(`select c.id::text, c.status, c.customer_id::text,
    (select count(*) from coupon_redemptions r where r.coupon_id = c.id and r.restored_at is null)::int as uses from coupons c`)
  if (rows.length !== m.coupons.size) throw new ModelFailure(`coupons: app holds ${rows.length}, model ${m.coupons.size}`)
  for (const r of rows) {
    const want = m.coupons.get(r.id)
    if (!want) throw new ModelFailure(`coupon ${r.id} is not in the model`)
    if (r.status !== want.status || r.customer_id !== want.customerId) throw new ModelFailure(`coupon ${r.id}: app ${r.status} of ${r.customer_id}, model ${want.status} of ${want.customerId}`)
    if (Number(r.uses) !== (want.status === 'redeemed' ? 1 : 0)) throw new ModelFailure(`coupon ${r.id} (${r.status}) has ${r.uses} standing uses`)
  }
  const [t] = await w.sql<{ issued_count: number }>('select issued_count from coupon_templates where id = $1', [m.couponTemplateId])
  if (Number(t.issued_count) !== m.coupons.size) throw new ModelFailure(`template issued_count ${t.issued_count}, model ${m.coupons.size}`)
}

