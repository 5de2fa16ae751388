import t from 'tap'
import { forEachDatabase } from '../../helper.js'
import { balanceOf, createCustomer, CREATE_RULE, LEDGER, ledgerHolds, newId, recordOrder, REDEEM, REFUND, UPDATE_RULE, type Entry } from './support.js'

await forEachDatabase(t, async (t, ctx) => {
  const erp = await ctx.keyToken('integration')
  const marketing = await ctx.staff('marketing')

  const rule = async (input: Record<string, unknown>, token = ctx.adminToken) => {
    const r = await ctx.gql(token, CREATE_RULE, { i: input })
    if (!r.data?.createPointsEarningRule?.rule) throw new Error(JSON.stringify(r))
    return r.data.createPointsEarningRule.rule
  }
  const ledgerOf = async (customerId: string): Promise<Entry[]> =>
    (await ctx.gql(ctx.adminToken, LEDGER, { c: customerId, first: 200 })).data.pointsLedger.edges.map((e: { node: Entry }) => e.node)

  await t.test('without an earning rule an order earns nothing and opens no account', async (t) => {
    const c = await createCustomer(ctx)
    await recordOrder(ctx, c.id, 10_000)
    t.match(await balanceOf(ctx, c.id), { accountId: null, balance: 0, expiringSoon: null })
  })

  const base = await rule({ name: '每消费1元积1分', kind: 'base', points: 1, unitAmount: 100, externalId: 'EARN-BASE' }, marketing.token)

  await t.test('earning rules: validation names the field; kind-specific fields required; sales and service may read, not write', async (t) => {
    t.match(base, { kind: 'base', points: 1, unitAmount: 100, active: true, priority: 100, currency: 'CNY', version: 1 })
    const noPoints = await ctx.gql(ctx.adminToken, CREATE_RULE, { i: { name: 'x', kind: 'base', unitAmount: 100 } })
    t.match(noPoints.data.createPointsEarningRule, { rule: null, userErrors: [{ field: 'points', code: 'REQUIRED' }] })
    const noCampaign = await ctx.gql(ctx.adminToken, CREATE_RULE, { i: { name: 'x', kind: 'multiplier', multiplierBp: 20000 } })
    t.match(noCampaign.data.createPointsEarningRule.userErrors, [{ field: 'campaignId', code: 'REQUIRED' }])
    const badKind = await ctx.gql(ctx.adminToken, CREATE_RULE, { i: { name: 'x', kind: 'bonus', points: 1, unitAmount: 1 } })
    t.match(badKind.errors, [{ extensions: { code: 'BAD_USER_INPUT' } }])
    const inline = await ctx.gql(ctx.adminToken, 'mutation { createPointsEarningRule(input: { name: "x", kind: base, points: 0, unitAmount: 100 }) { rule { id } userErrors { field code } } }')
    t.match(inline.data.createPointsEarningRule.userErrors, [{ field: 'points' }])
    const taken = await ctx.gql(ctx.adminToken, CREATE_RULE, { i: { name: 'x', kind: 'base', points: 1, unitAmount: 100, externalId: 'EARN-BASE', active: false } })
    t.match(taken.data.createPointsEarningRule.userErrors, [{ field: 'externalId', code: 'TAKEN' }])
    const sales = await ctx.staff('sales')
    t.ok((await ctx.gql(sales.token, '{ pointsEarningRules { id } }')).data.pointsEarningRules.some((r: { id: string }) => r.id === base.id))
    const service = await ctx.staff('service')
    const denied = await ctx.gql(service.token, CREATE_RULE, { i: { name: 'x', kind: 'base', points: 1, unitAmount: 100 } })
    t.match(denied.errors, [{ extensions: { code: 'FORBIDDEN' } }])
    const stale = await ctx.gql(ctx.adminToken, UPDATE_RULE, { id: base.id, i: { name: 'y', expectedVersion: 9 } })
    t.match(stale.data.updatePointsEarningRule.userErrors, [{ code: 'STALE_VERSION' }])
    const rest = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/points/earning-rules', { name: 'x', kind: 'base', points: 1 })
    t.equal(rest.statusCode, 400)
    t.match(rest.json(), { errors: [{ field: 'unitAmount' }] })
  })

  await t.test('a paid order earns by the base rule, a campaign multiplies it; the lot expires at the end of the 12th month', async (t) => {
    const campaign = (await ctx.gql(ctx.adminToken, 'mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { campaign { id } userErrors { message } } }',
      { i: { name: `双倍积分 ${newId()}` } })).data.createCampaign.campaign
    await rule({ name: '活动双倍', kind: 'multiplier', campaignId: campaign.id, multiplierBp: 20000 })
    const c = await createCustomer(ctx)
    await recordOrder(ctx, c.id, 12_345)
    await recordOrder(ctx, c.id, 10_000, { campaignId: campaign.id })
    const entries = await ledgerOf(c.id)
    t.same(entries.map((e) => [e.kind, e.amount, e.sourceType]), [['earn', 200, 'order'], ['earn', 123, 'order']], 'floor(12345 / 100) = 123; 100 × 2 = 200')
    const b = await balanceOf(ctx, c.id)
    t.equal(b.balance, 323)
    t.ok(entries[0].expiresAt && new Date(entries[0].expiresAt).getTime() > Date.now() + 360 * 86_400_000)
    t.equal(b.expiringSoon!.amount, 323, 'both lots of this month expire together')
  })

  await t.test('a refund takes back the order’s share of its points and returns redeemed points to their lots', async (t) => {
    const c = await createCustomer(ctx)
    const order = await recordOrder(ctx, c.id, 100_000)
    t.equal((await balanceOf(ctx, c.id)).balance, 1000)
    const r = await ctx.gql(erp, REDEEM, { i: { customerId: c.id, amount: 400, orderExternalId: order.externalId, externalId: newId('RDM') } })
    t.equal(r.data.redeemPoints.redemption.orderId, order.id, 'the ERP order id names a CRM order: linked')
    const half = await ctx.gql(erp, REFUND, { i: { orderId: order.id, amount: { amount: 50_000, currency: 'CNY' }, refundExternalId: 'RF-1' } })
    t.same(half.data.refundOrder.userErrors, [])
    // Earned 1000: half taken back (500). Redeemed 400: half (200) given back.
    t.equal((await balanceOf(ctx, c.id)).balance, 1000 - 400 - 500 + 200)
    const again = await ctx.gql(erp, REFUND, { i: { orderId: order.id, amount: { amount: 50_000, currency: 'CNY' }, refundExternalId: 'RF-1' } })
    t.same(again.data.refundOrder.userErrors, [], 'a retried refund applies once')
    t.equal((await balanceOf(ctx, c.id)).balance, 300)
    await ctx.gql(erp, REFUND, { i: { orderId: order.id, refundExternalId: 'RF-2' } })
    const b = await balanceOf(ctx, c.id)
    t.equal(b.balance, 0, 'all earned points gone, all redeemed points back, and nothing else there')
    const redemption = (await ctx.gql(erp, `query($id: ID!) { pointsRedemption(id: $id) { status reversedAmount } }`, { id: r.data.redeemPoints.redemption.id })).data.pointsRedemption
    t.same(redemption, { status: 'reversed', reversedAmount: 400 })
    t.same(await ledgerHolds(ctx, b.accountId!), { balance: 0, ledger: 0, lots: 0 })
  })

  await t.test('points already spent cannot be taken back: the reversal records the shortfall and the balance stays at zero', async (t) => {
    const c = await createCustomer(ctx)
    const order = await recordOrder(ctx, c.id, 50_000)
    await ctx.gql(erp, REDEEM, { i: { customerId: c.id, amount: 500, itemCode: 'GIFT-1' } })
    await ctx.gql(erp, REFUND, { i: { orderId: order.id } })
    const [reverse] = (await ledgerOf(c.id)).filter((e) => e.kind === 'reverse')
    t.match(reverse, { amount: 0, shortfall: 500, sourceType: 'refund' })
    t.equal((await balanceOf(ctx, c.id)).balance, 0)
  })

  await t.test('a deactivated rule earns nothing', async (t) => {
    await ctx.gql(ctx.adminToken, UPDATE_RULE, { id: base.id, i: { active: false } })
    const c = await createCustomer(ctx)
    await recordOrder(ctx, c.id, 10_000)
    t.equal((await balanceOf(ctx, c.id)).balance, 0)
    await ctx.gql(ctx.adminToken, UPDATE_RULE, { id: base.id, i: { active: true } })
  })
})
