import t from 'tap'
import { forEachDatabase } from '../../helper.js'
import { createCustomer, createTemplate, issue, REDEEM, VALIDATE } from './support.js'

await forEachDatabase(t, async (t, ctx) => {
  const pos = await ctx.keyToken('integration')
  const c = await createCustomer(ctx)
  const pct = await createTemplate(ctx, { name: '全场9折', kind: 'percent_off', amountOff: null, percentBp: 1000, minOrderAmount: 0 })
  const coupon = await issue(ctx, pct.id, { customerId: c.id })

  await t.test('empty, huge and malformed input is a typed 400 naming the field; nothing is used', async (t) => {
    const bodies: [Record<string, unknown>, string][] = [
      [{ code: '', customerId: c.id, orderAmount: { amount: 100 } }, 'code'],
      [{ code: 'X'.repeat(10_000), customerId: c.id, orderAmount: { amount: 100 } }, 'code'],
      [{ code: coupon.code, customerId: c.id, orderAmount: { amount: -1 } }, 'orderAmount.amount'],
      [{ code: coupon.code, customerId: c.id, orderAmount: { amount: 1.5 } }, 'orderAmount.amount'],
      [{ code: coupon.code, customerId: c.id, orderAmount: { amount: 100, currency: 'rmb' } }, 'orderAmount.currency'],
      [{ code: coupon.code, customerId: 'not-a-uuid', orderAmount: { amount: 100 } }, 'customerId'],
      [{ code: coupon.code, customerId: c.id }, 'orderAmount'],
      [{ code: coupon.code, customerId: c.id, orderAmount: { amount: 100 }, surprise: 1 }, 'surprise']
    ]
    for (const [body, field] of bodies) {
      const r = await ctx.rest(pos, 'POST', '/api/v1/coupons/redemptions', body)
      t.equal(r.statusCode, 400, JSON.stringify(body).slice(0, 80))
      t.ok(r.json().errors.some((e: { field: string }) => e.field === field), `${field}: ${JSON.stringify(r.json().errors)}`)
    }
    const both = await ctx.rest(pos, 'POST', '/api/v1/coupons/redemptions', { code: coupon.code, customerId: c.id, customerExternalId: 'X', orderAmount: { amount: 100 } })
    t.match(both.json().errors, [{ field: 'customerExternalId', code: 'AMBIGUOUS_HOLDER' }])
    const unknownBuyer = await ctx.gql(pos, REDEEM, { i: { code: coupon.code, customerId: '01900000-0000-7000-8000-000000000404', orderAmount: { amount: 100 } } })
    t.match(unknownBuyer.data.redeemCoupon.userErrors, [{ field: 'customerId', code: 'UNKNOWN_CUSTOMER' }])
    const inline = await ctx.gql(pos, `mutation { redeemCoupon(input: { code: "${coupon.code}", orderAmount: { amount: -5 } }) { redemption { id } userErrors { field code } } }`)
    t.ok(inline.errors || inline.data.redeemCoupon.userErrors.length > 0, 'a negative amount inline is refused')
    t.equal((await ctx.rest(pos, 'GET', `/api/v1/coupons/${coupon.id}`)).json().status, 'issued', 'nothing was used')
  })

  await t.test('the largest order amount gives an exact percentage; a zero amount gives nothing off', async (t) => {
    const max = Number.MAX_SAFE_INTEGER
    const v = await ctx.gql(pos, VALIDATE, { code: coupon.code, c: c.id, amount: { amount: max } })
    t.same(v.data.validateCoupon.discount, { amount: Number((BigInt(max) * 1000n) / 10000n), currency: 'CNY' })
    const zero = await ctx.gql(pos, VALIDATE, { code: coupon.code, c: c.id, amount: { amount: 0 } })
    t.match(zero.data.validateCoupon, { valid: true, discount: { amount: 0 } })
    const tooBig = await ctx.rest(pos, 'POST', '/api/v1/coupons/validate', { code: coupon.code, customerId: c.id, orderAmount: { amount: max + 2 } })
    t.equal(tooBig.statusCode, 400)
  })

  await t.test('a malformed id is a 400, an unknown one not found (null in GraphQL), never a 500', async (t) => {
    t.equal((await ctx.rest(pos, 'GET', '/api/v1/coupons/nope')).statusCode, 400)
    t.equal((await ctx.rest(pos, 'GET', '/api/v1/coupons/01900000-0000-7000-8000-000000000404')).statusCode, 404)
    t.equal((await ctx.rest(pos, 'GET', '/api/v1/coupon-batches/01900000-0000-7000-8000-000000000404/codes')).statusCode, 404)
    const g = await ctx.gql(pos, '{ coupon(id: "nope") { id } couponTemplate(id: "nope") { id } couponBatch(id: "nope") { id } couponRedemption(id: "nope") { id } }')
    t.same(g.data, { coupon: null, couponTemplate: null, couponBatch: null, couponRedemption: null })
    const restore = await ctx.rest(pos, 'POST', '/api/v1/coupons/redemptions/01900000-0000-7000-8000-000000000404/restoration', {})
    t.equal(restore.statusCode, 404)
  })
})
