import t from 'tap'
import { forEachDatabase } from '../../helper.js'
import { APPROVE, CANCEL, convert, CREATE_RULE, createReferrer, createRule, deactivateAll, ledger, submitted } from '../incentives/support.js'
import { createCustomer, createTemplate, eventsOf, issue, newId, recordOrder, REDEEM, REFUND, VALIDATE } from './support.js'

const CNY = (amount: number) => ({ amount, currency: 'CNY' })

await forEachDatabase(t, async (t, ctx) => {
  const pos = await ctx.keyToken('integration')
  const restoring = await createTemplate(ctx, { name: '可退回券', amountOff: 2000, minOrderAmount: 0 })
  const keeping = await createTemplate(ctx, { name: '不退回券', amountOff: 1000, minOrderAmount: 0, restoreOnRefund: false })

  await t.test('a full refund of the order puts back the coupons used on it whose template says so; a partial refund does not', async (t) => {
    const c = await createCustomer(ctx)
    const order = await recordOrder(ctx, c.id, 30_000)
    const back = await issue(ctx, restoring.id, { customerId: c.id })
    const kept = await issue(ctx, keeping.id, { customerId: c.id })
    for (const coupon of [back, kept]) {
      const r = await ctx.gql(pos, REDEEM, { i: { code: coupon.code, customerId: c.id, orderAmount: CNY(30_000), orderExternalId: order.externalId } })
      t.same(r.data.redeemCoupon.userErrors, [])
    }
    const partial = await ctx.gql(pos, REFUND, { i: { orderId: order.id, amount: CNY(10_000), refundExternalId: newId('RF') } })
    t.same(partial.data.refundOrder.userErrors, [])
    t.equal((await ctx.rest(pos, 'GET', `/api/v1/coupons/${back.id}`)).json().status, 'redeemed', 'the order still stands')
    await ctx.gql(pos, REFUND, { i: { orderId: order.id, refundExternalId: newId('RF') } })
    const restored = (await ctx.rest(pos, 'GET', `/api/v1/coupons/${back.id}`)).json()
    t.match(restored, { status: 'issued', redeemedAt: null, version: back.version + 2 })
    t.equal((await ctx.rest(pos, 'GET', `/api/v1/coupons/${kept.id}`)).json().status, 'redeemed', 'restoreOnRefund: false keeps it used')
    const [event] = await eventsOf(ctx, 'coupon.restored', back.id)
    t.match(event.data, { reason: 'order refunded', coupon: { id: back.id, status: 'issued' }, redemption: { orderId: order.id, restoreReason: 'order refunded' } })
    t.ok(event.data.redemption.restoredAt)
    // Usable again, by the same customer.
    const again = await ctx.gql(pos, VALIDATE, { code: back.code, c: c.id, amount: CNY(5000) })
    t.match(again.data.validateCoupon, { valid: true, discount: CNY(2000) })
  })

  await t.test('a use recorded under the ERP order id before the CRM knew the order is restored with it', async (t) => {
    const c = await createCustomer(ctx)
    const coupon = await issue(ctx, restoring.id, { customerId: c.id })
    const erpId = newId('SO')
    const used = await ctx.gql(pos, REDEEM, { i: { code: coupon.code, customerId: c.id, orderAmount: CNY(8000), orderExternalId: erpId } })
    t.match(used.data.redeemCoupon.redemption, { orderId: null, orderExternalId: erpId })
    const order = await recordOrder(ctx, c.id, 8000, { externalId: erpId })
    await ctx.gql(pos, REFUND, { i: { orderId: order.id, refundExternalId: newId('RF') } })
    t.equal((await ctx.rest(pos, 'GET', `/api/v1/coupons/${coupon.id}`)).json().status, 'issued')
  })

  await t.test('restoring by hand: once, by a role that uses coupons', async (t) => {
    const c = await createCustomer(ctx)
    const coupon = await issue(ctx, keeping.id, { customerId: c.id })
    const used = await ctx.rest(pos, 'POST', '/api/v1/coupons/redemptions', { code: coupon.code, customerId: c.id, orderAmount: { amount: 5000 } })
    const id = used.json().redemption.id
    const marketing = await ctx.staff('marketing')
    t.equal((await ctx.rest(marketing.token, 'POST', `/api/v1/coupons/redemptions/${id}/restoration`, {})).statusCode, 403)
    const r = await ctx.gql(pos, 'mutation($id: ID!) { restoreCoupon(redemptionId: $id, reason: "收银撤销") { redemption { restoredAt restoreReason } coupon { status } userErrors { code } } }', { id })
    t.match(r.data.restoreCoupon, { redemption: { restoreReason: '收银撤销' }, coupon: { status: 'issued' }, userErrors: [] })
    const twice = await ctx.rest(pos, 'POST', `/api/v1/coupons/redemptions/${id}/restoration`, { reason: 'again' })
    t.equal(twice.statusCode, 422)
    t.match(twice.json().errors, [{ code: 'ALREADY_RESTORED' }])
    const read = await ctx.rest(pos, 'GET', `/api/v1/coupons/redemptions/${id}`)
    t.match(read.json(), { id, restoreReason: '收银撤销', discount: CNY(1000) })
  })

  await t.test('a coupon reward with a template issues a real coupon on approval, once; a cancelled reward voids it', async (t) => {
    await deactivateAll(ctx)
    const welcome = await createTemplate(ctx, { name: '推荐人奖励券', amountOff: 5000, minOrderAmount: 0, validDays: 90 })
    const rule = await createRule(ctx, { trigger: 'order_paid', rewardType: 'coupon', amount: 5000, couponTemplateId: welcome.id, beneficiary: 'both', approval: 'manual', holdDays: 0 })
    const withTemplate = await ctx.gql(ctx.adminToken, 'query($id: ID!) { incentiveRule(id: $id) { couponTemplateId couponTemplate { name } } }', { id: rule.id })
    t.same(withTemplate.data.incentiveRule, { couponTemplateId: welcome.id, couponTemplate: { name: '推荐人奖励券' } })
    const referrer = await createReferrer(ctx)
    const referral = await submitted(ctx, referrer.id)
    const customerId = await convert(ctx, referral.leadId)
    const order = await recordOrder(ctx, customerId, 20_000)
    const rewards = await ledger(ctx, { orderId: order.id })
    t.equal(rewards.length, 2)
    const [held] = await ctx.sql<{ n: number }>('select count(*)::int as n from coupons where template_id = $1', [welcome.id])
    t.equal(held.n, 0, 'pending rewards issue nothing')
    for (const r of rewards) t.same((await ctx.gql(ctx.adminToken, APPROVE, { id: r.id })).data.approveReward.userErrors, [])
    const toReferrer = (await ctx.rest(pos, 'GET', `/api/v1/coupons?referrerId=${referrer.id}`)).json().data
    const toCustomer = (await ctx.rest(pos, 'GET', `/api/v1/coupons?customerId=${customerId}`)).json().data
    t.match(toReferrer, [{ templateId: welcome.id, referrerId: referrer.id, rewardId: rewards.find((r) => r.beneficiary_type === 'referrer')!.id, status: 'issued' }])
    t.match(toCustomer, [{ templateId: welcome.id, customerId, rewardId: rewards.find((r) => r.beneficiary_type === 'referred')!.id }])
    await ctx.gql(ctx.adminToken, APPROVE, { id: rewards[0].id })
    const [after] = await ctx.sql<{ n: number }>('select count(*)::int as n from coupons where template_id = $1', [welcome.id])
    t.equal(after.n, 2, 'approving again issues nothing more')
    const referrerReward = rewards.find((r) => r.beneficiary_type === 'referrer')!
    const cancelled = await ctx.gql(ctx.adminToken, CANCEL, { id: referrerReward.id, r: '重复推荐' })
    t.same(cancelled.data.cancelReward.userErrors, [])
    const voided = (await ctx.rest(pos, 'GET', `/api/v1/coupons/${toReferrer[0].id}`)).json()
    t.match(voided, { status: 'voided', voidReason: 'reward cancelled' })
  })

  await t.test('approved at creation (automatic, no hold): the coupon is issued as the order is recorded; a sold-out template does not block the order', async (t) => {
    await deactivateAll(ctx)
    const scarce = await createTemplate(ctx, { name: '首单礼券', kind: 'gift', amountOff: null, giftItemCode: 'SKU-GIFT', minOrderAmount: 0, totalQuantity: 1 })
    await createRule(ctx, { trigger: 'order_paid', rewardType: 'coupon', amount: 1000, couponTemplateId: scarce.id, beneficiary: 'referred', approval: 'auto', holdDays: 0 })
    const scene = async () => {
      const referrer = await createReferrer(ctx)
      const customerId = await convert(ctx, (await submitted(ctx, referrer.id)).leadId)
      return { customerId, order: await recordOrder(ctx, customerId, 20_000) }
    }
    const first = await scene()
    const coupons = (await ctx.rest(pos, 'GET', `/api/v1/coupons?customerId=${first.customerId}`)).json().data
    t.match(coupons, [{ templateId: scarce.id, offer: { kind: 'gift', giftItemCode: 'SKU-GIFT' } }])
    const second = await scene()
    t.ok(second.order.id, 'the order is recorded')
    t.same((await ctx.rest(pos, 'GET', `/api/v1/coupons?customerId=${second.customerId}`)).json().data, [])
    const [audit] = await ctx.sql<{ changes: { reason: string } }>("select changes from audit_entries where action = 'coupon.not_issued' and entity_id = $1", [scarce.id])
    t.equal(audit.changes.reason, 'SOLD_OUT')
  })

  await t.test('a coupon rule needs a couponCode or an existing template; couponTemplateId is only for coupon rewards', async (t) => {
    const base = { name: 'x', trigger: 'referral_qualified', calc: 'fixed', amount: 100 }
    const none = await ctx.gql(ctx.adminToken, CREATE_RULE, { i: { ...base, rewardType: 'coupon' } })
    t.match(none.data.createIncentiveRule.userErrors, [{ field: 'couponCode', code: 'REQUIRED' }])
    const unknown = await ctx.gql(ctx.adminToken, CREATE_RULE, { i: { ...base, rewardType: 'coupon', couponTemplateId: '01900000-0000-7000-8000-000000000404' } })
    t.match(unknown.data.createIncentiveRule.userErrors, [{ field: 'couponTemplateId', code: 'UNKNOWN_TEMPLATE' }])
    const cash = await ctx.gql(ctx.adminToken, CREATE_RULE, { i: { ...base, rewardType: 'cash', couponTemplateId: restoring.id } })
    t.match(cash.data.createIncentiveRule.userErrors, [{ field: 'couponTemplateId', code: 'NOT_APPLICABLE' }])
    const rest = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/incentive-rules', { ...base, rewardType: 'coupon', couponTemplateId: restoring.id, active: false })
    t.equal(rest.statusCode, 201)
    t.equal(rest.json().couponTemplateId, restoring.id)
  })
}, { REFERRAL_CONSENT_REQUIRED: 'false' })
