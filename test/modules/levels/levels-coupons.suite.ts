import t from 'tap'
import { forEachDatabase } from '../../helper.js'
import { createCustomer, createLevel, recordOrder, REFUND } from './support.js'

const TEMPLATE = 'mutation($i: CreateCouponTemplateInput!) { createCouponTemplate(input: $i) { template { id } userErrors { field message } } }'
const COUPONS = 'query($id: ID!) { customer(id: $id) { coupons { templateId status customerId } } }'

/** Reaching a level issues its coupon templates in the order's own transaction; the order stands even when a template cannot issue. */
await forEachDatabase(t, async (t, ctx) => {
  const template = async (i: Record<string, unknown>) => (await ctx.gql(ctx.adminToken, TEMPLATE, { i })).data.createCouponTemplate.template.id as string
  const gift = await template({ name: '银卡礼券', kind: 'amount_off', amountOff: 2000, validDays: 30 })
  const scarce = await template({ name: '限量券', kind: 'amount_off', amountOff: 1000, validDays: 30, totalQuantity: 1 })
  await createLevel(ctx, { key: 'silver', rank: 10, minSpend: 100_000, couponTemplateIds: [gift, scarce] })
  const coupons = async (id: string) => (await ctx.gql(ctx.adminToken, COUPONS, { id })).data.customer.coupons as { templateId: string }[]

  await t.test('an order that reaches silver issues silver\'s coupons to the customer; a refund takes nothing back', async (t) => {
    const c = await createCustomer(ctx)
    await recordOrder(ctx, c.id, 50_000)
    t.same(await coupons(c.id), [], 'not yet silver')
    const order = await recordOrder(ctx, c.id, 60_000)
    t.same((await coupons(c.id)).map((x) => x.templateId).sort(), [gift, scarce].sort())
    const refund = await ctx.gql(ctx.adminToken, REFUND, { i: { orderId: order.id, amount: { amount: 60_000, currency: 'CNY' }, refundExternalId: 'RF-LC-1' } })
    t.same(refund.data.refundOrder.userErrors, [])
    t.equal((await coupons(c.id)).length, 2, 'coupons of a level stay with the customer')
  })

  await t.test('a sold-out template is passed over (audited as coupon.not_issued); the order and the upgrade stand', async (t) => {
    const c = await createCustomer(ctx)
    await recordOrder(ctx, c.id, 150_000)
    t.same((await coupons(c.id)).map((x) => x.templateId), [gift])
    const [row] = await ctx.sql<{ n: number }>(`select count(*)::int as n from audit_entries where action = 'coupon.not_issued' and entity_id = $1`, [scarce])
    t.equal(row.n, 1)
  })
})
