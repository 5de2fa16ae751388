import t from 'tap'
import fc from 'fast-check'
import { parse } from 'csv-parse/sync'
import { forEachDatabase } from '../../helper.js'
import { expectedBuckets, expectedChannels, expectedMetrics, readRows, shanghaiBuckets, type Metrics } from './campaign-model.js'
import { buildWorld, richWorld, worldArb } from './campaign-world.js'

const MONEY = '{ amount currency }'
const METRICS = `audienceSize participants referrals leads conversions attributedRevenue ${MONEY} rewardCost ${MONEY} pointsAwarded
  otherCosts ${MONEY} totalCost ${MONEY} roi { currency value } costPerConversion { currency value }`
const BODY = `campaign { id name } period { from to timeZone bucket } metrics { ${METRICS} } previous { ${METRICS} }
  byChannel { channel referrals conversions attributedRevenue ${MONEY} }
  byBucket { key from to referrals leads conversions attributedRevenue ${MONEY} rewardCost ${MONEY} otherCosts ${MONEY} }`
const PERFORMANCE = `query($id: ID!, $p: ReportPeriodInput) { campaignPerformance(id: $id, period: $p) { ${BODY} } }`
const COMPARISON = `query($ids: [ID!]!, $p: ReportPeriodInput) { campaignComparison(ids: $ids, period: $p) { period { from to } campaigns { campaign { id } metrics { ${METRICS} } previous { ${METRICS} } } } }`
const LIST = `query($p: ReportPeriodInput, $s: String) { campaigns(first: 10, filter: { search: $s }) { edges { node { id metrics(period: $p) { ${METRICS} } } } } }`

const periodArb = fc.record({
  fromDay: fc.integer({ min: 0, max: 6 }), length: fc.integer({ min: 1, max: 30 }), bucket: fc.constantFrom('day', 'week', 'month') as fc.Arbitrary<'day' | 'week' | 'month'>,
  compare: fc.boolean()
})
const RUNS = Number(process.env.ANALYTICS_RUNS ?? 5)
const day = (n: number) => new Date(new Date('2026-10-01T00:00:00+08:00').getTime() + n * 86_400_000)
const ymd = (d: Date) => new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 10)

/** The CSV a metrics object makes (docs/analytics.md: section, bucket, channel, metric, currency, value). */
function totalCsv(section: string, m: Metrics): string[][] {
  const rows: string[][] = ['audienceSize', 'participants', 'referrals', 'leads', 'conversions', 'pointsAwarded']
    .map((k) => [section, '', '', k, '', String((m as any)[k] ?? '')])
  for (const k of ['attributedRevenue', 'rewardCost', 'otherCosts', 'totalCost'] as const) for (const x of m[k]) rows.push([section, '', '', k, x.currency, String(x.amount)])
  for (const k of ['roi', 'costPerConversion'] as const) for (const x of m[k]) rows.push([section, '', '', k, x.currency, x.value === null ? '' : String(x.value)])
  return rows
}

