import t from 'tap'
import { forEachDatabase } from '../../helper.js'
import { APPROVE, convert, createCampaign, createReferrer, createRule, deactivateAll, ledger, PAY, qualify, referrerToken, REWARD, submitted } from './support.js'

const LIST = `query($f: RewardFilter, $first: Int) { rewards(filter: $f, first: $first) { totalCount edges { node { id beneficiaryId amount rule { id } referrer { id } } }
  totals { rewardType currency count net pending approved paid reversals } } }`

await forEachDatabase(t, async (t, ctx) => {
  const finance = await ctx.keyToken('integration')
  const marketing = await ctx.staff('marketing')
  await deactivateAll(ctx)
  const campaign = await createCampaign(ctx)
  const cash = await createRule(ctx, { trigger: 'referral_qualified', amount: 1000, campaignId: campaign.id, approval: 'auto' })
  const points = await createRule(ctx, { trigger: 'referral_qualified', calc: 'points', rewardType: 'points', amount: 50 })
  const welcome = await createRule(ctx, { trigger: 'referral_converted', amount: 800, beneficiary: 'referred', rewardType: 'coupon', couponCode: 'HELLO' })
  const alice = await createReferrer(ctx, { name: 'Alice' })
  const bob = await createReferrer(ctx, { name: 'Bob' })
  for (const who of [alice, alice, bob]) await qualify(ctx, (await submitted(ctx, who.id, { campaignId: campaign.id })).id)
  const converted = await submitted(ctx, alice.id)
  await convert(ctx, converted.leadId)
  const [aliceCash] = await ledger(ctx, { ruleId: cash.id })
  await ctx.gql(finance, PAY, { id: aliceCash.id, ref: '=HYPERLINK("x"),1' })
  const bobEntry = (await ledger(ctx, { ruleId: cash.id })).find((e) => e.beneficiary_id === bob.id)!

  await t.test('a referrer token sees exactly its own rewards, never the referred side or another referrer’s', async (t) => {
    const own = await referrerToken(ctx, alice.id)
    const list = await ctx.gql(own, LIST, {})
    const nodes = list.data.rewards.edges.map((e: { node: { beneficiaryId: string } }) => e.node)
    t.equal(nodes.length, 5, 'alice: cash for her 2 campaign referrals, points for all 3; not the coupon of the customer she referred')
    t.ok(nodes.every((n: { beneficiaryId: string }) => n.beneficiaryId === alice.id))
    t.ok(nodes.every((n: { rule: unknown }) => n.rule === null), 'rules are not shown to referrers')
    const explained = await ctx.gql(own, '{ rewards(first: 10) { edges { node { explanation } } } }')
    t.ok(explained.data.rewards.edges.every((e: { node: { explanation: object } }) => Object.keys(e.node.explanation).length === 0),
      "nor the rules' explanations (rule names, caps, budgets)")
    const restOwn = (await ctx.rest(own, 'GET', '/api/v1/rewards')).json().data
    t.ok(restOwn.length > 0 && restOwn.every((r: { explanation: object }) => Object.keys(r.explanation).length === 0), 'over REST too')
    t.same(list.data.rewards.totals, [
      { rewardType: 'cash', currency: 'CNY', count: 2, net: 2000, pending: 0, approved: 1000, paid: 1000, reversals: 0 },
      { rewardType: 'points', currency: 'CNY', count: 3, net: 150, pending: 150, approved: 0, paid: 0, reversals: 0 }
    ], 'her balance is the sum of her entries')
    t.equal((await ctx.gql(own, `query($id: ID!) { reward(id: $id) { ${REWARD} } }`, { id: bobEntry.id })).data.reward, null)
    t.equal((await ctx.rest(own, 'GET', `/api/v1/rewards/${bobEntry.id}`)).statusCode, 404, "another referrer's reward: not found")
    t.equal((await ctx.rest(own, 'GET', `/api/v1/rewards?referrerId=${bob.id}`)).json().data.length, 0)
    t.equal((await ctx.gql(own, APPROVE, { id: nodes[0].id })).errors?.[0].extensions?.code, 'FORBIDDEN')
    const nested = await ctx.gql(own, 'query($id: ID!) { referrer(id: $id) { rewards { totalCount } } }', { id: alice.id })
    t.equal(nested.data.referrer.rewards.totalCount, 5)
  })

  await t.test('finance lists the ledger by status, referrer, campaign and period, with totals by type and currency', async (t) => {
    const byCampaign = await ctx.gql(finance, LIST, { f: { campaignId: campaign.id } })
    t.equal(byCampaign.data.rewards.totalCount, 6, 'the campaign rule and the global points rule, for the campaign referrals')
    t.same(byCampaign.data.rewards.totals, [
      { rewardType: 'cash', currency: 'CNY', count: 3, net: 3000, pending: 0, approved: 2000, paid: 1000, reversals: 0 },
      { rewardType: 'points', currency: 'CNY', count: 3, net: 150, pending: 150, approved: 0, paid: 0, reversals: 0 }
    ])
    const approved = await ctx.gql(finance, LIST, { f: { status: ['approved'], referrerId: alice.id } })
    t.equal(approved.data.rewards.totalCount, 1)
    const coupon = await ctx.gql(marketing.token, LIST, { f: { rewardType: ['coupon'] } })
    t.match(coupon.data.rewards.edges, [{ node: { amount: 800, rule: { id: welcome.id }, referrer: { id: alice.id } } }], 'marketing reads; the referred side is listed with its referrer')
    const future = await ctx.rest(finance, 'GET', `/api/v1/rewards?createdFrom=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)
    t.same(future.json(), { data: [], nextCursor: null })
    const page = await ctx.rest(finance, 'GET', '/api/v1/rewards?limit=2')
    t.equal(page.json().data.length, 2)
    const next = await ctx.rest(finance, 'GET', `/api/v1/rewards?limit=50&cursor=${page.json().nextCursor}`)
    t.equal(next.json().data.length, 8 - 2, 'keyset pages cover the ledger once')
    const totals = await ctx.rest(finance, 'GET', `/api/v1/rewards/totals?ruleId=${points.id}`)
    t.same(totals.json(), { data: [{ rewardType: 'points', currency: 'CNY', count: 4, net: 200, pending: 200, approved: 0, paid: 0, reversals: 0 }] })
  })

  await t.test('exports stream NDJSON or CSV for a filter; spreadsheet formulas are neutralised', async (t) => {
    const nd = await ctx.rest(finance, 'GET', `/api/v1/rewards/export?campaignId=${campaign.id}&rewardType=cash`)
    t.equal(nd.statusCode, 200)
    t.match(nd.headers['content-type'], /^application\/x-ndjson/)
    const lines = nd.body.trim().split('\n').map((l) => JSON.parse(l))
    t.equal(lines.length, 3)
    t.ok(lines.every((l) => l.campaignId === campaign.id && l.rewardType === 'cash' && l.explanation.rule === cash.name))
    const csv = await ctx.rest(finance, 'GET', `/api/v1/rewards/export?format=csv&campaignId=${campaign.id}&status=paid`)
    t.match(csv.headers['content-type'], /^text\/csv/)
    t.match(csv.headers['content-disposition'], /rewards\.csv/)
    const rows = csv.body.trim().split('\r\n')
    t.match(rows[0], /^id,kind,status,trigger,eventKey,ruleId,/)
    t.equal(rows.length, 2)
    t.match(rows[1], new RegExp(`^${aliceCash.id},reward,paid,referral_qualified,`))
    t.match(rows[1], /,"'=HYPERLINK\(""x""\),1",/, 'quoted and prefixed with an apostrophe')
    const own = await ctx.rest(await referrerToken(ctx, bob.id), 'GET', '/api/v1/rewards/export')
    t.ok(own.body.trim().split('\n').every((l) => JSON.parse(l).beneficiaryId === bob.id), 'a referrer exports only its own')
    const sales = await ctx.staff('sales')
    const denied = await ctx.rest(sales.token, 'GET', '/api/v1/rewards/export')
    t.equal(denied.statusCode, 403)
    t.match(denied.headers['content-type'], /problem\+json/, 'refused before any row is streamed')
    t.equal((await ctx.rest(finance, 'GET', '/api/v1/rewards/export?format=xml')).statusCode, 400)
  })

  await t.test('Referrer.rewards for a page of referrers costs the same few queries however many referrers', async (t) => {
    for (let i = 0; i < 4; i++) await qualify(ctx, (await submitted(ctx, (await createReferrer(ctx)).id)).id)
    const run = async (first: number) => {
      const before = ctx.queries
      const r = await ctx.gql(finance, 'query($n: Int) { referrers(first: $n) { edges { node { id rewards(first: 3) { totalCount totals { net } edges { node { id rule { name } } } } } } } }', { n: first })
      t.notOk(r.errors, JSON.stringify(r.errors))
      return ctx.queries - before
    }
    const small = await run(2)
    const full = await run(6)
    t.equal(full, small, `constant: ${full} statements`)
  })
}, { REFERRAL_CONSENT_REQUIRED: 'false' })
