import t from 'tap'
import { forEachDatabase } from '../../helper.js'
import { adjust, balanceOf, createCustomer, CREATE_RULE, LEDGER, ledgerHolds, newId, recordOrder, REDEEM, REFUND, type Entry } from './support.js'

const MERGE = 'mutation($s: ID!, $m: [ID!]!) { mergeCustomers(survivorId: $s, mergedIds: $m) { customer { id } moved userErrors { field code } } }'

await forEachDatabase(t, async (t, ctx) => {
  const ruleRes = await ctx.gql(ctx.adminToken, CREATE_RULE, { i: { name: '每消费1元积1分', kind: 'base', points: 1, unitAmount: 100 } })
  t.ok(ruleRes.data.createPointsEarningRule.rule, 'earning rule')
  const merge = async (survivor: string, merged: string[]) => {
    const r = await ctx.gql(ctx.adminToken, MERGE, { s: survivor, m: merged })
    t.same(r.data.mergeCustomers.userErrors, [])
    return r.data.mergeCustomers
  }
  const ledgerOf = async (customerId: string): Promise<Entry[]> =>
    (await ctx.gql(ctx.adminToken, LEDGER, { c: customerId, first: 100 })).data.pointsLedger.edges.map((e: { node: Entry }) => e.node)

  await t.test('a merge folds every points account into the survivor: one account, the whole ledger, the sum of balances', async (t) => {
    const survivor = await createCustomer(ctx)
    const a = await createCustomer(ctx)
    const b = await createCustomer(ctx)
    const none = await createCustomer(ctx)
    await adjust(ctx, survivor.id, 100)
    const order = await recordOrder(ctx, a.id, 5_000) // earns 50
    await adjust(ctx, a.id, 30)
    await adjust(ctx, b.id, 7)
    const redeem = await ctx.gql(ctx.adminToken, REDEEM, { i: { customerId: b.id, amount: 5, itemCode: 'SKU-1', externalId: newId('RD') } })
    t.same(redeem.data.redeemPoints.userErrors, [])

    const result = await merge(survivor.id, [a.id, b.id, none.id])
    t.match(result.moved, { pointsAccounts: 2, orders: 1 })
    const after = await balanceOf(ctx, survivor.id)
    t.equal(after.balance, 100 + 50 + 30 + 7 - 5)
    t.same(await ledgerHolds(ctx, after.accountId!), { balance: 182, ledger: 182, lots: 182 })
    t.equal((await ledgerOf(survivor.id)).length, 5, 'every entry of the three accounts')
    t.equal((await ctx.sql('select 1 from points_accounts where customer_id = any($1)', [[a.id, b.id, none.id]])).length, 0, 'no account left behind')
    const [redemption] = await ctx.sql<{ customer_id: string }>('select customer_id from points_redemptions where customer_id = $1', [survivor.id])
    t.ok(redemption, 'the redemption follows its customer')

    // The moved order's refund finds the points it earned on the survivor's account.
    const refund = await ctx.gql(ctx.adminToken, REFUND, { i: { orderId: order.id, amount: { amount: 5_000, currency: 'CNY' }, refundExternalId: newId('RF') } })
    t.same(refund.data.refundOrder.userErrors, [])
    t.equal((await balanceOf(ctx, survivor.id)).balance, 132)
  })

  await t.test('a survivor without an account takes over the merged one', async (t) => {
    const survivor = await createCustomer(ctx)
    const merged = await createCustomer(ctx)
    await adjust(ctx, merged.id, 40)
    const before = await balanceOf(ctx, merged.id)
    await merge(survivor.id, [merged.id])
    const after = await balanceOf(ctx, survivor.id)
    t.match(after, { accountId: before.accountId, balance: 40 })
    t.same(await ledgerHolds(ctx, after.accountId!), { balance: 40, ledger: 40, lots: 40 })
  })
})
