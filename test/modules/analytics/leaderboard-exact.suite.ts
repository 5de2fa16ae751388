import t from 'tap'
import fc from 'fast-check'
import { forEachDatabase } from '../../helper.js'
import { referrerLeaderboardHandwritten } from '../../bench/analytics/queries/referrer-leaderboard.js'
import { convertLead, createReferrer, parseCsv, recordOrder, referrerToken, refundOrder, shanghai, submitReferral } from './leaderboard-kpis-support.js'
import { modelLeaderboard, ranked, type ModelRow } from './leaderboard-model.js'

const DAY = 86_400_000
const BASE = shanghai('2026-05-01')
const ROW = 'rank referrer { id name code kind tier } conversions referrals revenue { amount currency } rewards { amount currency } rewardPoints'
const BOARD = `query($p: ReportPeriodInput, $by: LeaderboardRankBy, $c: String, $k: ReferrerKind, $t: String, $cid: ID, $first: Int) {
  referrerLeaderboard(period: $p, rankBy: $by, currency: $c, referrerKind: $k, referrerTier: $t, campaignId: $cid, first: $first) { rankedCount rows { ${ROW} } me { ${ROW} } } }`

/** An instant near the period's boundaries: a local midnight, a millisecond before one, or within a day. */
const instant = fc.record({ day: fc.integer({ min: -4, max: 12 }), ms: fc.oneof(fc.constant(0), fc.constant(-1), fc.integer({ min: 1, max: DAY - 1 })) })
const at = (i: { day: number; ms: number }) => new Date(BASE.getTime() + i.day * DAY + i.ms)

const referralSpec = fc.record({
  submitted: instant, campaign: fc.boolean(), deleted: fc.integer({ min: 0, max: 9 }).map((n) => n < 3),
  conversion: fc.option(fc.record({
    at: instant, approve: fc.option(instant),
    orders: fc.array(fc.record({
      paid: instant, amount: fc.integer({ min: 1, max: 50_000 }), currency: fc.constantFrom('CNY', 'CNY', 'USD'),
      refund: fc.option(fc.record({ afterDays: fc.integer({ min: 0, max: 9 }), part: fc.constantFrom(0.5, 1) })),
      payReward: fc.boolean(), deleted: fc.integer({ min: 0, max: 9 }).map((n) => n < 2)
    }), { maxLength: 2 })
  }), { freq: 2 })
})
const scenario = fc.record({
  referrers: fc.array(fc.record({ kind: fc.constantFrom('partner', 'customer', 'employee'), tier: fc.constantFrom('standard', 'gold'), referrals: fc.array(referralSpec, { maxLength: 3 }) }), { minLength: 1, maxLength: 3 }),
  deleteCustomer: fc.boolean(), merge: fc.boolean(),
  days: fc.integer({ min: 1, max: 9 }), rankBy: fc.constantFrom('conversions', 'revenue', 'referrals', 'rewards'), currency: fc.constantFrom('CNY', 'USD'),
  kind: fc.option(fc.constantFrom('partner', 'customer')), tier: fc.option(fc.constant('gold')), byCampaign: fc.boolean(), first: fc.integer({ min: 1, max: 6 })
})

type Scenario = typeof scenario extends fc.Arbitrary<infer S> ? S : never

/** Run first, so every case is reached whatever the random runs draw: an earlier period's order refunded in this one after its reward was paid, a merge, a delete. */
const everyCase: Scenario = (() => {
  const order = (day: number, refundAfter: number | null, currency: 'CNY' | 'USD' = 'CNY') => ({
    paid: { day, ms: 0 }, amount: 20_000, currency, refund: refundAfter === null ? null : { afterDays: refundAfter, part: 0.5 as const }, payReward: true, deleted: false
  })
  const converted = (orders: ReturnType<typeof order>[]) => ({
    submitted: { day: -1, ms: -1 }, campaign: true, deleted: false,
    conversion: { at: { day: 0, ms: 0 }, approve: { day: 1, ms: 5 }, orders }
  })
  return {
    referrers: [
      { kind: 'partner' as const, tier: 'standard' as const, referrals: [converted([order(-2, 3), order(2, null, 'USD')]), converted([order(1, 0)])] },
      { kind: 'customer' as const, tier: 'gold' as const, referrals: [converted([order(3, 1)]), { submitted: { day: 4, ms: 0 }, campaign: false, deleted: true, conversion: null }] }
    ],
    deleteCustomer: true, merge: true, days: 5, rankBy: 'rewards' as const, currency: 'CNY' as const, kind: null, tier: null, byCampaign: false, first: 6
  }
})()

const view = (r: ModelRow) => ({
  rank: r.rank, referrer: { id: r.id, name: r.name, code: r.code, kind: r.kind, tier: r.tier },
  conversions: r.conversions, referrals: r.referrals, revenue: r.revenue, rewards: r.rewards, rewardPoints: r.rewardPoints
})

