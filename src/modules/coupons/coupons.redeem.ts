import type { Action } from '../../db/action.js'
import { invalid } from '../../errors.js'
import type { Actor } from '../auth/actor.js'
import { customerScope } from '../points/points.holders.js'
import { resolveBuyer, resolveOrder } from './coupons.buyer.js'
import { couponReach, couponsRepository as repo } from './coupons.repository.js'
import type { RedeemInput } from './coupons.schemas.js'
import { findForUse, type FoundForUse } from './coupons.statements.js'
import { redeemInAction, type FindCoupon, type Redeemed } from './coupons.use.js'

/**
 * 核销 inside an action: who buys, on which order, which coupon, then the use itself
 * (coupons.use.ts). A till that reaches every coupon and customer (admin, manager, service,
 * integration) and names the buyer by id takes the hot path: the buyer, the coupon with its
 * template and holder, and the CRM order under the ERP's id come back in ONE statement
 * (docs/performance.md, "Coupons"). Anything else (a buyer by external id, an orderId, a
 * limited reach) resolves each in turn, with the same answers.
 */
export async function redeemCouponInAction(action: Action, actor: Actor, data: RedeemInput, code: string, now: Date): Promise<Redeemed> {
  const reach = couponReach(actor, 'write')
  const hot = !reach && !customerScope(actor, 'write') && !data.orderId && data.customerExternalId == null
  const use = { orderAmount: data.orderAmount.amount, currency: data.orderAmount.currency ?? 'CNY', now, orderExternalId: data.orderExternalId ?? null }
  if (!hot) {
    const named = await resolveBuyer(action.tx, actor, data, 'write')
    const { orderId, buyer } = await resolveOrder(action.tx, named, data.orderId, data.orderExternalId)
    return redeemInAction(action, () => repo.byCode(action.tx, code, reach), { ...use, buyer, orderId })
  }
  const again = () => findForUse(action.tx, code, data.orderExternalId ?? null, data.customerId ?? null)
  let first: Promise<FoundForUse | undefined> | null = again()
  const hit = await first
  const named = data.customerId == null ? null : await buyerOf(action, actor, data.customerId, hit)
  const order = hit?.order ?? null
  const find: FindCoupon = () => { const f = first ?? again(); first = null; return f }
  return redeemInAction(action, find, {
    ...use, buyer: named ?? order?.customerId ?? null, orderId: order && (named === null || order.customerId === named) ? order.id : null
  })
}

/** The buyer as the lookup found it: live, or a merged one's survivor (resolved the long way, as is a miss). */
async function buyerOf(action: Action, actor: Actor, customerId: string, hit: FoundForUse | undefined): Promise<string> {
  const b = hit?.buyer
  if (!hit || b?.mergedIntoId) return (await resolveBuyer(action.tx, actor, { customerId }, 'write'))!
  if (!b || b.deleted) throw invalid('customerId', 'is not a customer you can see', 'UNKNOWN_CUSTOMER')
  return b.id
}
