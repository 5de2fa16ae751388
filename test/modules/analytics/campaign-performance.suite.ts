import t from 'tap'
import { forEachDatabase } from '../../helper.js'
import { campaignPerformanceHandwritten } from '../../bench/analytics/queries/campaign-performance.js'
import { convert, createReferrer, createRule, newPhone } from '../incentives/support.js'

const MONEY = '{ amount currency }'
const METRICS = `audienceSize participants referrals leads conversions attributedRevenue ${MONEY} rewardCost ${MONEY} pointsAwarded
  otherCosts ${MONEY} totalCost ${MONEY} roi { currency value } costPerConversion { currency value }`
const PERFORMANCE = `query($id: ID!, $p: ReportPeriodInput) { campaignPerformance(id: $id, period: $p) { metrics { ${METRICS} } } }`
const NOVEMBER = { from: '2026-11-01T00:00:00+08:00', to: '2026-12-01T00:00:00+08:00' }
const at = (local: string) => new Date(`${local}+08:00`)

/** docs/analytics.md, "Campaign performance", the worked ROI example. */
const WORKED = {
  audienceSize: null, participants: 1, referrals: 1, leads: 1, conversions: 1,
  attributedRevenue: [{ amount: 200_000, currency: 'CNY' }], rewardCost: [{ amount: 25_000, currency: 'CNY' }], pointsAwarded: 0,
  otherCosts: [{ amount: 50_000, currency: 'CNY' }], totalCost: [{ amount: 75_000, currency: 'CNY' }],
  roi: [{ currency: 'CNY', value: (200_000 - 75_000) / 75_000 }], costPerConversion: [{ currency: 'CNY', value: 75_000 }]
}
const NOTHING = {
  audienceSize: null, participants: 0, referrals: 0, leads: 0, conversions: 0, attributedRevenue: [], rewardCost: [], pointsAwarded: 0,
  otherCosts: [], totalCost: [], roi: [], costPerConversion: []
}

