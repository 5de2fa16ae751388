import t from 'tap'
import { forEachDatabase } from '../../helper.js'
import { APPROVE, CANCEL, convert, createReferrer, createRule, deactivateAll, ledger, submitted } from '../incentives/support.js'
import { balanceOf, LEDGER, recordOrder, REFUND, type Entry } from './support.js'

await forEachDatabase(t, async (t, ctx) => {
  await deactivateAll(ctx)
  const REFERRER_POINTS = `query($id: ID!) { referrer(id: $id) { id points { balance ledger(first: 10) { edges { node { kind amount sourceType sourceId } } totalCount } } } }`
  const referrerLedger = async (referrerId: string): Promise<Entry[]> =>
    (await ctx.gql(ctx.adminToken, LEDGER, { r: referrerId })).data.pointsLedger.edges.map((e: { node: Entry }) => e.node)

  await createRule(ctx, { trigger: 'order_paid', calc: 'points', rewardType: 'points', amount: 300, beneficiary: 'both', referredAmount: 100, approval: 'manual', holdDays: 0 })

  const scene = async () => {
    const referrer = await createReferrer(ctx)
    const referral = await submitted(ctx, referrer.id)
    const customerId = await convert(ctx, referral.leadId)
    const order = await recordOrder(ctx, customerId, 20_000)
    const rewards = await ledger(ctx, { orderId: order.id })
    return { referrer, customerId, order, rewards }
  }

  await t.test('points rewards reach the points accounts when approved, not before; both sides of a double-sided rule', async (t) => {
    const { referrer, customerId, rewards } = await scene()
    t.equal(rewards.length, 2)
    t.equal((await balanceOf(ctx, customerId)).balance, 0, 'pending: nothing credited yet')
    for (const r of rewards) t.same((await ctx.gql(ctx.adminToken, APPROVE, { id: r.id })).data.approveReward.userErrors, [])
    t.equal((await balanceOf(ctx, customerId)).balance, 100)
    const got = await ctx.gql(ctx.adminToken, REFERRER_POINTS, { id: referrer.id })
    t.equal(got.data.referrer.points.balance, 300)
    t.match(got.data.referrer.points.ledger.edges[0].node, { kind: 'earn', amount: 300, sourceType: 'reward' })
    // Approving again changes nothing (and is refused by the reward's state machine).
    await ctx.gql(ctx.adminToken, APPROVE, { id: rewards[0].id })
    t.equal((await referrerLedger(referrer.id)).length, 1)
  })

  await t.test('a full refund after approval cancels the rewards and takes their points back', async (t) => {
    const { referrer, order, rewards, customerId } = await scene()
    for (const r of rewards) await ctx.gql(ctx.adminToken, APPROVE, { id: r.id })
    const partial = await ctx.gql(ctx.adminToken, REFUND, { i: { orderId: order.id, amount: { amount: 10_000, currency: 'CNY' }, refundExternalId: 'R-half' } })
    t.same(partial.data.refundOrder.userErrors, [])
    t.equal((await balanceOf(ctx, customerId)).balance, 100, 'a fixed reward stands while the order is partly paid (docs/incentives.md)')
    await ctx.gql(ctx.adminToken, REFUND, { i: { orderId: order.id, refundExternalId: 'R-rest' } })
    const after = (await referrerLedger(referrer.id)).map((e) => [e.kind, e.amount, e.sourceType])
    t.same(after, [['reverse', -300, 'reward'], ['earn', 300, 'reward']])
    t.equal((await balanceOf(ctx, customerId)).balance, 0)
  })

  await t.test('a reward cancelled while pending credits nothing; cancelled once approved takes back what is left', async (t) => {
    const { referrer, rewards } = await scene()
    const referrerSide = rewards.find((r) => r.beneficiary_type === 'referrer')!
    const customerSide = rewards.find((r) => r.beneficiary_type === 'referred')!
    await ctx.gql(ctx.adminToken, CANCEL, { id: customerSide.id, r: 'fraud check' })
    t.equal((await balanceOf(ctx, customerSide.beneficiary_id)).balance, 0)
    await ctx.gql(ctx.adminToken, APPROVE, { id: referrerSide.id })
    const cancelled = await ctx.gql(ctx.adminToken, CANCEL, { id: referrerSide.id, r: 'duplicate referral' })
    t.same(cancelled.data.cancelReward.userErrors, [])
    const entries = await referrerLedger(referrer.id)
    t.same(entries.map((e) => [e.kind, e.amount]), [['reverse', -300], ['earn', 300]])
    t.equal((await ctx.gql(ctx.adminToken, REFERRER_POINTS, { id: referrer.id })).data.referrer.points.balance, 0)
  })

  await t.test('a referrer token reads its own points and ledger, nothing of others, and cannot redeem or adjust', async (t) => {
    const { referrer, rewards } = await scene()
    const other = await scene()
    for (const r of [...rewards, ...other.rewards]) await ctx.gql(ctx.adminToken, APPROVE, { id: r.id })
    const token = (await ctx.rest(ctx.adminToken, 'POST', '/api/v1/auth/referrer-token', { referrerId: referrer.id })).json().accessToken
    const own = await ctx.gql(token, REFERRER_POINTS, { id: referrer.id })
    t.equal(own.data.referrer.points.balance, 300)
    const ledgerOwn = await ctx.gql(token, LEDGER, { r: referrer.id })
    t.equal(ledgerOwn.data.pointsLedger.totalCount, 1)
    const theirs = await ctx.gql(token, LEDGER, { r: other.referrer.id })
    t.match(theirs.errors, [{ extensions: { code: 'NOT_FOUND' } }])
    const rest = await ctx.rest(token, 'GET', `/api/v1/points/balance?referrerId=${other.referrer.id}`)
    t.equal(rest.statusCode, 404)
    const redeem = await ctx.rest(token, 'POST', '/api/v1/points/redemptions', { referrerId: referrer.id, amount: 1, itemCode: 'X' })
    t.equal(redeem.statusCode, 403)
    const mine = await ctx.rest(token, 'GET', `/api/v1/points/balance?referrerId=${referrer.id}`)
    t.match(mine.json(), { balance: 300, bookedBalance: 300 })
  })
}, { REFERRAL_CONSENT_REQUIRED: 'false' })