void forEachDatabase(t, async (t, ctx) => {
  const gql = async (q: string, v?: Record<string, unknown>) => {
    const r = await ctx.gql(ctx.adminToken, q, v)
    if (r.errors) throw new Error(JSON.stringify(r.errors))
    return r.data
  }
  const rule = (i: Record<string, unknown>) => gql('mutation($i: CreateIncentiveRuleInput!) { createIncentiveRule(input: $i) { incentiveRule { id } userErrors { message } } }',
    { i: { name: `r${Math.random()}`, approval: 'manual', holdDays: 0, beneficiary: 'referrer', ...i } })
  await rule({ trigger: 'referral_converted', calc: 'fixed', rewardType: 'cash', amount: 1000 })
  await rule({ trigger: 'referral_converted', calc: 'points', rewardType: 'points', amount: 30 })
  await rule({ trigger: 'order_paid', calc: 'percentage', rewardType: 'cash', percentBp: 1000 })
  const campaign = (await ctx.rest(ctx.adminToken, 'POST', '/api/v1/campaigns', { name: 'Spring', status: 'active' })).json().id as string

  const approve = async (rewardId: string, when: Date, pay: boolean) => {
    await gql('mutation($id: ID!) { approveReward(id: $id) { userErrors { message } } }', { id: rewardId })
    if (pay) await gql('mutation($id: ID!) { markRewardPaid(id: $id, payoutReference: "P") { userErrors { message } } }', { id: rewardId })
    await ctx.sql('update rewards set approved_at = $2 where id = $1', [rewardId, when.toISOString()])
  }

  await t.test('the leaderboard equals the documented figures over random referrals, orders, refunds, rewards, deletes and merges', async (t) => {
    let runs = 0
    const pool: string[] = []
    await fc.assert(fc.asyncProperty(scenario, async (s) => {
      runs++
      const customers: string[] = []
      for (const spec of s.referrers) {
        const ref = await createReferrer(ctx, { kind: spec.kind, tier: spec.tier })
        for (const r of spec.referrals) {
          const referral = await submitReferral(ctx, ref.id, r.campaign ? { campaignId: campaign } : {})
          await ctx.sql('update referrals set submitted_at = $2 where id = $1', [referral.id, at(r.submitted).toISOString()])
          if (r.conversion) {
            const customer = await convertLead(ctx, referral.leadId)
            customers.push(customer)
            await ctx.sql('update referrals set converted_at = $2 where id = $1', [referral.id, at(r.conversion.at).toISOString()])
            const earned = await ctx.sql<{ id: string }>('select id from rewards where referral_id = $1 and order_id is null', [referral.id])
            if (r.conversion.approve) for (const w of earned) await approve(w.id, at(r.conversion.approve), false)
            for (const o of r.conversion.orders) {
              const paidAt = at(o.paid)
              const order = await recordOrder(ctx, { customerId: customer, amount: { amount: o.amount, currency: o.currency }, paidAt: paidAt.toISOString() })
              const orderRewards = await ctx.sql<{ id: string }>('select id from rewards where order_id = $1', [order.id])
              for (const w of orderRewards) await approve(w.id, paidAt, o.payReward)
              if (o.refund) {
                const refundedAt = new Date(paidAt.getTime() + o.refund.afterDays * DAY)
                await refundOrder(ctx, { orderId: order.id, amount: { amount: Math.max(1, Math.floor(o.amount * o.refund.part)), currency: o.currency }, refundedAt: refundedAt.toISOString() })
                await ctx.sql("update rewards set created_at = $2, approved_at = case when approved_at is null then null else $2::timestamptz end where order_id = $1 and kind = 'reversal'", [order.id, refundedAt.toISOString()])
              }
              // No API deletes an order or a referral: mark them as a soft delete would.
              if (o.deleted) await ctx.sql('update orders set deleted_at = now() where id = $1', [order.id])
            }
          }
          if (r.deleted) await ctx.sql('update referrals set deleted_at = now() where id = $1', [referral.id])
        }
      }
      // Live converted customers of every run so far: a merge or a delete may reach an earlier run's.
      pool.push(...customers)
      if (s.merge && pool.length >= 2) {
        const [merged, survivor] = [pool.pop()!, pool[pool.length - 1]]
        await gql('mutation($s: ID!, $m: [ID!]!) { mergeCustomers(survivorId: $s, mergedIds: $m) { userErrors { message } } }', { s: survivor, m: [merged] })
      }
      if (s.deleteCustomer && pool.length > 0) await ctx.rest(ctx.adminToken, 'DELETE', `/api/v1/customers/${pool.shift()}`)

      const from = BASE, to = new Date(BASE.getTime() + s.days * DAY)
      const args = { from, to, rankBy: s.rankBy, currency: s.currency, referrerKind: s.kind ?? undefined, referrerTier: s.tier ?? undefined, campaignId: s.byCampaign ? campaign : undefined }
      const expected = ranked(await modelLeaderboard(ctx, args), s.rankBy, s.currency)
      const top = expected.slice(0, s.first).map(view)
      const p = { from: from.toISOString(), to: to.toISOString() }
      const vars = { p, by: s.rankBy, c: s.currency, k: s.kind, t: s.tier, cid: s.byCampaign ? campaign : null, first: s.first }
      const board = (await gql(BOARD, vars)).referrerLeaderboard
      t.same(board.rows, top, 'GraphQL with variables')
      t.equal(board.rankedCount, expected.length)
      const inline = `{ referrerLeaderboard(period: { from: "${p.from}", to: "${p.to}" }, rankBy: ${s.rankBy}, currency: "${s.currency}"${s.kind ? `, referrerKind: ${s.kind}` : ''}${s.tier ? `, referrerTier: "${s.tier}"` : ''}${s.byCampaign ? `, campaignId: "${campaign}"` : ''}, first: ${s.first}) { rankedCount rows { ${ROW} } } }`
      t.same((await gql(inline)).referrerLeaderboard.rows, top, 'GraphQL inline')
      const query = new URLSearchParams({ from: p.from, to: p.to, rankBy: s.rankBy, currency: s.currency, first: String(s.first), ...(s.kind ? { referrerKind: s.kind } : {}), ...(s.tier ? { referrerTier: s.tier } : {}), ...(s.byCampaign ? { campaignId: campaign } : {}) })
      const rest = await ctx.rest(ctx.adminToken, 'GET', `/api/v1/analytics/referrer-leaderboard?${query}`)
      t.same(rest.json().rows, top, 'REST JSON')
      const csv = parseCsv((await ctx.rest(ctx.adminToken, 'GET', `/api/v1/analytics/referrer-leaderboard?${query}&format=csv`)).body)
      t.same(csv.map((x) => [Number(x.rank), x.referrerId, Number(x.conversions), Number(x.referrals), Number(x[`revenue_${s.currency}`] ?? 0), Number(x.rewardPoints)]),
        top.map((r) => [r.rank, r.referrer.id, r.conversions, r.referrals, r.revenue.find((m) => m.currency === s.currency)?.amount ?? 0, r.rewardPoints]), 'CSV parsed back')
      // A referrer token: masked top, its own row with its real rank.
      const mine = expected[expected.length - 1]
      if (mine) {
        const seen = (await ctx.gql(await referrerToken(ctx, mine.id), BOARD, vars)).data.referrerLeaderboard
        t.same(seen.me, view(mine), 'its own row, real rank')
        t.same(seen.rows.map((r: any) => r.referrer.id === null || r.referrer.id === mine.id), top.map(() => true), 'no other id')
        t.same(seen.rows.map((r: any) => r.rank), top.map((r) => r.rank))
      }
    }), { numRuns: Number(process.env.ANALYTICS_RUNS ?? 5), endOnFailure: true, examples: [[everyCase]] })
    t.ok(runs > 0)
    const [seen] = await ctx.sql<Record<string, number>>(`select
      (select count(*)::int from rewards where kind = 'reversal') as reversals,
      (select count(*)::int from rewards where kind = 'reward' and status in ('approved', 'paid')) as earned,
      (select count(*)::int from order_refunds x join orders o on o.id = x.order_id where x.refunded_at >= o.paid_at + interval '1 day') as later_refunds,
      (select count(*)::int from customers where merged_into_id is not null) as merged`)
    t.ok(Object.values(seen).every((n) => n > 0), `the data reached every case: ${JSON.stringify(seen)}`)
  })

  await t.test('the hand-written benchmark query answers what the report does', async (t) => {
    const from = new Date(BASE.getTime() - 5 * DAY), to = new Date(BASE.getTime() + 13 * DAY)
    const q = referrerLeaderboardHandwritten.sql({ from: from.toISOString(), to: to.toISOString(), tz: 'Asia/Shanghai' })
    const hand = await ctx.sql<any>(q.text, q.values)
    const board = (await gql(BOARD, { p: { from: from.toISOString(), to: to.toISOString() } })).referrerLeaderboard
    t.ok(board.rows.length > 0)
    t.same(hand.map((r) => [r.rank, r.id, r.conversions, r.referrals, r.revenue, r.rewards, Number(r.reward_points)]),
      board.rows.map((r: any) => [r.rank, r.referrer.id, r.conversions, r.referrals, r.revenue, r.rewards, r.rewardPoints]))
  })
}, { REFERRAL_CONSENT_REQUIRED: 'false' })
