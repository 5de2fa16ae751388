import { getTableColumns, sql, type SQL } from 'drizzle-orm'
import type { PgTable } from 'drizzle-orm/pg-core'
import type { Executor } from '../../db/client.js'
import { couponRedemptions, coupons, couponTemplates } from '../../db/schema/coupons.js'
import { rowShape, statement } from '../../db/statement.js'
import { holderCustomerSql, type CouponRow, type CouponWithTemplate, type RedemptionRow } from './coupons.repository.js'

/**
 * The two statements every redemption runs, each of fixed text (rendered once, prepared per
 * connection; docs/performance.md, "Coupons"): the coupon with its template, its holder and
 * the CRM order under the ERP's id; and the use itself, the conditional update and the
 * redemption row in one round trip.
 */

const couponRow = rowShape(coupons)
const templateRow = rowShape(couponTemplates)
const redemptionRow = rowShape(couponRedemptions)

/** `alias.column, …` in the table's column order (the order rowShape decodes). */
function columnsOf(table: PgTable, alias: string): SQL {
  return sql.raw(Object.keys(getTableColumns(table)).map((key) => `${alias}.${key.replace(/[A-Z]/g, (m) => `_${m.toLowerCase()}`)}`).join(', '))
}

export type FoundForUse = CouponWithTemplate & { order: { id: string; customerId: string } | null }

const forUseStatement = statement<{ code: string; orderExternalId: string | null }, FoundForUse>('coupon_for_use', () => sql`
  select ${couponRow.list}, ${templateRow.list}, ${holderCustomerSql}, o.id, o.customer_id
  from ${coupons} join ${couponTemplates} on ${couponTemplates.id} = ${coupons.templateId}
  left join orders o on o.external_id = ${sql.placeholder('orderExternalId')}
  where ${coupons.code} = ${sql.placeholder('code')}`, (row) => {
  const at = couponRow.size + templateRow.size
  return {
    coupon: couponRow.map(row), template: templateRow.map(row, couponRow.size), holderCustomerId: row[at] as string | null,
    order: row[at + 1] ? { id: row[at + 1] as string, customerId: row[at + 2] as string } : null
  }
})

/** A coupon by its stored code (any holder: for callers that reach every coupon), with the order the CRM has under `orderExternalId`. */
export async function findForUse(ex: Executor, code: string, orderExternalId: string | null): Promise<FoundForUse | undefined> {
  const [found] = await forUseStatement(ex, { code, orderExternalId })
  return found
}

export type UseValues = {
  couponId: string; now: Date; id: string; customerId: string | null; orderId: string | null; orderExternalId: string | null
  orderAmount: number; currency: string; discount: number; giftItemCode: string | null
}

const useStatement = statement<Record<string, unknown>, { coupon: CouponRow; redemption: RedemptionRow }>('coupon_use', () => sql`
  with used as (
    update ${coupons} set status = 'redeemed', redeemed_at = ${sql.placeholder('now')}::timestamptz, version = ${coupons.version} + 1
    where ${coupons.id} = ${sql.placeholder('couponId')}::uuid and ${coupons.status} = 'issued'
    returning *
  ), added as (
    insert into ${couponRedemptions} (id, coupon_id, template_id, customer_id, order_id, order_external_id, order_amount, currency, discount, gift_item_code, redeemed_at)
    select ${sql.placeholder('id')}::uuid, used.id, used.template_id, ${sql.placeholder('customerId')}::uuid, ${sql.placeholder('orderId')}::uuid,
      ${sql.placeholder('orderExternalId')}, ${sql.placeholder('orderAmount')}::bigint, ${sql.placeholder('currency')}, ${sql.placeholder('discount')}::bigint,
      ${sql.placeholder('giftItemCode')}, ${sql.placeholder('now')}::timestamptz
    from used
    returning *
  )
  select ${columnsOf(coupons, 'used')}, ${columnsOf(couponRedemptions, 'added')} from used cross join added`,
(row) => ({ coupon: couponRow.map(row), redemption: redemptionRow.map(row, couponRow.size) }))

/** `issued → redeemed` and the redemption, in one statement; null when the coupon was not `issued` any more. */
export async function useCoupon(ex: Executor, v: UseValues): Promise<{ coupon: CouponRow; redemption: RedemptionRow } | null> {
  const [done] = await useStatement(ex, { ...v, now: v.now.toISOString() })
  return done ?? null
}
