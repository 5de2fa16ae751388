import t, { type Test } from 'tap'
import { forEachDatabase, type TestApp } from '../../helper.js'
import { ADJUST, CREATE_RULE, createCustomer, newId, recordOrder, REDEEM, REFUND } from '../points/support.js'
import { createReferrer, parseCsv, referrerToken } from './leaderboard-kpis-support.js'
import { insertCoupon, insertLevel, insertTemplate, setLevel, sh } from './loyalty-data.js'

const FIGURES = 'openingLiability issued earned adjustedUp redeemed redeemedGross returned expired adjustedDown reversed reversalShortfall net liability'
const HOLDERS = `customers { ${FIGURES} } referrers { ${FIGURES} } total { ${FIGURES} }`
const SUMMARY = `{ period { from to timeZone bucket previousFrom previousTo } totals { ${HOLDERS} } buckets { key from to ${HOLDERS} } previous { ${HOLDERS} } }`
const POINTS_Q = `query($p: ReportPeriodInput) { pointsSummary(period: $p) ${SUMMARY} }`
const COUPON = 'issued redeemedOfIssued redemptionRate redeemed restored voided discount { amount currency } discountRestored { amount currency }'
const LOYALTY_Q = `query($p: ReportPeriodInput) { loyaltyReport(period: $p) { period { from to } points ${SUMMARY}
  coupons { totals { ${COUPON} } byTemplate { templateId name campaignId campaignName figures { ${COUPON} } }
    byCampaign { campaignId name templates figures { ${COUPON} } } previous { ${COUPON} } }
  levels { asOf total byLevel { levelId key nameZh nameEn rank active customers } } } }`

type Figures = Record<string, number>
type Holders = { customers: Figures; referrers: Figures; total: Figures }
type Summary = { period: Record<string, string>; totals: Holders; buckets: ({ key: string; from: string; to: string } & Holders)[]; previous: Holders | null }

const NOVEMBER = { from: '2025-11-01T00:00:00+08:00', to: '2025-12-01T00:00:00+08:00' }
const DECEMBER_WEEK = { from: '2025-12-01T00:00:00+08:00', to: '2025-12-08T00:00:00+08:00' }

async function ask<T>(ctx: TestApp, token: string, query: string, field: string, p: Record<string, unknown> | null): Promise<T> {
  const r = await ctx.gql(token, query, p ? { p } : {})
  if (r.errors || !r.data?.[field]) throw new Error(`${field}: ${JSON.stringify(r.errors ?? r.data)}`)
  return r.data[field]
}

/**
 * The identities every answer keeps, as a list of what breaks them (empty: all hold): each span's
 * liability is its opening plus net, net the sum of its movements, total the sum of the holder
 * types, and the buckets chain from the period's opening to its liability.
 */
function broken(s: Summary): string[] {
  const out: string[] = []
  const spans: [string, Holders][] = [['totals', s.totals], ...s.buckets.map((b): [string, Holders] => [b.key, b]), ...(s.previous ? [['previous', s.previous] as [string, Holders]] : [])]
  for (const [name, span] of spans) {
    for (const h of ['customers', 'referrers', 'total'] as const) {
      const f = span[h]
      if (f.issued !== f.earned + f.adjustedUp) out.push(`${name} ${h}: issued`)
      if (f.redeemed !== f.redeemedGross - f.returned) out.push(`${name} ${h}: redeemed`)
      if (f.net !== f.issued - f.redeemed - f.expired - f.adjustedDown - f.reversed) out.push(`${name} ${h}: net`)
      if (f.liability !== f.openingLiability + f.net) out.push(`${name} ${h}: liability`)
    }
    for (const k of Object.keys(span.total)) if (span.total[k] !== span.customers[k] + span.referrers[k]) out.push(`${name}: total ${k}`)
  }
  for (let i = 1; i < s.buckets.length; i++) {
    for (const h of ['customers', 'referrers'] as const) if (s.buckets[i][h].openingLiability !== s.buckets[i - 1][h].liability) out.push(`${s.buckets[i].key} ${h}: chain`)
  }
  if (s.buckets.length && (s.buckets[0].total.openingLiability !== s.totals.total.openingLiability || s.buckets.at(-1)!.total.liability !== s.totals.total.liability)) out.push('buckets vs totals')
  return out
}
const holds = (t: Test, s: Summary) => t.same(broken(s), [], 'liability = opening + issued − redeemed − expired − adjustedDown − reversed, in every span')

