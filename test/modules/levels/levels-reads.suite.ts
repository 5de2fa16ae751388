import t from 'tap'
import { addMonths } from '../../../src/rules/member-levels.js'
import { forEachDatabase } from '../../helper.js'
import { createCustomer, createLevel, DAY, levelEvents, levelOf, recordOrder, SET_LEVEL } from './support.js'

/**
 * A level set by hand, and the level read and used elsewhere: Customer.level and the REST
 * customer view without N+1, history, counts per level, the customers filter and audiences,
 * and incentive rules limited to levels.
 */
await forEachDatabase(t, async (t, ctx) => {
  const admin = ctx.adminToken
  const erp = await ctx.keyToken('integration')
  const team = await ctx.createTeam()
  const manager = await ctx.staff('manager', { teamId: team })
  const rep = await ctx.staff('sales', { teamId: team })
  const outsider = await ctx.staff('sales')
  const marketing = await ctx.staff('marketing')
  const service = await ctx.staff('service')
  const made = await ctx.gql(ctx.adminToken, 'mutation($i: CreateCouponTemplateInput!) { createCouponTemplate(input: $i) { template { id } userErrors { field message } } }',
    { i: { name: '金卡礼券', kind: 'amount_off', amountOff: 5000, validDays: 30 } })
  const tpl: { id: string } = made.data.createCouponTemplate.template
  const silver = await createLevel(ctx, { key: 'silver', rank: 10, minSpend: 100_000 })
  const gold = await createLevel(ctx, { key: 'gold', rank: 20, minSpend: 500_000, couponTemplateIds: [tpl.id], discountBp: 800 })

  const vip = await createCustomer(ctx, { ownerId: rep.userId })
  const plain = await createCustomer(ctx, { ownerId: rep.userId })
  const other = await createCustomer(ctx)

  await t.test('admins, managers and integrations set a level by hand with a reason; the move up issues the level\'s coupons', async (t) => {
    const r = await ctx.gql(manager.token, SET_LEVEL, { i: { customerId: vip.id, levelKey: 'gold', reason: '大客户协议 / key account' } })
    t.match(r.data.setCustomerLevel, { change: { reason: 'manual', from: { key: 'member' }, to: { key: 'gold' }, couponTemplateIds: [tpl.id] }, userErrors: [] })
    const held = await ctx.gql(ctx.adminToken, 'query($id: ID!) { customer(id: $id) { coupons { templateId status customerId } } }', { id: vip.id })
    t.match(held.data.customer.coupons, [{ templateId: tpl.id, status: 'issued', customerId: vip.id }], "reaching gold issued gold's coupon in the same transaction")
    const { reachedAt, reviewAt } = r.data.setCustomerLevel.change
    t.equal(reviewAt, addMonths(new Date(reachedAt), 12).toISOString())
    const level = await levelOf(ctx, vip.id)
    t.match(level.history.edges, [{ node: { reason: 'manual', note: '大客户协议 / key account', to: { key: 'gold' }, facts: [] } }])
    t.match(await levelEvents(ctx, vip.id), [{ reason: 'manual', note: '大客户协议 / key account', from: { key: 'member' }, to: { key: 'gold' }, facts: [] }])
    const down = await ctx.rest(erp, 'PUT', `/api/v1/customers/${other.id}/level`, { levelId: silver.id, reason: 'migrated from the old POS', reviewAt: new Date(Date.now() + 30 * DAY).toISOString() })
    t.equal(down.statusCode, 200)
    t.match(down.json(), { reason: 'manual', to: { key: 'silver' }, couponTemplateIds: [] })
    const back = await ctx.gql(admin, `mutation { setCustomerLevel(input: { customerId: "${other.id}", levelKey: "member", reason: "undo" }) { change { to { key } reviewAt couponTemplateIds } userErrors { code } } }`)
    t.match(back.data.setCustomerLevel, { change: { to: { key: 'member' }, reviewAt: null, couponTemplateIds: [] }, userErrors: [] }, 'inline; the base level has no review')
  })

  await t.test('marketing, service and sales may not set levels', async (t) => {
    for (const who of [marketing, service, rep]) {
      const r = await ctx.gql(who.token, SET_LEVEL, { i: { customerId: plain.id, levelKey: 'gold', reason: 'x' } })
      t.match(r.errors, [{ extensions: { code: 'FORBIDDEN' } }])
    }
    t.equal((await levelOf(ctx, plain.id)).level.key, 'member')
  })

  await t.test('a manual level refuses bad input and changes nothing', async (t) => {
    const cases: [Record<string, unknown>, string, string][] = [
      [{ customerId: plain.id, levelKey: 'platinum', reason: 'x' }, 'levelKey', 'UNKNOWN_LEVEL'],
      [{ customerId: plain.id, reason: 'x' }, 'levelKey', 'REQUIRED'],
      [{ customerId: plain.id, levelKey: 'gold', levelId: gold.id, reason: 'x' }, 'levelKey', 'AMBIGUOUS_LEVEL'],
      [{ customerId: plain.id, levelKey: 'gold', reason: '' }, 'reason', 'INVALID'],
      [{ customerId: plain.id, levelKey: 'gold', reason: 'x', reviewAt: new Date(Date.now() - DAY).toISOString() }, 'reviewAt', 'OUT_OF_RANGE'],
      [{ customerId: plain.id, levelKey: 'member', reason: 'x', reviewAt: new Date(Date.now() + DAY).toISOString() }, 'reviewAt', 'BASE_LEVEL'],
      [{ customerId: plain.id, levelKey: 'member', reason: 'x' }, 'levelKey', 'ALREADY_AT_LEVEL'],
      [{ customerId: '01900000-0000-7000-8000-0000000000ee', levelKey: 'gold', reason: 'x' }, 'customerId', 'UNKNOWN_CUSTOMER'],
      [{ customerId: plain.id, levelKey: 'Gold!', reason: 'x' }, 'levelKey', 'INVALID']
    ]
    for (const [i, field, code] of cases) {
      const r = await ctx.gql(admin, SET_LEVEL, { i })
      t.match(r.data.setCustomerLevel, { change: null, userErrors: [{ field, code }] }, `${field} ${code}`)
    }
    const zh = await ctx.gql(admin, SET_LEVEL, { i: { customerId: plain.id, levelKey: 'member', reason: 'x' } }, { 'accept-language': 'zh-CN' })
    t.match(zh.data.setCustomerLevel.userErrors, [{ field: 'levelKey', code: 'ALREADY_AT_LEVEL', message: '该客户已处于此等级' }])
    const zhRest = await ctx.rest(admin, 'POST', '/api/v1/member-levels', { key: 'x', nameZh: 'x', nameEn: 'x', rank: 5 }, { 'accept-language': 'zh' })
    t.match(zhRest.json().errors, [{ field: 'minSpend', message: '基础等级以上的等级需要 minSpend 或 minPoints（或两者都要）' }])
    const rest = await ctx.rest(admin, 'PUT', `/api/v1/customers/${plain.id}/level`, { levelKey: 'gold', reason: 'x'.repeat(501) })
    t.equal(rest.statusCode, 400)
    t.match(rest.json().errors, [{ field: 'reason', message: /at most 500/ }])
    t.equal((await levelOf(ctx, plain.id)).history.totalCount, 0)
  })

  await t.test('a manual level is reviewed like any other: without the spend it goes down at its review', async (t) => {
    const c = await createCustomer(ctx)
    const reviewAt = new Date(Date.now() + 20 * DAY)
    await ctx.gql(admin, SET_LEVEL, { i: { customerId: c.id, levelKey: 'silver', reason: 'trial', reviewAt: reviewAt.toISOString() } })
    t.equal((await levelOf(ctx, c.id)).reviewAt, reviewAt.toISOString())
    t.match(await ctx.app.services.levels.reviewDue(new Date(reviewAt.getTime() + DAY)), { reviewed: 1, downgraded: 1 }, 'only this one is due')
    t.match(await levelOf(ctx, c.id), { level: { key: 'member' }, history: { edges: [{ node: { reason: 'downgrade', from: { key: 'silver' } } }, { node: { reason: 'manual' } }] } })
  })

  await t.test('Customer.level by role: the team reads its customers\' levels; lists cost the same whatever their length', async (t) => {
    const q = 'query($f: CustomerFilter, $n: Int) { customers(first: $n, filter: $f) { edges { node { id level { level { key discountBp } reachedAt reviewAt } } } } }'
    const mine = (await ctx.gql(rep.token, q, { f: { levelKeys: ['gold'] } })).data.customers.edges
    t.match(mine, [{ node: { id: vip.id, level: { level: { key: 'gold', discountBp: 800 } } } }])
    t.same((await ctx.gql(outsider.token, q, { f: { levelKeys: ['gold'] } })).data.customers.edges, [], 'another team sees neither the customer nor its level')
    for (let i = 0; i < 6; i++) await createCustomer(ctx)
    ctx.queries = 0
    await ctx.gql(admin, q, { n: 2 })
    const few = ctx.queries
    ctx.queries = 0
    const many = await ctx.gql(admin, q, { n: 10 })
    t.equal(ctx.queries, few, 'no query per customer')
    t.ok(many.data.customers.edges.every((e: { node: { level: unknown } }) => e.node.level !== null))
    ctx.queries = 0
    await ctx.rest(admin, 'GET', '/api/v1/customers?limit=2')
    const restFew = ctx.queries
    ctx.queries = 0
    const restMany = await ctx.rest(admin, 'GET', '/api/v1/customers?limit=10')
    t.equal(ctx.queries, restFew, 'REST: no query per customer either')
    t.ok(restMany.json().data.every((c: { level: { level: { key: string } } }) => typeof c.level.level.key === 'string'))
  })

  await t.test('the customers filter and audiences take levelKeys; customers that never moved are at the base level', async (t) => {
    const q = 'query($f: CustomerFilter) { customers(first: 200, filter: $f) { totalCount edges { node { id } } } }'
    const golds = (await ctx.gql(admin, q, { f: { levelKeys: ['gold'] } })).data.customers
    t.same(golds.edges.map((e: { node: { id: string } }) => e.node.id), [vip.id])
    const base = (await ctx.gql(admin, q, { f: { levelKeys: ['member'] } })).data.customers
    t.ok(base.edges.some((e: { node: { id: string } }) => e.node.id === plain.id), 'never moved: member')
    t.ok(base.edges.some((e: { node: { id: string } }) => e.node.id === other.id), 'moved back: member')
    t.notOk(base.edges.some((e: { node: { id: string } }) => e.node.id === vip.id))
    const inline = await ctx.gql(admin, '{ customers(filter: { levelKeys: ["gold", "silver"] }) { totalCount } }')
    t.equal(inline.data.customers.totalCount, 1)
    const rest = await ctx.rest(admin, 'GET', '/api/v1/customers?levelKeys=gold')
    t.same(rest.json().data.map((c: { id: string }) => c.id), [vip.id])
    const bad = await ctx.rest(admin, 'GET', '/api/v1/customers?levelKeys=GOLD')
    t.equal(bad.statusCode, 400)
    t.match(bad.json().errors, [{ field: /levelKeys/ }])
    const campaign = await ctx.gql(admin, 'mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { campaign { audienceSize } userErrors { field code } } }',
      { i: { name: '金卡专享', audience: { levelKeys: ['gold'] } } })
    t.match(campaign.data.createCampaign, { campaign: { audienceSize: 1 }, userErrors: [] })
    const badAudience = await ctx.gql(admin, 'mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { campaign { id } userErrors { field } } }',
      { i: { name: 'x', audience: { levelKeys: 'gold' } } })
    t.match(badAudience.data.createCampaign.userErrors, [{ field: /audience\.levelKeys/ }])
  })

  await t.test('counts per level within the caller\'s reach (GraphQL and REST); history over both transports', async (t) => {
    const all = (await ctx.gql(admin, '{ memberLevelCounts { level { key } count } }')).data.memberLevelCounts
    const [{ n }] = await ctx.sql<{ n: number }>('select count(*)::int as n from customers where deleted_at is null')
    t.same(all.map((c: { level: { key: string } }) => c.level.key), ['member', 'silver', 'gold'])
    t.equal(all.reduce((s: number, c: { count: number }) => s + c.count, 0), n, 'every live customer counted once')
    t.match(all, [{ count: n - 1 }, { count: 0 }, { count: 1 }])
    const repCounts = (await ctx.rest(rep.token, 'GET', '/api/v1/member-levels/counts')).json().data
    t.match(repCounts, [{ level: { key: 'member' }, count: 1 }, { count: 0 }, { level: { key: 'gold' }, count: 1 }], 'the rep\'s two customers')
    const history = await ctx.gql(admin, 'query($c: ID!) { customerLevelHistory(customerId: $c, first: 1) { totalCount pageInfo { hasNextPage endCursor } edges { node { reason to { key } note } } } }', { c: other.id })
    t.match(history.data.customerLevelHistory, { totalCount: 2, pageInfo: { hasNextPage: true }, edges: [{ node: { reason: 'manual', to: { key: 'member' }, note: 'undo' } }] })
    const page2 = await ctx.rest(admin, 'GET', `/api/v1/customers/${other.id}/level/history?limit=1&cursor=${encodeURIComponent(history.data.customerLevelHistory.pageInfo.endCursor)}`)
    t.match(page2.json(), { data: [{ reason: 'manual', toLevelId: silver.id, note: 'migrated from the old POS' }], nextCursor: null })
    t.equal((await ctx.rest(outsider.token, 'GET', `/api/v1/customers/${vip.id}/level/history`)).statusCode, 404, 'outside the reach: not found')
    t.equal((await ctx.rest(outsider.token, 'GET', `/api/v1/customers/${vip.id}/level`)).statusCode, 404)
  })

  await t.test('incentive rules limited to levels: stored, checked against the levels, and applied to the customer\'s level', async (t) => {
    const RULE = 'mutation($i: CreateIncentiveRuleInput!) { createIncentiveRule(input: $i) { incentiveRule { id customerLevels } userErrors { field code } } }'
    const unknown = await ctx.gql(marketing.token, RULE, { i: { name: '金卡返现', trigger: 'order_paid', calc: 'fixed', rewardType: 'cash', amount: 1000, customerLevels: ['diamond'] } })
    t.match(unknown.data.createIncentiveRule.userErrors, [{ field: 'customerLevels', code: 'UNKNOWN_LEVEL' }])
    const created = await ctx.gql(marketing.token, RULE, { i: { name: '金卡返现', trigger: 'order_paid', calc: 'fixed', rewardType: 'cash', amount: 1000, approval: 'auto', holdDays: 0, beneficiary: 'referred', customerLevels: ['gold'] } })
    const rule = created.data.createIncentiveRule.incentiveRule
    t.same(rule.customerLevels, ['gold'])
    const referrer = (await ctx.gql(admin, 'mutation($i: CreateReferrerInput!) { createReferrer(input: $i) { referrer { id } } }', { i: { kind: 'partner', name: '渠道' } })).data.createReferrer.referrer
    const goldBuyer = await createCustomer(ctx, { referrerId: referrer.id })
    const plainBuyer = await createCustomer(ctx, { referrerId: referrer.id })
    await ctx.gql(admin, SET_LEVEL, { i: { customerId: goldBuyer.id, levelKey: 'gold', reason: 'VIP' } })
    const rewardsOf = async (orderId: string) => (await ctx.gql(admin, 'query($o: ID) { rewards(first: 5, filter: { orderId: $o }) { edges { node { ruleId amount beneficiaryId } } } }', { o: orderId })).data.rewards.edges
    const goldOrder = await recordOrder(ctx, goldBuyer.id, 20_000, erp)
    t.match(await rewardsOf(goldOrder.id), [{ node: { ruleId: rule.id, amount: 1000, beneficiaryId: goldBuyer.id } }])
    const plainOrder = await recordOrder(ctx, plainBuyer.id, 20_000, erp)
    t.same(await rewardsOf(plainOrder.id), [], 'a member is not at gold')
    const preview = await ctx.gql(admin, 'mutation($i: IncentivePreviewInput!) { previewIncentives(event: $i) { explanations { ruleId code reason } userErrors { field code } } }',
      { i: { trigger: 'order_paid', customerId: plainBuyer.id, referrerId: referrer.id, orderAmount: { amount: 20_000 }, ruleIds: [rule.id] } })
    t.same(preview.errors, undefined)
    t.match(preview.data.previewIncentives.explanations, [{ code: 'customer_level', reason: /member level member is not one of gold/ }])
    const asGold = await ctx.gql(admin, 'mutation($i: IncentivePreviewInput!) { previewIncentives(event: $i) { explanations { code } } }',
      { i: { trigger: 'order_paid', customerId: plainBuyer.id, referrerId: referrer.id, orderAmount: { amount: 20_000 }, ruleIds: [rule.id], customerLevel: 'gold' } })
    t.match(asGold.data.previewIncentives.explanations, [{ code: 'matched' }])
    const update = await ctx.rest(marketing.token, 'PATCH', `/api/v1/incentive-rules/${rule.id}`, { customerLevels: ['Gold'] })
    t.equal(update.statusCode, 400)
    t.match(update.json().errors, [{ field: /customerLevels/ }])
  })
})