await forEachDatabase(t, async (t, ctx) => {
  const north = await ctx.createTeam('North')
  const south = await ctx.createTeam('South')
  const rep = await ctx.staff('sales', { teamId: north })
  const northManager = await ctx.staff('manager', { teamId: north })
  const southManager = await ctx.staff('manager', { teamId: south })
  const admin = ctx.adminToken

  // The worked example: one referral (the referrer's relationship owner is the North rep), converted,
  // its customer's ¥3,000 order, ¥1,000 of it refunded, rewards approved, ¥500 of ads in November
  // and ¥150 of printing on 31 October (outside the period).
  const campaign = (await ctx.rest(admin, 'POST', '/api/v1/campaigns', { name: '双十一老带新', status: 'active' })).json()
  await createRule(ctx, { campaignId: campaign.id, trigger: 'referral_converted', calc: 'fixed', rewardType: 'cash', amount: 5000, approval: 'auto' })
  await createRule(ctx, { campaignId: campaign.id, trigger: 'order_paid', calc: 'percentage', rewardType: 'cash', percentBp: 1000, approval: 'manual', holdDays: 0 })
  const referrer = await createReferrer(ctx, { ownerId: rep.userId })
  const referral = (await ctx.rest(admin, 'POST', '/api/v1/referrals', { referrerId: referrer.id, name: '王小明', phone: newPhone(), campaignId: campaign.id, channel: 'qr' })).json()
  const customerId = await convert(ctx, referral.leadId)
  const order = (await ctx.rest(admin, 'POST', '/api/v1/orders', { customerId, amount: { amount: 300_000 }, paidAt: at('2026-11-12T10:00:00').toISOString() })).json()
  const [orderReward] = await ctx.sql<{ id: string }>("select id from rewards where order_id = $1 and kind = 'reward'", [order.id])
  t.equal((await ctx.rest(admin, 'POST', `/api/v1/rewards/${orderReward.id}/approve`)).statusCode, 200)
  t.equal((await ctx.rest(admin, 'POST', `/api/v1/orders/${order.id}/refunds`, { amount: { amount: 100_000 }, refundedAt: at('2026-11-20T09:00:00').toISOString() })).statusCode, 201)
  await ctx.sql('update referrals set submitted_at = $2, converted_at = $3 where id = $1', [referral.id, at('2026-11-03T10:00:00'), at('2026-11-10T10:00:00')])
  await ctx.sql('update leads set created_at = $2 where id = $1', [referral.leadId, at('2026-11-03T10:00:00')])
  await ctx.sql(`update rewards set approved_at = case when kind = 'reversal' then $2::timestamptz when order_id is null then $3::timestamptz else $4::timestamptz end
    where campaign_id = $1`, [campaign.id, at('2026-11-20T09:00:00'), at('2026-11-10T10:00:00'), at('2026-11-13T10:00:00')])
  t.equal((await ctx.rest(admin, 'POST', `/api/v1/campaigns/${campaign.id}/costs`, { amount: 50_000, category: 'ads', incurredOn: '2026-11-01' })).statusCode, 201)
  t.equal((await ctx.rest(admin, 'POST', `/api/v1/campaigns/${campaign.id}/costs`, { amount: 15_000, category: 'printing', incurredOn: '2026-10-31' })).statusCode, 201)

  await t.test('the worked example of docs/analytics.md: revenue net of the refund, rewards net of the reversal, ROI and cost per conversion', async (t) => {
    const r = await ctx.gql(admin, PERFORMANCE, { id: campaign.id, p: NOVEMBER })
    t.same(r.data.campaignPerformance.metrics, WORKED)
    const ledger = await ctx.sql<{ kind: string; status: string; amount: string }>('select kind, status, amount::text from rewards where campaign_id = $1 order by rewards.amount desc', [campaign.id])
    t.same(ledger.map((w) => [w.kind, w.status, Number(w.amount)]), [['reward', 'approved', 30_000], ['reward', 'approved', 5000], ['reversal', 'approved', -10_000]])
    const october = await ctx.rest(admin, 'GET', `/api/v1/analytics/campaign-performance?campaignId=${campaign.id}&from=2026-10-01&to=2026-11-01`)
    t.same(october.json().metrics.otherCosts, [{ amount: 15_000, currency: 'CNY' }], 'the printing bill is October’s')
  })

  await t.test('reach: admin, marketing, service and integration see everything; managers and reps their team; referrer tokens 403', async (t) => {
    for (const token of [await ctx.keyToken('integration'), (await ctx.staff('marketing')).token, (await ctx.staff('service')).token]) {
      t.same((await ctx.gql(token, PERFORMANCE, { id: campaign.id, p: NOVEMBER })).data.campaignPerformance.metrics, WORKED)
    }
    // North: the referral and its rewards through the referrer's owner (the North rep); the lead and the
    // customer count where routing gave them to North; the campaign (the admin key's, no owner) is not
    // the team's, so its other costs do not count.
    const [owners] = await ctx.sql<{ lead: string | null; customer: string | null }>('select (select owner_id from leads where id = $1) as lead, (select owner_id from customers where id = $2) as customer', [referral.leadId, customerId])
    const northIds = [rep.userId, northManager.userId]
    const revenue = owners.customer && northIds.includes(owners.customer) ? 200_000 : 0
    const team = { ...NOTHING, participants: 1, referrals: 1, conversions: 1, leads: owners.lead && northIds.includes(owners.lead) ? 1 : 0,
      attributedRevenue: revenue ? [{ amount: revenue, currency: 'CNY' }] : [],
      rewardCost: [{ amount: 25_000, currency: 'CNY' }], totalCost: [{ amount: 25_000, currency: 'CNY' }],
      roi: [{ currency: 'CNY', value: (revenue - 25_000) / 25_000 }], costPerConversion: [{ currency: 'CNY', value: 25_000 }] }
    t.comment(`owners in North: lead ${team.leads}, customer ${revenue > 0}`)
    for (const token of [rep.token, northManager.token]) {
      t.same((await ctx.gql(token, PERFORMANCE, { id: campaign.id, p: NOVEMBER })).data.campaignPerformance.metrics, team)
    }
    t.same((await ctx.gql(southManager.token, PERFORMANCE, { id: campaign.id, p: NOVEMBER })).data.campaignPerformance.metrics, NOTHING)
    const mine = (await ctx.rest(northManager.token, 'POST', '/api/v1/campaigns', { name: 'North push' })).json()
    t.equal((await ctx.rest(northManager.token, 'POST', `/api/v1/campaigns/${mine.id}/costs`, { amount: 999, category: 'gifts', incurredOn: '2026-11-02' })).statusCode, 201)
    for (const [token, costs] of [[rep.token, [{ amount: 999, currency: 'CNY' }]], [southManager.token, []], [admin, [{ amount: 999, currency: 'CNY' }]]] as const) {
      const r = await ctx.rest(token, 'GET', `/api/v1/analytics/campaign-performance?campaignId=${mine.id}&from=2026-11-01&to=2026-12-01`)
      t.same(r.json().metrics.otherCosts, costs, "a campaign's own costs count for its owner's team")
    }
    const referrerToken = (await ctx.rest(admin, 'POST', '/api/v1/auth/referrer-token', { referrerId: referrer.id })).json().accessToken
    t.equal((await ctx.rest(referrerToken, 'GET', `/api/v1/analytics/campaign-performance?campaignId=${campaign.id}`)).statusCode, 403)
    t.equal((await ctx.rest(referrerToken, 'GET', `/api/v1/analytics/campaign-comparison?ids=${campaign.id}`)).statusCode, 403)
    t.equal((await ctx.gql(referrerToken, PERFORMANCE, { id: campaign.id })).errors?.[0].extensions?.code, 'FORBIDDEN')
    t.equal((await ctx.rest(null, 'GET', `/api/v1/analytics/campaign-performance?campaignId=${campaign.id}`)).statusCode, 401)
  })

  await t.test('refuses bad arguments with 400 naming the field; unknown and deleted campaigns are 404 (GraphQL: null, or NOT_FOUND for a comparison)', async (t) => {
    const base = '/api/v1/analytics/campaign-performance'
    for (const [url, field] of [
      [base, 'campaignId'], [`${base}?campaignId=nope`, 'campaignId'], [`${base}?campaignId=${campaign.id}&from=2026-12-01&to=2026-11-01`, 'from'],
      [`${base}?campaignId=${campaign.id}&bucket=year`, 'bucket'], [`${base}?campaignId=${campaign.id}&colour=red`, 'colour'],
      ['/api/v1/analytics/campaign-comparison', 'ids'], ['/api/v1/analytics/campaign-comparison?ids=a,b', 'ids'],
      [`/api/v1/analytics/campaign-comparison?ids=${Array.from({ length: 21 }, (_v, i) => `01990000-0000-7000-8000-${String(i).padStart(12, '0')}`).join(',')}`, 'ids']
    ]) {
      const res = await ctx.rest(admin, 'GET', url)
      t.equal(res.statusCode, 400, url)
      t.ok(res.json().errors?.some((e: { field: string }) => e.field === field), `${url} names ${field}: ${res.body}`)
    }
    const unknown = '01990000-0000-7000-8000-000000000999'
    const gone = (await ctx.rest(admin, 'POST', '/api/v1/campaigns', { name: 'Gone' })).json()
    await ctx.rest(admin, 'DELETE', `/api/v1/campaigns/${gone.id}`)
    for (const id of [unknown, gone.id]) {
      t.equal((await ctx.rest(admin, 'GET', `${base}?campaignId=${id}`)).statusCode, 404)
      t.equal((await ctx.gql(admin, PERFORMANCE, { id })).data.campaignPerformance, null)
      t.equal((await ctx.rest(admin, 'GET', `/api/v1/analytics/campaign-comparison?ids=${campaign.id},${id}`)).statusCode, 404)
      const g = await ctx.gql(admin, `{ campaignComparison(ids: ["${campaign.id}", "${id}"]) { campaigns { campaign { id } } } }`)
      t.equal(g.errors?.[0].extensions?.code, 'NOT_FOUND')
    }
    const empty = await ctx.gql(admin, '{ campaignComparison(ids: []) { campaigns { campaign { id } } } }')
    t.equal(empty.errors?.[0].extensions?.code, 'BAD_USER_INPUT')
    const bad = await ctx.gql(admin, `{ campaignPerformance(id: "${campaign.id}", period: { from: "2026-12-01T00:00:00Z", to: "2026-11-01T00:00:00Z" }) { metrics { referrals } } }`)
    t.equal(bad.errors?.[0].extensions?.code, 'BAD_USER_INPUT')
  })

  await t.test('the default period is the last 30 days; the hand-written benchmark query gives the same totals as the report', async (t) => {
    const r = await ctx.rest(admin, 'GET', `/api/v1/analytics/campaign-performance?campaignId=${campaign.id}`)
    const { from, to } = r.json().period
    t.equal(new Date(to).getTime() - new Date(from).getTime(), 30 * 86_400_000)
    t.ok(new Date(from) <= new Date() && new Date() < new Date(to))

    const campaigns = (await ctx.sql<{ id: string }>('select id from campaigns where deleted_at is null order by id')).map((c) => c.id)
    for (const period of [NOVEMBER, { from: '2026-10-01T00:00:00+08:00', to: '2026-12-01T00:00:00+08:00' }]) {
      const q = campaignPerformanceHandwritten.sql({ from: period.from, to: period.to, tz: 'Asia/Shanghai' })
      const found = await ctx.sql<{ campaign_id: string; metric: string; currency: string | null; value: string }>(q.text, q.values)
      const cmp = await ctx.gql(admin, `query($ids: [ID!]!, $p: ReportPeriodInput) { campaignComparison(ids: $ids, period: $p) { campaigns { campaign { id } metrics { ${METRICS} } } } }`, { ids: campaigns, p: period })
      for (const { campaign: c, metrics: m } of cmp.data.campaignComparison.campaigns) {
        const mine = found.filter((f) => f.campaign_id === c.id && Number(f.value) !== 0)
        const count = (metric: string) => Number(mine.find((f) => f.metric === metric)?.value ?? 0)
        const money = (metric: string) => mine.filter((f) => f.metric === metric).map((f) => ({ amount: Number(f.value), currency: f.currency })).sort((a, b) => a.currency!.localeCompare(b.currency!))
        t.same({ participants: m.participants, referrals: m.referrals, leads: m.leads, conversions: m.conversions, pointsAwarded: m.pointsAwarded,
          attributedRevenue: m.attributedRevenue, rewardCost: m.rewardCost, otherCosts: m.otherCosts },
        { participants: count('participants'), referrals: count('referrals'), leads: count('leads'), conversions: count('conversions'), pointsAwarded: count('pointsAwarded'),
          attributedRevenue: money('attributedRevenue'), rewardCost: money('rewardCost'), otherCosts: money('otherCosts') }, `campaign ${c.id}`)
      }
      t.ok(found.length > 0, 'the query found figures')
    }
  })
  await t.test('Campaign.metrics on a page of campaigns costs the same number of statements for 1 campaign or 12', async (t) => {
    const tag = `metrics-${Date.now()}`
    const counts: number[] = []
    for (const n of [1, 12]) {
      for (let i = counts.length ? 1 : 0; i < n; i++) {
        const c = (await ctx.rest(admin, 'POST', '/api/v1/campaigns', { name: `${tag} ${i}`, audience: i % 2 ? null : { tags: [tag] } })).json()
        await ctx.rest(admin, 'POST', `/api/v1/campaigns/${c.id}/costs`, { amount: 100 + i, category: 'ads', incurredOn: '2026-11-05' })
      }
      const before = ctx.queries
      const r = await ctx.gql(admin, `query($s: String, $p: ReportPeriodInput) { campaigns(first: 50, filter: { search: $s }) { edges { node { id metrics(period: $p) { otherCosts { amount } audienceSize } } } } }`,
        { s: tag, p: NOVEMBER })
      counts.push(ctx.queries - before)
      t.equal(r.data.campaigns.edges.length, n)
      t.ok(r.data.campaigns.edges.every((e: any) => e.node.metrics.otherCosts.length === 1))
    }
    t.equal(counts[1], counts[0], `statements: ${counts.join(' vs ')}`)
  })
}, { REFERRAL_CONSENT_REQUIRED: 'false' })
