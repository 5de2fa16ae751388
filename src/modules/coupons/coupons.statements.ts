import { sql } from 'drizzle-orm'
import type { Executor } from '../../db/client.js'
import { couponRedemptions, coupons, couponTemplates } from '../../db/schema/coupons.js'
import { rowShape, statement } from '../../db/statement.js'
import { holderCustomerSql, type CouponWithTemplate } from './coupons.repository.js'

/**
 * The two statements every redemption runs, each of fixed text (rendered once, prepared per
 * connection; docs/performance.md, "Coupons"): the coupon with its template (each as ONE
 * JSON value: a row description of 5 columns, not 45), its holder and the CRM order under
 * the ERP's id; and the use itself, the conditional update and the redemption row in one
 * round trip that returns nothing the app does not already know.
 */

const couponRow = rowShape(coupons)
const templateRow = rowShape(couponTemplates)

export type FoundForUse = CouponWithTemplate & {
  order: { id: string; customerId: string } | null
  /** The buyer named by id: null when no such customer. */
  buyer: { id: string; deleted: boolean; mergedIntoId: string | null } | null
}

const forUseStatement = statement<{ code: string; orderExternalId: string | null; buyerId: string | null }, FoundForUse>('coupon_for_use', () => sql`
  select ${couponRow.json}, ${templateRow.json}, ${holderCustomerSql}, o.id, o.customer_id,
    (select json_build_array(b.id, b.deleted_at is not null, b.merged_into_id) from customers b where b.id = ${sql.placeholder('buyerId')}::uuid)
  from ${coupons} join ${couponTemplates} on ${couponTemplates.id} = ${coupons.templateId}
  left join orders o on o.external_id = ${sql.placeholder('orderExternalId')}
  where ${coupons.code} = ${sql.placeholder('code')}`, (row) => {
  return {
    coupon: couponRow.map(row[0] as unknown[]), template: templateRow.map(row[1] as unknown[]), holderCustomerId: row[2] as string | null,
    order: row[3] ? { id: row[3] as string, customerId: row[4] as string } : null,
    buyer: row[5] ? { id: (row[5] as unknown[])[0] as string, deleted: (row[5] as unknown[])[1] as boolean, mergedIntoId: (row[5] as unknown[])[2] as string | null } : null
  }
})

/**
 * A coupon by its stored code (any holder: for callers that reach every coupon), with the
 * order the CRM has under `orderExternalId` and the facts of the buyer named by id.
 */
export async function findForUse(ex: Executor, code: string, orderExternalId: string | null, buyerId: string | null): Promise<FoundForUse | undefined> {
  const [found] = await forUseStatement(ex, { code, orderExternalId, buyerId })
  return found
}

export type UseValues = {
  couponId: string; version: number; id: string; templateId: string; customerId: string | null; orderId: string | null; orderExternalId: string | null
  orderAmount: number; currency: string; discount: number; giftItemCode: string | null; redeemedAt: Date
}

const useStatement = statement<Record<string, unknown>, number>('coupon_use', () => sql`
  with used as (
    update ${coupons} set status = 'redeemed', redeemed_at = ${sql.placeholder('redeemedAt')}::timestamptz, version = ${coupons.version} + 1
    where ${coupons.id} = ${sql.placeholder('couponId')}::uuid and ${coupons.version} = ${sql.placeholder('version')}::int and ${coupons.status} = 'issued'
    returning id
  )
  insert into ${couponRedemptions} (id, coupon_id, template_id, customer_id, order_id, order_external_id, order_amount, currency, discount, gift_item_code, redeemed_at)
  select ${sql.placeholder('id')}::uuid, used.id, ${sql.placeholder('templateId')}::uuid, ${sql.placeholder('customerId')}::uuid, ${sql.placeholder('orderId')}::uuid,
    ${sql.placeholder('orderExternalId')}, ${sql.placeholder('orderAmount')}::bigint, ${sql.placeholder('currency')}, ${sql.placeholder('discount')}::bigint,
    ${sql.placeholder('giftItemCode')}, ${sql.placeholder('redeemedAt')}::timestamptz
  from used
  returning 1`, (row) => row[0] as number)

/**
 * `issued → redeemed` and the redemption row, in one statement, only while the coupon is
 * still at `version` (what the rules decided on). False when it is not: redeemed or changed
 * meanwhile.
 */
export async function useCoupon(ex: Executor, v: UseValues): Promise<boolean> {
  const done = await useStatement(ex, { ...v, redeemedAt: v.redeemedAt.toISOString() })
  return done.length > 0
}
