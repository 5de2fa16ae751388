import t from 'tap'
import { forEachDatabase } from '../../helper.js'
import { createCampaign, createReferrer, createRule, CREATE_RULE, PREVIEW, UPDATE_RULE, type UserError } from './support.js'

await forEachDatabase(t, async (t, ctx) => {
  const marketing = await ctx.staff('marketing')
  const sales = await ctx.staff('sales')
  const create = async (input: Record<string, unknown>, token = marketing.token) =>
    (await ctx.gql(token, CREATE_RULE, { i: { name: 'R', ...input } })).data.createIncentiveRule as { incentiveRule: Record<string, unknown> | null; userErrors: UserError[] }

  await t.test('marketing creates a rule with the documented defaults, audited and announced', async (t) => {
    const r = await create({ name: '推荐有礼', trigger: 'referral_qualified', calc: 'fixed', rewardType: 'cash', amount: 5000 })
    t.same(r.userErrors, [])
    t.match(r.incentiveRule, {
      name: '推荐有礼', active: true, campaignId: null, trigger: 'referral_qualified', orderScope: 'every', calc: 'fixed', rewardType: 'cash',
      amount: 5000, currency: 'CNY', beneficiary: 'referrer', referrerKinds: [], tierMultipliers: {}, priority: 100, stackable: true,
      approval: 'manual', holdDays: 14, perReferrerPeriod: 'all_time', createdBy: marketing.userId, version: 1
    })
    const id = r.incentiveRule!.id as string
    t.same((await ctx.sql('select action from audit_entries where entity_id = $1', [id])).map((a) => a.action), ['incentive_rule.created'])
    t.same((await ctx.sql('select type from outbox_events where entity_id = $1', [id])).map((e) => e.type), ['incentive_rule.created'])
    const rest = await ctx.rest(marketing.token, 'GET', `/api/v1/incentive-rules/${id}`)
    t.equal(rest.statusCode, 200)
    t.equal(rest.headers.etag, '"1"')
    t.match(rest.json(), { id, amount: 5000, trigger: 'referral_qualified' })
  })

  await t.test('refuses rules whose fields do not fit together, each problem on its field, and stores nothing', async (t) => {
    const before = (await ctx.sql('select count(*)::int as n from incentive_rules'))[0].n
    const cases: [Record<string, unknown>, string, string][] = [
      [{ trigger: 'order_paid', calc: 'percentage', rewardType: 'cash' }, 'percentBp', 'REQUIRED'],
      [{ trigger: 'referral_qualified', calc: 'percentage', rewardType: 'cash', percentBp: 500 }, 'calc', 'NEEDS_ORDER'],
      [{ trigger: 'order_paid', calc: 'percentage', rewardType: 'cash', percentBp: 10001 }, 'percentBp', 'INVALID'],
      [{ trigger: 'order_paid', calc: 'percentage', rewardType: 'cash', percentBp: 0 }, 'percentBp', 'INVALID'],
      [{ trigger: 'referral_qualified', calc: 'fixed', rewardType: 'cash' }, 'amount', 'REQUIRED'],
      [{ trigger: 'referrer_milestone', calc: 'fixed', rewardType: 'cash', amount: 100 }, 'milestone', 'REQUIRED'],
      [{ trigger: 'referrer_milestone', calc: 'fixed', rewardType: 'cash', amount: 100, milestone: 0 }, 'milestone', 'INVALID'],
      [{ trigger: 'referral_qualified', calc: 'fixed', rewardType: 'coupon', amount: 100 }, 'couponCode', 'REQUIRED'],
      [{ trigger: 'referral_qualified', calc: 'points', rewardType: 'cash', amount: 100 }, 'rewardType', 'MISMATCH'],
      [{ trigger: 'referral_qualified', calc: 'fixed', rewardType: 'cash', amount: 100, validFrom: '2025-02-01T00:00:00Z', validUntil: '2025-01-01T00:00:00Z' }, 'validUntil', 'BEFORE_START'],
      [{ trigger: 'referral_qualified', calc: 'fixed', rewardType: 'cash', amount: 100, tierMultipliers: { gold: 0 } }, 'tierMultipliers.gold', 'INVALID'],
      [{ trigger: 'referral_qualified', calc: 'fixed', rewardType: 'cash', amount: 100, tierMultipliers: { gold: 1.5 } }, 'tierMultipliers.gold', 'INVALID'],
      [{ trigger: 'referral_qualified', calc: 'fixed', rewardType: 'cash', amount: 100, minOrderAmount: 1000 }, 'minOrderAmount', 'NOT_APPLICABLE'],
      [{ trigger: 'referral_qualified', calc: 'fixed', rewardType: 'cash', amount: 100, campaignId: '0190a000-0000-7000-8000-000000000000' }, 'campaignId', 'UNKNOWN_CAMPAIGN']
    ]
    for (const [input, field, code] of cases) {
      const r = await create(input)
      t.equal(r.incentiveRule, null, JSON.stringify(input))
      t.ok(r.userErrors.some((e) => e.field === field && e.code === code), `${field} ${code}: ${JSON.stringify(r.userErrors)}`)
    }
    const rest = await ctx.rest(marketing.token, 'POST', '/api/v1/incentive-rules', { name: 'x', trigger: 'order_paid', calc: 'percentage', rewardType: 'cash' })
    t.equal(rest.statusCode, 400)
    t.match(rest.json(), { code: 'CRM_ERR_VALIDATION', errors: [{ field: 'percentBp', code: 'REQUIRED' }] })
    t.equal((await ctx.sql('select count(*)::int as n from incentive_rules'))[0].n, before)
  })

  await t.test("a money rule on a campaign with a budget must be in the budget's currency", async (t) => {
    const campaign = await createCampaign(ctx, { budget: { amount: 100000, currency: 'CNY' } })
    const usd = await create({ trigger: 'referral_qualified', calc: 'fixed', rewardType: 'cash', amount: 100, currency: 'USD', campaignId: campaign.id })
    t.match(usd.userErrors, [{ field: 'currency', code: 'CURRENCY_MISMATCH' }])
    const points = await create({ trigger: 'referral_qualified', calc: 'points', rewardType: 'points', amount: 100, currency: 'USD', campaignId: campaign.id })
    t.same(points.userErrors, [], 'points are not money: no budget, any currency')
  })

  await t.test('updates change the given fields; active deactivates; a stale version is refused; the merged rule is checked', async (t) => {
    const rule = await createRule(ctx, { trigger: 'referral_converted', amount: 2000 }, marketing.token)
    const off = await ctx.gql(marketing.token, UPDATE_RULE, { id: rule.id, i: { active: false, expectedVersion: 1 } })
    t.same(off.data.updateIncentiveRule.userErrors, [])
    t.match(off.data.updateIncentiveRule.incentiveRule, { active: false, version: 2, amount: 2000 })
    const stale = await ctx.gql(marketing.token, UPDATE_RULE, { id: rule.id, i: { active: true, expectedVersion: 1 } })
    t.match(stale.data.updateIncentiveRule.userErrors, [{ field: 'expectedVersion', code: 'STALE_VERSION' }])
    const broken = await ctx.gql(marketing.token, UPDATE_RULE, { id: rule.id, i: { calc: 'percentage' } })
    t.ok(broken.data.updateIncentiveRule.userErrors.some((e: UserError) => e.field === 'percentBp'))
    const changes = await ctx.sql<{ changes: Record<string, unknown> }>("select changes from audit_entries where entity_id = $1 and action = 'incentive_rule.updated'", [rule.id])
    t.same(changes.map((c) => c.changes), [{ active: { from: true, to: false } }], 'only the real change is audited')
    const patched = await ctx.rest(marketing.token, 'PATCH', `/api/v1/incentive-rules/${rule.id}`, { active: true }, { 'if-match': '"2"' })
    t.equal(patched.statusCode, 200)
    t.match(patched.json(), { active: true, version: 3 })
    const conflict = await ctx.rest(marketing.token, 'PATCH', `/api/v1/incentive-rules/${rule.id}`, { active: false }, { 'if-match': '"2"' })
    t.equal(conflict.statusCode, 412)
  })

  await t.test('lists rules by filter (REST and GraphQL) and shows a campaign its own rules', async (t) => {
    const campaign = await createCampaign(ctx)
    const a = await createRule(ctx, { trigger: 'order_paid', calc: 'percentage', percentBp: 300, campaignId: campaign.id, priority: 2 })
    const b = await createRule(ctx, { trigger: 'referral_qualified', amount: 100, campaignId: campaign.id, priority: 1, active: false })
    const list = await ctx.gql(sales.token, 'query($c: ID!) { incentiveRules(filter: { campaignId: $c }, orderBy: { field: priority, direction: ASC }) { totalCount edges { node { id campaign { id } } } } }', { c: campaign.id })
    t.equal(list.data.incentiveRules.totalCount, 2)
    t.same(list.data.incentiveRules.edges.map((e: { node: { id: string } }) => e.node.id), [b.id, a.id], 'sales read rules, by priority')
    t.equal(list.data.incentiveRules.edges[0].node.campaign.id, campaign.id)
    const active = await ctx.rest(marketing.token, 'GET', `/api/v1/incentive-rules?campaignId=${campaign.id}&active=true`)
    t.same(active.json().data.map((r: { id: string }) => r.id), [a.id])
    const c = await ctx.gql(marketing.token, 'query($id: ID!) { campaign(id: $id) { rules { id } activeOnly: rules(active: true) { id } } }', { id: campaign.id })
    t.same(c.data.campaign.rules.map((r: { id: string }) => r.id), [b.id, a.id])
    t.same(c.data.campaign.activeOnly.map((r: { id: string }) => r.id), [a.id])
  })

  await t.test('only rule authors write rules; referrer tokens do not even read them', async (t) => {
    const denied = await ctx.gql(sales.token, CREATE_RULE, { i: { name: 'x', trigger: 'referral_qualified', calc: 'fixed', rewardType: 'cash', amount: 1 } })
    t.equal(denied.errors?.[0].extensions?.code, 'FORBIDDEN')
    const referrer = await createReferrer(ctx)
    const token = (await ctx.rest(ctx.adminToken, 'POST', '/api/v1/auth/referrer-token', { referrerId: referrer.id })).json().accessToken
    t.equal((await ctx.rest(token, 'GET', '/api/v1/incentive-rules')).statusCode, 403)
    const readOnly = await ctx.keyToken('integration', { readOnly: true })
    t.equal((await ctx.rest(readOnly, 'POST', '/api/v1/incentive-rules', { name: 'x', trigger: 'referral_qualified', calc: 'fixed', rewardType: 'cash', amount: 1 })).statusCode, 403)
    t.equal((await ctx.gql(sales.token, PREVIEW, { e: { trigger: 'order_paid' } })).errors?.[0].extensions?.code, 'FORBIDDEN', 'sales do not preview')
  })

  await t.test('previewIncentives explains every rule of the trigger and writes nothing', async (t) => {
    await ctx.sql('update incentive_rules set active = false')
    const referrer = await createReferrer(ctx, { kind: 'partner', tier: 'gold' })
    const pct = await createRule(ctx, { name: '5% of first orders', trigger: 'order_paid', calc: 'percentage', percentBp: 500, orderScope: 'first', tierMultipliers: { gold: 20000 }, approval: 'auto', holdDays: 7 })
    const big = await createRule(ctx, { name: 'Big orders', trigger: 'order_paid', amount: 10000, minOrderAmount: 100000 })
    const draft = await createRule(ctx, { name: 'Draft', trigger: 'order_paid', amount: 300, active: false })
    const counts = async () => (await ctx.sql<{ r: number; a: number; o: number }>(
      'select (select count(*) from rewards)::int as r, (select count(*) from audit_entries)::int as a, (select count(*) from outbox_events)::int as o'))[0]
    const before = await counts()
    const at = '2025-03-01T00:00:00.000Z'
    const p = await ctx.gql(marketing.token, PREVIEW, { e: { trigger: 'order_paid', referrerId: referrer.id, orderAmount: { amount: 80000 }, firstOrder: true, at } })
    const out = p.data.previewIncentives
    t.same(out.userErrors, [])
    t.same(out.decisions, [{
      ruleId: pct.id, beneficiary: 'referrer', beneficiaryId: referrer.id, rewardType: 'cash', amount: 8000, currency: 'CNY', couponCode: null,
      holdUntil: '2025-03-08T00:00:00.000Z', approval: 'auto'
    }], '5% of ¥800 = ¥40, × 2 for gold')
    const byRule = new Map(out.explanations.map((e: { ruleId: string }) => [e.ruleId, e]))
    t.match(byRule.get(pct.id), { matched: true, code: 'matched', reason: /5% of ¥800\.00 = ¥40\.00 × 2 for tier gold = ¥80\.00/ })
    t.match(byRule.get(big.id), { matched: false, code: 'below_minimum' })
    t.notOk(byRule.has(draft.id), 'inactive rules are not tried unless named')
    const tryDraft = await ctx.gql(marketing.token, PREVIEW, { e: { trigger: 'order_paid', referrerKind: 'customer', orderAmount: { amount: 500 }, ruleIds: [draft.id] } })
    t.match(tryDraft.data.previewIncentives.explanations, [{ ruleId: draft.id, matched: true, rewards: [{ amount: 300, beneficiary: 'referrer' }] }], 'a named draft is tried as if active')
    const rest = await ctx.rest(marketing.token, 'POST', '/api/v1/incentive-rules/preview', { trigger: 'order_paid', referrerId: referrer.id, orderAmount: { amount: 80000 }, firstOrder: false })
    t.equal(rest.statusCode, 200)
    t.match(rest.json().explanations.find((e: { ruleId: string }) => e.ruleId === pct.id), { matched: false, code: 'not_first_order' })
    const unknown = await ctx.gql(marketing.token, PREVIEW, { e: { trigger: 'order_paid', referralId: '0190a000-0000-7000-8000-000000000000' } })
    t.match(unknown.data.previewIncentives.userErrors, [{ field: 'referralId', code: 'UNKNOWN_REFERRAL' }])
    t.same(await counts(), before, 'no reward, audit entry or event was written')
  })
})