/** The ledger now: balances, entries and the lots' remainders, each summed per holder type. */
async function ledgerSums(ctx: TestApp): Promise<Record<string, { balance: number; ledger: number; lots: number }>> {
  const found = await ctx.sql<{ h: string; balance: string; ledger: string; lots: string }>(`select a.holder_type as h, sum(a.balance) as balance,
    sum((select coalesce(sum(amount), 0) from points_entries e where e.account_id = a.id)) as ledger,
    sum((select coalesce(sum(remaining), 0) from points_lots l where l.account_id = a.id)) as lots
    from points_accounts a group by a.holder_type`)
  return Object.fromEntries(found.map((r) => [r.h, { balance: Number(r.balance), ledger: Number(r.ledger), lots: Number(r.lots) }]))
}

await forEachDatabase(t, async (t, ctx) => {
  const team = await ctx.createTeam()
  const manager = await ctx.staff('manager', { teamId: team })
  const rep = await ctx.staff('sales', { teamId: team })
  const outsider = await ctx.staff('sales')
  const pos = await ctx.keyToken('integration')
  await ctx.gql(ctx.adminToken, CREATE_RULE, { i: { name: '每消费1元积1分', kind: 'base', points: 1, unitAmount: 100 } })
  const a = await createCustomer(ctx, { ownerId: rep.userId })
  const b = await createCustomer(ctx, { ownerId: outsider.userId })
  const c = await createCustomer(ctx, { ownerId: outsider.userId })
  const r = await createReferrer(ctx, { ownerId: rep.userId })

  /** Runs `fn` through the API and moves the ledger entries it wrote to `local` (Asia/Shanghai): the API books them now. */
  const at = async (local: string, fn: () => Promise<unknown>) => {
    const start = new Date(Date.now() - 1)
    await fn()
    await ctx.sql('update points_entries set created_at = $1 where created_at >= $2', [sh(local), start.toISOString()])
  }
  const gql = async (token: string, q: string, vars: Record<string, unknown>) => {
    const res = await ctx.gql(token, q, vars)
    const payload = Object.values(res.data ?? {})[0] as { userErrors?: unknown[] } | undefined
    if (res.errors || payload?.userErrors?.length) throw new Error(JSON.stringify(res.errors ?? payload))
    return res.data
  }

  // The history (docs/loyalty-analytics.md, "Worked example"), every kind of entry, at local midnights.
  let order = { id: '', externalId: '' }
  await at('2025-10-31T23:59:59.999', () => gql(ctx.adminToken, ADJUST, { i: { referrerId: r.id, amount: 700, reason: '推荐奖励补发' } }))
  await at('2025-11-01T00:00:00.000', async () => { order = await recordOrder(ctx, a.id, 100_000) })
  await at('2025-11-15T12:00:00.000', () => gql(pos, REDEEM, { i: { customerId: a.id, amount: 400, orderExternalId: order.externalId, externalId: newId('RDM') } }))
  await at('2025-11-30T23:59:59.999', () => gql(ctx.adminToken, ADJUST, { i: { customerId: a.id, amount: 200, reason: 'goodwill' } }))
  await at('2025-12-01T00:00:00.000', () => gql(ctx.adminToken, ADJUST, { i: { customerId: a.id, amount: -50, reason: 'correction' } }))
  await at('2025-12-02T10:00:00.000', () => gql(pos, REFUND, { i: { orderId: order.id, amount: { amount: 50_000, currency: 'CNY' }, refundExternalId: newId('RF') } }))
  await at('2025-12-03T10:00:00.000', () => gql(ctx.adminToken, ADJUST, { i: { customerId: b.id, amount: 300, reason: 'campaign' } }))
  await at('2025-12-04T00:05:00.000', async () => {
    await ctx.sql(`update points_lots set expires_at = now() - interval '1 minute' where account_id = (select id from points_accounts where customer_id = $1)`, [b.id])
    await ctx.app.services.points.expireDue(new Date())
  })
  await at('2025-12-05T10:00:00.000', () => gql(pos, REDEEM, { i: { referrerId: r.id, amount: 100, itemCode: 'MUG' } }))
  await at('2025-12-06T10:00:00.000', async () => {
    const o = await recordOrder(ctx, c.id, 50_000)
    await gql(pos, REDEEM, { i: { customerId: c.id, amount: 500, itemCode: 'GIFT' } })
    await gql(pos, REFUND, { i: { orderId: o.id, refundExternalId: newId('RF') } })
  })

  await t.test('November: issued, redeemed, liability per holder type; Asia/Shanghai day buckets split at local midnight', async (t) => {
    const s = await ask<Summary>(ctx, ctx.adminToken, POINTS_Q, 'pointsSummary', { ...NOVEMBER, bucket: 'day' })
    holds(t, s)
    t.match(s.totals.customers, { openingLiability: 0, issued: 1200, earned: 1000, adjustedUp: 200, redeemed: 400, redeemedGross: 400, returned: 0, expired: 0, adjustedDown: 0, reversed: 0, liability: 800 })
    t.match(s.totals.referrers, { openingLiability: 700, issued: 0, net: 0, liability: 700 }, 'the referrer credit of 31 October 23:59:59.999 is before the period')
    t.equal(s.totals.total.liability, 1500)
    t.equal(s.buckets.length, 30)
    t.same([s.buckets[0].key, s.buckets[0].from], ['2025-11-01', '2025-10-31T16:00:00.000Z'])
    t.match(s.buckets[0].customers, { openingLiability: 0, earned: 1000, liability: 1000 }, 'an earning at 00:00 on 1 November is in 1 November')
    t.match(s.buckets[29], { key: '2025-11-30', customers: { adjustedUp: 200, liability: 800 } }, '23:59:59.999 on 30 November is still 30 November')
    t.match(s.buckets[14], { key: '2025-11-15', customers: { redeemedGross: 400, openingLiability: 1000, liability: 600 } })
    const rest = await ctx.rest(ctx.adminToken, 'GET', '/api/v1/analytics/points-summary?from=2025-11-01&to=2025-12-01&bucket=day')
    t.equal(rest.statusCode, 200)
    t.same(rest.json(), s, 'REST with local dates answers the same')
  })

  await t.test('December: refunds give redeemed points back and take earnings back; expiry; the shortfall; the opening is November’s liability', async (t) => {
    const s = await ask<Summary>(ctx, ctx.adminToken, POINTS_Q, 'pointsSummary', { ...DECEMBER_WEEK, compare: true })
    holds(t, s)
    t.same(s.totals.customers, {
      openingLiability: 800, issued: 800, earned: 500, adjustedUp: 300, redeemed: 300, redeemedGross: 500, returned: 200,
      expired: 300, adjustedDown: 50, reversed: 500, reversalShortfall: 500, net: -350, liability: 450
    })
    t.match(s.totals.referrers, { openingLiability: 700, redeemed: 100, liability: 600 })
    t.match(s.buckets[0], { key: '2025-12-01', customers: { adjustedDown: 50, adjustedUp: 0 } }, '00:00 on 1 December is December')
    t.match(s.buckets[3], { key: '2025-12-04', customers: { expired: 300 } })
    t.equal(s.period.previousFrom, '2025-11-23T16:00:00.000Z')
    t.match(s.previous!.customers, { openingLiability: 600, adjustedUp: 200, liability: 800 })
  })

  await t.test('week buckets start on Monday in the zone and are clipped to the period; inline arguments', async (t) => {
    const r = await ctx.gql(ctx.adminToken, `{ pointsSummary(period: { from: "2025-11-26T00:00:00+08:00", to: "2025-12-10T00:00:00+08:00", bucket: week }) ${SUMMARY} }`)
    const s = r.data.pointsSummary as Summary
    holds(t, s)
    t.same(s.buckets.map((b) => [b.key, b.from, b.to]), [
      ['2025-11-24', '2025-11-25T16:00:00.000Z', '2025-11-30T16:00:00.000Z'],
      ['2025-12-01', '2025-11-30T16:00:00.000Z', '2025-12-07T16:00:00.000Z'],
      ['2025-12-08', '2025-12-07T16:00:00.000Z', '2025-12-09T16:00:00.000Z']
    ])
    t.match(s.buckets.map((b) => b.total.liability), [1500, 1050, 1050])
  })

  await t.test('the current period’s liability is the sum of the balances and of the lots’ remainders, per holder type', async (t) => {
    const s = await ask<Summary>(ctx, ctx.adminToken, POINTS_Q, 'pointsSummary', null)
    holds(t, s)
    const now = await ledgerSums(ctx)
    t.same(now.customer, { balance: 450, ledger: 450, lots: 450 })
    t.same(now.referrer, { balance: 600, ledger: 600, lots: 600 })
    t.equal(s.totals.customers.liability, now.customer.balance)
    t.equal(s.totals.referrers.liability, now.referrer.balance)
    t.equal(s.totals.total.openingLiability, 1050, 'read from the balances less the entries since (the period is recent): the same as the December history left')
  })

  await t.test('reports read one snapshot: under concurrent redemptions each answer’s liability plus what it saw redeemed stays the same', async (t) => {
    const redeem = () => ctx.gql(pos, REDEEM, { i: { customerId: a.id, amount: 1, itemCode: 'PEN' } })
    const read = () => ask<Summary>(ctx, ctx.adminToken, POINTS_Q, 'pointsSummary', null)
    const answers = await Promise.all(Array.from({ length: 24 }, (_, i) => (i % 3 === 0 ? read() : redeem())))
    for (const s of answers.filter((x): x is Summary => 'totals' in (x as object))) {
      t.equal(s.totals.customers.liability + s.totals.customers.redeemedGross, 450)
    }
    const after = await read()
    t.match(after.totals.customers, { redeemedGross: 16, liability: 434 })
    t.equal((await ledgerSums(ctx)).customer.balance, 434)
  })

  // Coupons and levels: rows inserted directly (loyalty-data.ts) until their APIs land.
  const campaign = (await gql(ctx.adminToken, 'mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { campaign { id } userErrors { message } } }',
    { i: { name: '双十一' } })).createCampaign.campaign.id as string
  const t1 = await insertTemplate(ctx, '满100减10', campaign)
  const t2 = await insertTemplate(ctx, 'USD 3 off', campaign)
  const t3 = await insertTemplate(ctx, '新人券', null)
  await insertCoupon(ctx, { template: t1, issuedAt: '2025-11-10T10:00:00', customerId: a.id, uses: [{ at: '2025-11-20T10:00:00', discount: 1000 }] })
  await insertCoupon(ctx, { template: t1, issuedAt: '2025-11-10T10:00:00', customerId: b.id, uses: [{ at: '2025-11-25T10:00:00', discount: 500, restoredAt: '2025-11-28T10:00:00' }] })
  await insertCoupon(ctx, { template: t1, issuedAt: '2025-11-30T23:59:59.999', uses: [{ at: '2025-12-02T10:00:00', discount: 1000 }] })
  await insertCoupon(ctx, { template: t1, issuedAt: '2025-11-12T10:00:00', voidedAt: '2025-11-29T10:00:00' })
  await insertCoupon(ctx, { template: t1, issuedAt: '2025-12-01T00:00:00' })
  await insertCoupon(ctx, { template: t2, issuedAt: '2025-11-10T10:00:00', uses: [{ at: '2025-11-11T10:00:00', discount: 300, currency: 'USD' }] })
  await insertCoupon(ctx, { template: t2, issuedAt: '2025-11-10T10:00:00' })
  await insertCoupon(ctx, { template: t3, issuedAt: '2025-10-31T23:59:59.999', uses: [{ at: '2025-11-01T00:00:00', discount: 200 }] })
  const silver = await insertLevel(ctx, 'silver', 1)
  const gold = await insertLevel(ctx, 'gold', 2)
  await insertLevel(ctx, 'diamond', 3, false)
  await setLevel(ctx, a.id, gold)
  await setLevel(ctx, b.id, silver)
  const gone = await createCustomer(ctx)
  await setLevel(ctx, gone.id, gold)
  t.equal((await ctx.rest(ctx.adminToken, 'DELETE', `/api/v1/customers/${gone.id}`)).statusCode, 204)

  type Loyalty = { points: Summary; coupons: any; levels: any }
  await t.test('loyaltyReport: coupons by template and campaign with the redemption rate and discount per currency; customers per level', async (t) => {
    const l = await ask<Loyalty>(ctx, ctx.adminToken, LOYALTY_Q, 'loyaltyReport', { ...NOVEMBER, compare: true })
    t.same(l.points, await ask<Summary>(ctx, ctx.adminToken, POINTS_Q, 'pointsSummary', { ...NOVEMBER, compare: true }), 'points: the same as pointsSummary')
    t.same(l.coupons.totals, {
      issued: 6, redeemedOfIssued: 2, redemptionRate: 2 / 6, redeemed: 4, restored: 1, voided: 1,
      discount: [{ amount: 1700, currency: 'CNY' }, { amount: 300, currency: 'USD' }], discountRestored: [{ amount: 500, currency: 'CNY' }]
    })
    t.same(l.coupons.byTemplate.map((g: any) => [g.name, g.campaignId, g.figures.issued, g.figures.redeemedOfIssued, g.figures.redemptionRate, g.figures.redeemed]), [
      ['USD 3 off', campaign, 2, 1, 0.5, 1],
      ['新人券', null, 0, 0, null, 1],
      ['满100减10', campaign, 4, 1, 0.25, 2]
    ], 'issued 30 November 23:59:59.999 counts, 1 December 00:00 does not; a use given back before the end is not redeemed-of-issued')
    t.match(l.coupons.byTemplate[2].figures, { voided: 1, restored: 1, discount: [{ amount: 1500, currency: 'CNY' }] })
    t.same(l.coupons.byCampaign.map((g: any) => [g.campaignId, g.name, g.templates, g.figures.issued, g.figures.redeemed, g.figures.redemptionRate]), [
      [campaign, '双十一', 2, 6, 3, 2 / 6],
      [null, null, 1, 0, 1, null]
    ])
    t.same(l.coupons.previous, { issued: 1, redeemedOfIssued: 0, redemptionRate: 0, redeemed: 0, restored: 0, voided: 0, discount: [], discountRestored: [] },
      'the previous 30 days: the coupon issued at 23:59:59.999 on 31 October, used at 00:00 on 1 November (the period’s end: not before it)')
    t.same(l.levels.byLevel.map((x: any) => [x.key, x.rank, x.active, x.customers]), [
      ['member', 0, true, 1], ['silver', 1, true, 1], ['gold', 2, true, 1], ['diamond', 3, false, 0]
    ], 'a customer without a level is a member; the deleted customer is not counted')
    t.equal(l.levels.total, 3)
    t.match(l.levels.byLevel[0], { nameZh: '普通会员', nameEn: 'Member' })
  })

  await t.test('a level deleted since is listed while customers hold it', async (t) => {
    await ctx.sql('update member_levels set deleted_at = now() where id = $1', [silver])
    const l = await ask<Loyalty>(ctx, ctx.adminToken, LOYALTY_Q, 'loyaltyReport', NOVEMBER)
    t.match(l.levels.byLevel.find((x: any) => x.key === 'silver'), { active: false, customers: 1 })
    await ctx.sql('update member_levels set deleted_at = null where id = $1', [silver])
  })

  await t.test('REST and CSV answer the same report', async (t) => {
    const l = await ask<Loyalty>(ctx, ctx.adminToken, LOYALTY_Q, 'loyaltyReport', NOVEMBER)
    const rest = await ctx.rest(ctx.adminToken, 'GET', `/api/v1/analytics/loyalty?from=${encodeURIComponent(NOVEMBER.from)}&to=2025-12-01`)
    t.equal(rest.statusCode, 200)
    const body = rest.json()
    t.same(body.points, l.points)
    t.same(body.coupons, l.coupons)
    t.same(body.levels.byLevel, l.levels.byLevel)
    const csv = await ctx.rest(ctx.adminToken, 'GET', '/api/v1/analytics/loyalty?from=2025-11-01&to=2025-12-01&format=csv')
    t.equal(csv.statusCode, 200)
    const lines = parseCsv(csv.body)
    t.match(lines.find((x) => x.section === 'points_total' && x.holder === 'total'), { liability: '1500', openingLiability: '700' })
    t.equal(lines.filter((x) => x.section === 'points_bucket').length, 90, '30 days × customers, referrers, total')
    t.same(lines.filter((x) => x.section === 'coupons_total').map((x) => [x.currency, x.discount, x.couponsIssued]), [['CNY', '1700', '6'], ['USD', '300', '6']])
    t.match(lines.find((x) => x.section === 'level' && x.key === 'gold'), { label: 'gold会员', customers: '1' })
    const points = parseCsv((await ctx.rest(ctx.adminToken, 'GET', '/api/v1/analytics/points-summary?from=2025-11-01&to=2025-12-01&bucket=month&format=csv')).body)
    t.same(points.map((x) => [x.section, x.key, x.holder, x.liability]), [
      ['total', '', 'customers', '800'], ['total', '', 'referrers', '700'], ['total', '', 'total', '1500'],
      ['bucket', '2025-11-01', 'customers', '800'], ['bucket', '2025-11-01', 'referrers', '700'], ['bucket', '2025-11-01', 'total', '1500']
    ])
  })

  await t.test('reach: admin, marketing, service and integration see everything; a manager and a rep their team’s holders; referrer tokens nothing', async (t) => {
    const everything = await ask<Loyalty>(ctx, ctx.adminToken, LOYALTY_Q, 'loyaltyReport', NOVEMBER)
    for (const token of [(await ctx.staff('marketing')).token, await ctx.keyToken('service'), pos, (await ctx.staff('admin')).token]) {
      const l = await ask<Loyalty>(ctx, token, LOYALTY_Q, 'loyaltyReport', NOVEMBER)
      t.same([l.points.totals, l.coupons, l.levels.byLevel], [everything.points.totals, everything.coupons, everything.levels.byLevel])
    }
    for (const token of [manager.token, rep.token]) {
      const l = await ask<Loyalty>(ctx, token, LOYALTY_Q, 'loyaltyReport', DECEMBER_WEEK)
      t.match(l.points.totals.customers, { openingLiability: 800, liability: 450, expired: 0 }, 'customer A only')
      t.match(l.points.totals.referrers, { openingLiability: 700, liability: 600 }, 'the referrer the rep owns')
      const nov = await ask<Loyalty>(ctx, token, LOYALTY_Q, 'loyaltyReport', NOVEMBER)
      t.match(nov.coupons.totals, { issued: 1, redeemedOfIssued: 1, redeemed: 1, restored: 0, voided: 0, discount: [{ amount: 1000, currency: 'CNY' }] }, 'the coupon customer A holds')
      t.same(nov.levels.byLevel.map((x: any) => x.customers), [0, 0, 1, 0])
    }
    const other = await ask<Loyalty>(ctx, outsider.token, LOYALTY_Q, 'loyaltyReport', DECEMBER_WEEK)
    t.match(other.points.totals, { customers: { openingLiability: 0, issued: 800, expired: 300, liability: 0 }, referrers: { liability: 0 } })
    t.same(other.levels.byLevel.map((x: any) => x.customers), [1, 1, 0, 0])
    const referrer = await referrerToken(ctx, r.id)
    for (const q of [LOYALTY_Q, POINTS_Q]) t.equal((await ctx.gql(referrer, q, {})).errors?.[0]?.extensions?.code, 'FORBIDDEN')
    t.equal((await ctx.rest(referrer, 'GET', '/api/v1/analytics/loyalty')).statusCode, 403)
    t.equal((await ctx.rest(referrer, 'GET', '/api/v1/analytics/points-summary')).statusCode, 403)
    const loyaltyOnly = await ctx.keyToken('integration', { entities: ['loyalty'] })
    t.equal((await ctx.rest(loyaltyOnly, 'GET', '/api/v1/analytics/points-summary')).statusCode, 403, 'a key limited to loyalty does not read analytics')
    t.equal((await ctx.rest(null, 'GET', '/api/v1/analytics/loyalty')).statusCode, 401)
  })

  await t.test('bad periods are typed errors in English and Chinese, never a 500', async (t) => {
    const cases: [string, string, RegExp, RegExp][] = [
      ['from=2025-12-01&to=2025-11-01', 'from', /must be before to/, /必须早于 to/],
      ['from=2025-13-01', 'from', /ISO 8601/, /ISO 8601/],
      ['from=2025-02-30', 'from', /ISO 8601/, /YYYY-MM-DD 格式的日期/],
      ['from=2020-01-01&to=2025-01-01', 'to', /at most 1100 days/, /最多只能比 from 晚 1100 天/],
      ['to=2025-11-01T00:00:00', 'to', /ISO 8601/, /ISO 8601/]
    ]
    for (const report of ['loyalty', 'points-summary']) {
      for (const [query, field, en, zh] of cases) {
        const res = await ctx.rest(ctx.adminToken, 'GET', `/api/v1/analytics/${report}?${query}`)
        t.equal(res.statusCode, 400, `${report}?${query}`)
        t.match(res.json(), { code: 'CRM_ERR_VALIDATION', errors: [{ field, code: 'INVALID_PERIOD', message: en }] })
        const zhRes = await ctx.rest(ctx.adminToken, 'GET', `/api/v1/analytics/${report}?${query}`, undefined, { 'accept-language': 'zh-CN' })
        t.match(zhRes.json(), { errors: [{ field, code: 'INVALID_PERIOD', message: zh }] })
      }
      t.equal((await ctx.rest(ctx.adminToken, 'GET', `/api/v1/analytics/${report}?bucket=year`)).statusCode, 400)
      t.equal((await ctx.rest(ctx.adminToken, 'GET', `/api/v1/analytics/${report}?from=${'9'.repeat(41)}`)).statusCode, 400)
      t.equal((await ctx.rest(ctx.adminToken, 'GET', `/api/v1/analytics/${report}?holder=customer`)).statusCode, 400, 'unknown parameters are refused')
    }
    const swapped = await ctx.gql(ctx.adminToken, POINTS_Q, { p: { from: '2025-12-01T00:00:00+08:00', to: '2025-11-01T00:00:00+08:00' } }, { 'accept-language': 'zh-CN' })
    t.equal(swapped.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT')
    t.match(JSON.stringify(swapped.errors), /必须早于 to/)
    const inline = await ctx.gql(ctx.adminToken, '{ loyaltyReport(period: { from: "yesterday" }) { period { from } } }')
    t.equal(inline.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT')
    const bucket = await ctx.gql(ctx.adminToken, POINTS_Q, { p: { bucket: 'year' } })
    t.equal(bucket.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT')
  })

  await t.test('the longest period (1100 days) answers every day bucket', async (t) => {
    const s = await ask<Summary>(ctx, ctx.adminToken, POINTS_Q, 'pointsSummary', { from: '2023-01-01T00:00:00+08:00', to: '2026-01-05T00:00:00+08:00' })
    t.equal(s.buckets.length, 1100)
    holds(t, s)
    t.equal(s.totals.total.liability, 1050)
  })
})
