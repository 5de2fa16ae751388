import t from 'tap'
import { rewardApprovalJob } from '../../../src/jobs/reward-approval.job.js'
import { forEachDatabase } from '../../helper.js'
import { record, refund } from '../orders/support.js'
import {
  APPROVE, CANCEL, convert, createReferrer, createRule, deactivateAll, getReward, ledger, PAY, qualify, rewardEvents, submitted, type Reward, type UserError
} from './support.js'

const DAY = 86_400_000
type Payload = { reward: Reward | null; userErrors: UserError[] }

await forEachDatabase(t, async (t, ctx) => {
  const manager = await ctx.staff('manager')
  const marketing = await ctx.staff('marketing')
  const finance = await ctx.keyToken('integration')
  const approve = async (id: string, token = manager.token, v?: number) => (await ctx.gql(token, APPROVE, { id, v })).data?.approveReward as Payload
  const pay = async (id: string, ref: string, token = finance) => (await ctx.gql(token, PAY, { id, ref })).data?.markRewardPaid as Payload
  const codes = (p: Payload) => p.userErrors.map((e) => e.code)
  t.beforeEach(() => deactivateAll(ctx))

  /** A pending referral reward (manual rule, no hold). */
  async function pendingReward(amount = 5000): Promise<string> {
    const rule = await createRule(ctx, { trigger: 'referral_qualified', amount })
    const r = await submitted(ctx, (await createReferrer(ctx)).id)
    await qualify(ctx, r.id)
    const [entry] = await ledger(ctx, { ruleId: rule.id })
    return entry.id
  }

  /** A referred customer (converted referral), for orders. */
  async function referredCustomer(): Promise<string> {
    return convert(ctx, (await submitted(ctx, (await createReferrer(ctx)).id)).leadId)
  }

  await t.test('pending → approved → paid: each step versioned, audited and announced; repeating a step changes nothing', async (t) => {
    const id = await pendingReward()
    const approved = await approve(id, manager.token, 1)
    t.same(approved.userErrors, [])
    t.match(approved.reward, { status: 'approved', version: 2, approvedBy: manager.userId })
    t.ok(approved.reward!.approvedAt)
    t.match(await approve(id), { reward: { status: 'approved', version: 2 } }, 'approving again is a no-op')
    const paid = await pay(id, 'WX-TRANSFER-1')
    t.same(paid.userErrors, [])
    t.match(paid.reward, { status: 'paid', version: 3, payoutReference: 'WX-TRANSFER-1' })
    t.ok(paid.reward!.paidAt)
    t.match(await pay(id, 'WX-TRANSFER-1'), { reward: { version: 3 } }, 'the same payout again is a no-op')
    t.same(codes(await pay(id, 'OTHER')), ['ALREADY_PAID'])
    t.same((await rewardEvents(ctx, id)).map((e) => e.type), ['reward.created', 'reward.approved', 'reward.paid'])
    t.match((await rewardEvents(ctx, id))[2].data, { reward: { status: 'paid', payoutReference: 'WX-TRANSFER-1' }, from: 'approved', payout: 5000 })
    t.same((await ctx.sql('select action from audit_entries where entity_id = $1 order by id', [id])).map((a) => a.action), ['reward.created', 'reward.approved', 'reward.paid'])
    const rest = await ctx.rest(finance, 'GET', `/api/v1/rewards/${id}`)
    t.equal(rest.headers.etag, '"3"')
    t.match(rest.json(), { id, status: 'paid', amount: 5000, trigger: 'referral_qualified' })
  })

  await t.test('refuses the transitions the ledger does not allow, and roles that may not make them', async (t) => {
    const id = await pendingReward()
    t.same(codes(await pay(id, 'X')), ['NOT_APPROVED'], 'a pending reward is not paid')
    t.same(codes(await approve(id, manager.token, 7)), ['STALE_VERSION'])
    t.equal((await ctx.gql(marketing.token, APPROVE, { id })).errors?.[0].extensions?.code, 'FORBIDDEN', 'marketing reads, does not approve')
    t.equal((await ctx.gql(finance, APPROVE, { id })).errors?.[0].extensions?.code, 'FORBIDDEN', 'integrations pay, do not approve')
    t.equal((await ctx.gql(marketing.token, PAY, { id, ref: 'X' })).errors?.[0].extensions?.code, 'FORBIDDEN')
    t.equal((await ctx.gql(manager.token, APPROVE, { id: '0190a000-0000-7000-8000-000000000000' })).errors?.[0].extensions?.code, 'NOT_FOUND')
    await approve(id)
    await pay(id, 'P-1')
    t.same(codes(await approve(id)), ['INVALID_TRANSITION'], 'a paid reward is not approved again')
    t.same(codes((await ctx.gql(manager.token, CANCEL, { id, r: 'oops' })).data.cancelReward), ['INVALID_TRANSITION'], 'a paid reward is not cancelled')
    const http = await ctx.rest(manager.token, 'POST', `/api/v1/rewards/${id}/approve`)
    t.equal(http.statusCode, 422)
    t.match(http.json(), { code: 'CRM_ERR_INVALID_TRANSITION' })
    const sales = await ctx.staff('sales')
    t.equal((await ctx.rest(sales.token, 'GET', `/api/v1/rewards/${id}`)).statusCode, 403, 'sales do not read the ledger')
  })

  await t.test('a manager cancels an unpaid reward: announced as reward.reversed with status cancelled; it cannot come back', async (t) => {
    const id = await pendingReward()
    const c = (await ctx.gql(manager.token, CANCEL, { id, r: 'duplicate person' })).data.cancelReward as Payload
    t.match(c.reward, { status: 'cancelled', cancelReason: 'duplicate person' })
    const [, event] = await rewardEvents(ctx, id)
    t.match(event, { type: 'reward.reversed', data: { reward: { status: 'cancelled' }, from: 'pending', reason: 'duplicate person' } })
    t.same(codes(await approve(id)), ['INVALID_TRANSITION'])
  })

  await t.test('order rewards wait for their hold: a manager cannot approve early; the job approves auto rules once it ends', async (t) => {
    const auto = await createRule(ctx, { trigger: 'order_paid', amount: 300, approval: 'auto', holdDays: 14 })
    const manual = await createRule(ctx, { trigger: 'order_paid', amount: 200, approval: 'manual', holdDays: 14 })
    const customerId = await referredCustomer()
    const order = (await record(ctx, finance, { customerId, amount: { amount: 10000 } })).order!
    const entries = await ledger(ctx, { orderId: order.id })
    const autoId = entries.find((e) => e.rule_id === auto.id)!.id
    const manualId = entries.find((e) => e.rule_id === manual.id)!.id
    t.same(entries.map((e) => e.status), ['pending', 'pending'])
    t.same(codes(await approve(manualId)), ['ON_HOLD'])
    t.equal(rewardApprovalJob.name, 'reward-auto-approval')
    t.equal(rewardApprovalJob.cron(ctx.app.config), '*/10 * * * *')
    const early = await rewardApprovalJob.run(ctx.app.services, new Date(Date.now() + 13 * DAY))
    t.equal((await getReward(ctx, autoId))!.status, 'pending', 'not before the hold ends')
    t.match(early, { approved: 0 })
    await rewardApprovalJob.run(ctx.app.services, new Date(Date.now() + 15 * DAY))
    t.match(await getReward(ctx, autoId), { status: 'approved', approvedBy: null })
    t.equal((await getReward(ctx, manualId))!.status, 'pending', 'a manual rule waits for approveReward')
    t.match((await rewardEvents(ctx, autoId))[1], { type: 'reward.approved', data: { via: 'hold_ended' } })
    const again = await rewardApprovalJob.run(ctx.app.services, new Date(Date.now() + 15 * DAY))
    t.match(again, { approved: 0 }, 'approved once')

    const old = (await record(ctx, finance, { customerId, amount: { amount: 10000 }, paidAt: new Date(Date.now() - 20 * DAY).toISOString() })).order!
    const oldEntries = await ledger(ctx, { orderId: old.id })
    t.equal(oldEntries.find((e) => e.rule_id === auto.id)!.status, 'approved', 'an old order whose hold is over: approved at once')
    t.same((await approve(oldEntries.find((e) => e.rule_id === manual.id)!.id)).userErrors, [], 'and a manager may approve the manual one')
  })

  await t.test('a full refund before payout cancels the order rewards', async (t) => {
    const rule = await createRule(ctx, { trigger: 'order_paid', calc: 'percentage', percentBp: 1000 })
    const order = (await record(ctx, finance, { customerId: await referredCustomer(), amount: { amount: 50000 } })).order!
    const [entry] = await ledger(ctx, { ruleId: rule.id })
    t.same((await refund(ctx, finance, { orderId: order.id })).userErrors, [])
    t.match(await getReward(ctx, entry.id), { status: 'cancelled', cancelReason: 'the order was refunded in full', amount: 5000 })
    t.match((await rewardEvents(ctx, entry.id)).at(-1), { type: 'reward.reversed', data: { reward: { status: 'cancelled' } } })
    t.equal((await ledger(ctx, { orderId: order.id })).length, 1, 'no reversal entry for an unpaid reward')
  })

  await t.test('partial refunds: the percentage reward keeps its share (its reversal moves with it), the fixed one stays until below minimum', async (t) => {
    const pct = await createRule(ctx, { trigger: 'order_paid', calc: 'percentage', percentBp: 1000, holdDays: 0 })
    const fixed = await createRule(ctx, { trigger: 'order_paid', amount: 2000, minOrderAmount: 50000, holdDays: 0 })
    const order = (await record(ctx, finance, { customerId: await referredCustomer(), amount: { amount: 100000 } })).order!
    const pctId = (await ledger(ctx, { ruleId: pct.id }))[0].id
    const fixedId = (await ledger(ctx, { ruleId: fixed.id }))[0].id
    await refund(ctx, finance, { orderId: order.id, amount: { amount: 30000 }, refundExternalId: 'RF-1' })
    t.same((await ledger(ctx, { orderId: order.id })).map((e) => [e.kind, e.status, e.amount, e.reverses_id]).sort(), [
      ['reversal', 'pending', -3000, pctId], ['reward', 'pending', 10000, null], ['reward', 'pending', 2000, null]
    ].sort(), '10% of ¥700 is ¥70: a ¥30 reversal; the fixed ¥20 stays')
    await refund(ctx, finance, { orderId: order.id, amount: { amount: 30000 }, refundExternalId: 'RF-1' })
    t.equal((await ledger(ctx, { orderId: order.id })).length, 3, 'a retried refund applies once')
    await approve(pctId)
    const paid = await pay(pctId, 'BATCH-7')
    t.same(paid.userErrors, [])
    t.match((await rewardEvents(ctx, pctId)).at(-1), { type: 'reward.paid', data: { payout: 7000 } }, 'paid net of the reversal')
    t.same((await ledger(ctx, { orderId: order.id })).filter((e) => e.kind === 'reversal').map((e) => e.status), ['paid'], 'the reversal was settled with it')

    await refund(ctx, finance, { orderId: order.id, amount: { amount: 30000 } })
    t.match(await getReward(ctx, fixedId), { status: 'cancelled', cancelReason: 'the order fell below the rule minimum after the refund' })
    const clawback = (await ledger(ctx, { orderId: order.id })).filter((e) => e.kind === 'reversal' && e.status === 'approved')
    t.match(clawback, [{ amount: -3000, reverses_id: pctId }], 'after payout: a ¥30 clawback entry, to be recovered')
    t.equal((await getReward(ctx, pctId))!.status, 'paid', 'partly reversed, still paid')

    await refund(ctx, finance, { orderId: order.id })
    t.equal((await getReward(ctx, pctId))!.status, 'reversed', 'fully refunded after payout: reversed')
    const totals = await ctx.gql(finance, 'query($o: ID!) { rewards(filter: { orderId: $o }) { totalCount totals { rewardType currency count net pending approved paid reversals } } }', { o: order.id })
    t.same(totals.data.rewards.totals, [{ rewardType: 'cash', currency: 'CNY', count: 4, net: 0, pending: 0, approved: -7000, paid: 7000, reversals: -10000 }],
      'the ledger sums to nothing; ¥70 paid out, ¥70 of clawbacks outstanding')
    const clawbacks = (await ledger(ctx, { orderId: order.id })).filter((e) => e.kind === 'reversal' && e.status === 'approved')
    for (const c of clawbacks) t.same((await pay(c.id, `RECOVERED-${c.id.slice(-4)}`)).userErrors, [], 'finance records each recovery')
  })

  await t.test('a refund after payout reverses the whole reward with one clawback entry', async (t) => {
    const rule = await createRule(ctx, { trigger: 'order_paid', amount: 1500, holdDays: 0 })
    const order = (await record(ctx, finance, { customerId: await referredCustomer(), amount: { amount: 8000 } })).order!
    const [entry] = await ledger(ctx, { ruleId: rule.id })
    await approve(entry.id)
    await pay(entry.id, 'P-9')
    await refund(ctx, finance, { orderId: order.id })
    const rows = await ledger(ctx, { orderId: order.id })
    t.match(rows, [{ kind: 'reward', status: 'reversed', amount: 1500 }, { kind: 'reversal', status: 'approved', amount: -1500, reverses_id: entry.id, event_key: /^refund:/ }])
    t.match((await rewardEvents(ctx, entry.id)).at(-1), { type: 'reward.reversed', data: { reward: { status: 'reversed' }, reversal: { amount: -1500, kind: 'reversal' } } })
    t.same(codes(await approve(rows[1].id)), ['REVERSAL'], 'a reversal entry is not approved by hand')
  })
}, { REFERRAL_CONSENT_REQUIRED: 'false' })