await forEachDatabase(t, async (t, ctx) => {
  /** t.same that also throws, so fast-check stops and shrinks on the first difference. */
  const same = (got: unknown, want: unknown, message: string) => {
    if (!t.same(got, want, message)) throw new Error(`differs: ${message}`)
  }
  await t.test('campaignPerformance, campaignComparison and Campaign.metrics equal the definitions over random worlds (GraphQL variables and inline, REST JSON and CSV)', async (t) => {
    // What the random worlds exercised: each must happen in some run, or the property proves little.
    const seen = { revenue: 0, refundOfEarlierOrder: 0, rewardCost: 0, reversal: 0, points: 0, otherCosts: 0, conversions: 0, roi: 0 }
    await fc.assert(fc.asyncProperty(worldArb, periodArb, async (world, per) => {
      const { ids, tag } = await buildWorld(ctx, world)
      const rows = await readRows(ctx, ids)
      const from = day(per.fromDay)
      const to = day(per.fromDay + per.length)
      const p = { from: from.toISOString(), to: to.toISOString(), bucket: per.bucket, compare: per.compare }
      const previous = { from: new Date(2 * from.getTime() - to.getTime()), to: from }
      const audience = [world.audience, null]

      const inPeriod = (at: Date | null) => at !== null && at >= from && at < to
      const paidBefore = new Set(rows.orders.filter((o) => o.paid_at < from).map((o) => o.id))
      if (rows.refunds.some((f) => inPeriod(f.refunded_at) && paidBefore.has(f.order_id))) seen.refundOfEarlierOrder++
      if (rows.rewards.some((w) => Number(w.amount) < 0 && w.status !== 'cancelled' && inPeriod(w.approved_at))) seen.reversal++
      for (const [i, id] of ids.entries()) {
        const metrics = expectedMetrics(rows, id, { from, to }, audience[i])
        if (metrics.attributedRevenue.length) seen.revenue++
        if (metrics.rewardCost.length) seen.rewardCost++
        if (metrics.pointsAwarded) seen.points++
        if (metrics.otherCosts.length) seen.otherCosts++
        if (metrics.conversions) seen.conversions++
        if (metrics.roi.some((r) => r.value !== null)) seen.roi++
        const spans = shanghaiBuckets(from, to, per.bucket)
        const expected = {
          metrics, previous: per.compare ? expectedMetrics(rows, id, previous, audience[i]) : null,
          byChannel: expectedChannels(rows, id, { from, to }), byBucket: expectedBuckets(rows, id, spans)
        }
        const g = await ctx.gql(ctx.adminToken, PERFORMANCE, { id, p })
        if (g.errors) throw new Error(JSON.stringify(g.errors))
        const { campaign, period, ...got } = g.data.campaignPerformance
        same(got, expected, `GraphQL ${i}`)
        same(period, { from: p.from, to: p.to, timeZone: 'Asia/Shanghai', bucket: per.bucket }, 'period')
        t.equal(campaign.id, id)

        const inline = await ctx.gql(ctx.adminToken, `{ campaignPerformance(id: "${id}", period: { from: "${p.from}", to: "${p.to}", bucket: ${per.bucket}, compare: ${per.compare} }) { ${BODY} } }`)
        same(inline.data, g.data, 'inline arguments answer the same')

        const qs = `campaignId=${id}&from=${ymd(from)}&to=${ymd(to)}&bucket=${per.bucket}&compare=${per.compare}`
        const rest = await ctx.rest(ctx.adminToken, 'GET', `/api/v1/analytics/campaign-performance?${qs}`)
        t.equal(rest.statusCode, 200)
        const { campaign: rc, period: _rp, ...restGot } = rest.json()
        same(restGot, expected, `REST ${i}`)
        same(rc, { id, name: campaign.name }, 'REST campaign')

        const csv = await ctx.rest(ctx.adminToken, 'GET', `/api/v1/analytics/campaign-performance?${qs}&format=csv`)
        t.equal(csv.statusCode, 200)
        t.match(csv.headers['content-type'], /^text\/csv/)
        t.ok(csv.body.startsWith('\uFEFF'), 'BOM')
        const table: string[][] = parse(csv.body.slice(1))
        const want = [['section', 'bucket', 'channel', 'metric', 'currency', 'value'], ...totalCsv('total', metrics), ...(expected.previous ? totalCsv('previous', expected.previous) : [])]
        for (const c of expected.byChannel) {
          want.push(['channel', '', c.channel ?? '', 'referrals', '', String(c.referrals)], ['channel', '', c.channel ?? '', 'conversions', '', String(c.conversions)])
          for (const x of c.attributedRevenue) want.push(['channel', '', c.channel ?? '', 'attributedRevenue', x.currency, String(x.amount)])
        }
        for (const b of expected.byBucket) {
          for (const k of ['referrals', 'leads', 'conversions'] as const) want.push(['bucket', b.key, '', k, '', String(b[k])])
          for (const k of ['attributedRevenue', 'rewardCost', 'otherCosts'] as const) for (const x of b[k]) want.push(['bucket', b.key, '', k, x.currency, String(x.amount)])
        }
        same(table, want, `CSV ${i}`)
      }

      const both = ids.map((id, i) => ({
        campaign: { id }, metrics: expectedMetrics(rows, id, { from, to }, audience[i]),
        previous: per.compare ? expectedMetrics(rows, id, previous, audience[i]) : null
      }))
      const cmp = await ctx.gql(ctx.adminToken, COMPARISON, { ids: [...ids].reverse(), p })
      same(cmp.data.campaignComparison.campaigns, [...both].reverse(), 'comparison, in the order asked')
      const restCmp = await ctx.rest(ctx.adminToken, 'GET', `/api/v1/analytics/campaign-comparison?ids=${ids.join(',')}&from=${p.from}&to=${p.to}&compare=${per.compare}`)
      same(restCmp.json().campaigns.map((c: any) => ({ ...c, campaign: { id: c.campaign.id } })), both, 'REST comparison')
      const cmpCsv = parse((await ctx.rest(ctx.adminToken, 'GET', `/api/v1/analytics/campaign-comparison?ids=${ids.join(',')}&from=${p.from}&to=${p.to}&format=csv`)).body.slice(1)) as string[][]
      const csvRows: string[][] = []
      for (const { campaign, metrics: m } of both) {
        const currencies = [...new Set([...m.attributedRevenue, ...m.rewardCost, ...m.otherCosts, ...m.totalCost, ...m.roi].map((x) => x.currency))].sort()
        const amount = (l: { currency: string; amount: number }[], c: string) => String(l.find((x) => x.currency === c)?.amount ?? 0)
        const ratio = (l: { currency: string; value: number | null }[], c: string) => String(l.find((x) => x.currency === c)?.value ?? '')
        for (const c of currencies.length ? currencies : ['']) {
          csvRows.push([campaign.id, cmpCsv.find((r) => r[0] === campaign.id)?.[1] ?? '?', c, String(m.audienceSize ?? ''), String(m.participants), String(m.referrals),
            String(m.leads), String(m.conversions), String(m.pointsAwarded), amount(m.attributedRevenue, c), amount(m.rewardCost, c), amount(m.otherCosts, c),
            amount(m.totalCost, c), ratio(m.roi, c), ratio(m.costPerConversion, c)])
        }
      }
      same(cmpCsv.slice(1), csvRows, 'comparison CSV: one row per campaign × currency')

      const list = await ctx.gql(ctx.adminToken, LIST, { p, s: tag })
      const byId = new Map(list.data.campaigns.edges.map((e: any) => [e.node.id, e.node.metrics]))
      same(ids.map((id) => byId.get(id)), both.map((b) => b.metrics), 'Campaign.metrics on a list')
    }), { numRuns: RUNS, endOnFailure: true, examples: [[richWorld, { fromDay: 0, length: 20, bucket: 'week', compare: true }]] })
    t.comment(`exercised: ${JSON.stringify(seen)}`)
    for (const [what, n] of Object.entries(seen)) t.ok(n > 0, `some run had ${what}`)
  })
}, { REFERRAL_CONSENT_REQUIRED: 'false' })
