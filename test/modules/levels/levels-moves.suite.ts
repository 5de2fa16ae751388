import t from 'tap'
import { Registry } from 'prom-client'
import { jobMetrics, runObserved } from '../../../src/jobs/job-observer.js'
import { levelReviewJob } from '../../../src/jobs/level-review.job.js'
import { addMonths } from '../../../src/rules/member-levels.js'
import { forEachDatabase } from '../../helper.js'
import { createCustomer, createLevel, DAY, levelEvents, levelOf, newId, recordOrder, REFUND } from './support.js'

/**
 * Levels move as the rules say, through the real paths: orders recorded by an ERP (GraphQL
 * and REST) move customers up in the order's own transaction; refunds move nobody; only the
 * review job, run here with an injected `now`, moves them down or renews them.
 */
await forEachDatabase(t, async (t, ctx) => {
  const erp = await ctx.keyToken('integration')
  // silver looks back two years, gold one: at the first review a gold customer falls to silver.
  const silver = await createLevel(ctx, { key: 'silver', rank: 10, minSpend: 100_000, minPoints: 1000, windowMonths: 24, reviewMonths: 12, pointsMultiplierBp: 12000, discountBp: 300 })
  const gold = await createLevel(ctx, { key: 'gold', rank: 20, minSpend: 500_000, windowMonths: 12, reviewMonths: 12, pointsMultiplierBp: 15000, discountBp: 800 })
  await ctx.gql(ctx.adminToken, 'mutation($i: CreatePointsEarningRuleInput!) { createPointsEarningRule(input: $i) { rule { id } } }',
    { i: { name: '每消费1元积1分', kind: 'base', points: 1, unitAmount: 100 } })
  const earned = async (customerId: string): Promise<number[]> => (await ctx.gql(ctx.adminToken,
    'query($c: ID) { pointsLedger(customerId: $c, first: 50, filter: { kind: earn }) { edges { node { amount } } } }', { c: customerId })).data.pointsLedger.edges.map((e: { node: { amount: number } }) => e.node.amount)

  const refunded = await createCustomer(ctx)
  const goldie = await createCustomer(ctx)
  const keeper = await createCustomer(ctx)
  let firstOrder = ''

  await t.test('an order that reaches a threshold moves the customer up at once, in the order\'s transaction; the level multiplies later points', async (t) => {
    firstOrder = (await recordOrder(ctx, refunded.id, 60_000, erp)).id
    t.match(await levelOf(ctx, refunded.id), { level: { key: 'member', rank: 0 }, reachedAt: null, reviewAt: null, history: { totalCount: 0 } })
    const second = await recordOrder(ctx, refunded.id, 50_000, erp)
    const level = await levelOf(ctx, refunded.id)
    t.match(level, { level: { key: 'silver', rank: 10, discountBp: 300, pointsMultiplierBp: 12000 } })
    t.equal(level.reviewAt, addMonths(new Date(level.reachedAt!), 12).toISOString(), 'reviewed twelve months after reaching it')
    t.match(level.history.edges, [{ node: { reason: 'upgrade', from: { key: 'member' }, to: { key: 'silver' }, occasion: 'activity', reviewAt: level.reviewAt,
      facts: [{ windowMonths: 12, spend: { amount: 110_000, currency: 'CNY' }, points: 1100 }, { windowMonths: 24, spend: { amount: 110_000 }, points: 1100 }] } }])
    const [event] = await levelEvents(ctx, refunded.id)
    t.match(event, { customerId: refunded.id, reason: 'upgrade', from: { key: 'member', rank: 0 }, to: { key: 'silver', id: silver.id }, reachedAt: level.reachedAt, reviewAt: level.reviewAt, note: null })
    const [same] = await ctx.sql<{ n: number }>(`select count(distinct occurred_at)::int as n from outbox_events
      where (type = 'order.recorded' and entity_id = $1) or (type = 'customer.level_changed' and entity_id = $2)`, [second.id, refunded.id])
    t.equal(same.n, 1, 'customer.level_changed commits with order.recorded')
    await recordOrder(ctx, refunded.id, 10_000, erp)
    t.same(await earned(refunded.id), [120, 500, 600], '100 points × 1.2 at silver; the earlier orders earned at the base level')
  })

  await t.test('one order can skip levels (REST); the highest qualifying level is reached', async (t) => {
    const res = await ctx.rest(erp, 'POST', '/api/v1/orders', { customerId: goldie.id, amount: { amount: 600_000 }, externalId: newId() })
    t.equal(res.statusCode, 201)
    t.match(await levelOf(ctx, goldie.id), { level: { key: 'gold' }, history: { totalCount: 1, edges: [{ node: { from: { key: 'member' }, to: { key: 'gold' } } }] } })
    const view = await ctx.rest(erp, 'GET', `/api/v1/customers/${goldie.id}`)
    t.match(view.json().level, { level: { key: 'gold', discountBp: 800, pointsMultiplierBp: 15000, spendCurrency: 'CNY' }, reachedAt: String, reviewAt: String })
    t.match((await ctx.rest(erp, 'GET', `/api/v1/customers/${goldie.id}/level`)).json(), { level: { key: 'gold' } })
    await recordOrder(ctx, keeper.id, 150_000, erp)
    t.equal((await levelOf(ctx, keeper.id)).level.key, 'silver')
  })

  await t.test('concurrent orders that qualify only together move the customer up', async (t) => {
    const c = await createCustomer(ctx)
    await Promise.all([1, 2, 3].map(() => recordOrder(ctx, c.id, 40_000, erp)))
    const level = await levelOf(ctx, c.id)
    t.equal(level.level.key, 'silver', 'each order\'s evaluation saw the others (the customer\'s level lock)')
    t.equal(level.history.totalCount, 1, 'moved once')
  })

  const rewardee = await createCustomer(ctx)
  await t.test('points from an approved reward count at once; a cancelled reward\'s points stop counting', async (t) => {
    const manager = await ctx.staff('manager')
    const referrer = (await ctx.gql(ctx.adminToken, 'mutation($i: CreateReferrerInput!) { createReferrer(input: $i) { referrer { id } } }', { i: { kind: 'customer', name: '老客户' } })).data.createReferrer.referrer
    await ctx.rest(ctx.adminToken, 'PATCH', `/api/v1/customers/${rewardee.id}`, { referrerId: referrer.id })
    await ctx.gql(ctx.adminToken, 'mutation($i: CreateIncentiveRuleInput!) { createIncentiveRule(input: $i) { incentiveRule { id } } }',
      { i: { name: '被推荐人首单送积分', trigger: 'order_paid', calc: 'points', rewardType: 'points', amount: 1000, beneficiary: 'referred', approval: 'manual', holdDays: 0 } })
    const order = await recordOrder(ctx, rewardee.id, 1000, erp)
    t.equal((await levelOf(ctx, rewardee.id)).level.key, 'member', '10 points from the order')
    const reward = (await ctx.gql(ctx.adminToken, 'query($o: ID) { rewards(first: 5, filter: { orderId: $o }) { edges { node { id } } } }', { o: order.id })).data.rewards.edges[0].node.id
    const approved = await ctx.gql(manager.token, 'mutation($id: ID!) { approveReward(id: $id) { reward { status } userErrors { code } } }', { id: reward })
    t.match(approved.data.approveReward, { reward: { status: 'approved' }, userErrors: [] })
    t.match(await levelOf(ctx, rewardee.id), { level: { key: 'silver' }, history: { edges: [{ node: { reason: 'upgrade', facts: [{ points: 1010 }, { points: 1010 }] } }] } })
    const cancelled = await ctx.gql(manager.token, 'mutation($id: ID!) { cancelReward(id: $id, reason: "fraud") { reward { status } userErrors { code } } }', { id: reward })
    t.same(cancelled.data.cancelReward.userErrors, [])
    t.equal((await levelOf(ctx, rewardee.id)).level.key, 'silver', 'kept until the review')
  })

  await t.test('a refund never moves a level down, even below every threshold', async (t) => {
    const r = await ctx.gql(erp, REFUND, { i: { orderId: firstOrder, refundExternalId: newId('RF'), reason: 'returned' } })
    t.same(r.data.refundOrder.userErrors, [])
    const level = await levelOf(ctx, refunded.id)
    t.equal(level.level.key, 'silver')
    t.equal(level.history.totalCount, 1)
    const again = await ctx.rest(ctx.adminToken, 'POST', `/api/v1/customers/${refunded.id}/level/evaluation`)
    t.equal(again.statusCode, 204, 'evaluating as activity moves nothing down either')
  })

  const reviewAt = new Date((await levelOf(ctx, refunded.id)).reviewAt!)

  await t.test('the review job moves nobody before the review date', async (t) => {
    const result = await levelReviewJob.run(ctx.app.services, new Date(Date.now() + 180 * DAY))
    t.match(result, { reviewed: 0, downgraded: 0 })
    t.equal((await levelOf(ctx, refunded.id)).level.key, 'silver')
  })

  await t.test('at the review: down to the highest level still qualified for, or kept with a new review date', async (t) => {
    const at = new Date(reviewAt.getTime() + DAY)
    const result = await levelReviewJob.run(ctx.app.services, at)
    t.match(result, { reviewed: 5, downgraded: 3, renewed: 2, upgraded: 0, failed: 0 })
    t.match(await levelOf(ctx, refunded.id), { level: { key: 'member' }, reachedAt: at.toISOString(), reviewAt: null }, 'refunded below silver: down to the base')
    t.match((await levelOf(ctx, refunded.id)).history.edges[0].node, { reason: 'downgrade', from: { key: 'silver' }, to: { key: 'member' }, facts: [{ windowMonths: 12, spend: { amount: 0 } }, { windowMonths: 24, spend: { amount: 60_000 }, points: 620 }] })
    t.match(await levelOf(ctx, goldie.id), { level: { key: 'silver' }, reviewAt: addMonths(at, 12).toISOString() }, 'gold\'s year passed; silver\'s two-year window still holds the order')
    t.match((await levelOf(ctx, rewardee.id)).history.edges[0].node, { reason: 'downgrade', facts: [{ points: 0 }, { points: 10 }] }, 'the cancelled reward\'s points are taken back')
    const kept = await levelOf(ctx, keeper.id)
    t.match(kept, { level: { key: 'silver' }, reviewAt: addMonths(at, 12).toISOString() })
    t.equal(kept.history.edges[0].node.reason, 'renewal')
    const events = await levelEvents(ctx, keeper.id)
    t.same(events.map((e) => e.reason), ['upgrade'], 'a renewal is history, not an event')
    t.match((await levelEvents(ctx, goldie.id)).at(-1), { reason: 'downgrade', from: { key: 'gold' }, to: { key: 'silver' } })
    const twice = await levelReviewJob.run(ctx.app.services, at)
    t.match(twice, { reviewed: 0 }, 'nothing is due twice')
  })

  await t.test('a customer whose review fails is logged and counted; the pass goes on', async (t) => {
    const at = new Date(addMonths(reviewAt, 12).getTime() + 2 * DAY)
    const registry = new Registry()
    const metrics = jobMetrics(registry, [levelReviewJob])
    const lines: { msg: string; customerId?: string; error?: { message: string } }[] = []
    const log = { info: () => {}, error: (obj: object, msg: string) => lines.push({ ...obj, msg }) } as unknown as Parameters<typeof runObserved>[3]['log']
    const levels = ctx.app.services.levels
    const original = levels.reviewOne.bind(levels)
    levels.reviewOne = async (customerId, now) => {
      if (customerId === keeper.id) throw new Error('simulated deadlock')
      return original(customerId, now)
    }
    try {
      const result = await runObserved(levelReviewJob, ctx.app.services, at, { log, metrics })
      t.match(result, { reviewed: 3, failed: 1, downgraded: 2 })
    } finally {
      levels.reviewOne = original
    }
    t.match(lines, [{ msg: 'job item failed', customerId: keeper.id, error: { message: 'simulated deadlock' } }])
    t.match(await registry.getSingleMetricAsString('crm_job_item_failures_total'), /crm_job_item_failures_total\{job="level-review"\} 1/)
    t.equal((await levelOf(ctx, keeper.id)).level.key, 'silver', 'the failed customer is untouched, and due again next run')
    t.match(await levelOf(ctx, goldie.id), { level: { key: 'member' } }, 'the others were reviewed')
    t.match(await levelReviewJob.run(ctx.app.services, at), { reviewed: 1, downgraded: 1 })
  })

  await t.test('reviewLevels: the admin trigger reviews what is due now, up to a limit; programme writers only', async (t) => {
    const sales = await ctx.staff('sales')
    const denied = await ctx.gql(sales.token, 'mutation { reviewLevels { review { reviewed } userErrors { code } } }')
    t.match(denied.errors, [{ extensions: { code: 'FORBIDDEN' } }])
    const ok = await ctx.gql(ctx.adminToken, 'mutation($i: ReviewLevelsInput) { reviewLevels(input: $i) { review { reviewed failed more } userErrors { field code } } }', { i: { limit: 10 } })
    t.same(ok.data.reviewLevels, { review: { reviewed: 0, failed: 0, more: false }, userErrors: [] })
    const bad = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/member-levels/review', { limit: 0 })
    t.equal(bad.statusCode, 400)
    t.match(bad.json().errors, [{ field: 'limit' }])
    const c = await createCustomer(ctx)
    await recordOrder(ctx, c.id, 100_000, erp)
    const d = await createCustomer(ctx)
    await recordOrder(ctx, d.id, 100_000, erp)
    const later = new Date(Date.now() + 400 * DAY)
    t.match(await ctx.app.services.levels.reviewDue(later, { limit: 1 }), { reviewed: 1, more: true })
    t.match(await ctx.app.services.levels.reviewDue(later, { limit: 1 }), { reviewed: 1, more: false })
    t.equal(gold.rank, 20)
  })
})
