import t from 'tap'
import fc from 'fast-check'
import { randomBytes } from 'node:crypto'
import { forEachDatabase } from '../../helper.js'
import { createReferrer, newPhone, referrerToken, submit } from './support.js'

const LIST = `query($f: ReferralFilter, $after: String, $first: Int) {
  referrals(first: $first, after: $after, filter: $f) { totalCount edges { node { id name } } pageInfo { hasNextPage endCursor } } }`

await forEachDatabase(t, async (t, ctx) => {
  const north = await ctx.createTeam()
  const alice = await ctx.staff('sales', { teamId: north })
  const carol = await ctx.staff('sales', { teamId: await ctx.createTeam() })
  const gold = await createReferrer(ctx, { tier: 'gold', ownerId: alice.userId })
  const silver = await createReferrer(ctx, { tier: 'silver', ownerId: carol.userId })
  const gone = await createReferrer(ctx, { tier: 'gold' })
  const campaign = (await ctx.rest(ctx.adminToken, 'POST', '/api/v1/campaigns', { name: '推荐季', status: 'active' })).json()
  const made: Record<string, string> = {}
  for (const [name, referrer, campaignId] of [['G1', gold, campaign.id], ['G2', gold, null], ['S1', silver, campaign.id], ['X1', gone, null]] as const) {
    made[name] = (await submit(ctx, ctx.adminToken, { referrerId: referrer.id, name, phone: newPhone(), campaignId })).referral!.id
  }
  t.equal((await ctx.rest(ctx.adminToken, 'DELETE', `/api/v1/referrers/${gone.id}`)).statusCode, 204)
  const names = async (token: string, f: Record<string, unknown>) => {
    const r = await ctx.gql(token, LIST, { f, first: 200 })
    if (!r.data?.referrals) throw new Error(JSON.stringify(r))
    return r.data.referrals.edges.map((e: { node: { name: string } }) => e.node.name).sort()
  }

  await t.test("referrerTier matches the live referrer's tier exactly, on both transports", async (t) => {
    t.strictSame(await names(ctx.adminToken, { referrerTier: ['gold'] }), ['G1', 'G2'], "a deleted referrer's referrals match no tier")
    t.strictSame(await names(ctx.adminToken, { referrerTier: ['gold', 'silver'] }), ['G1', 'G2', 'S1'])
    t.strictSame(await names(ctx.adminToken, { referrerTier: ['GOLD'] }), [])
    const inline = await ctx.gql(ctx.adminToken, '{ referrals(filter: { referrerTier: ["silver"] }) { totalCount edges { node { name } } } }')
    t.strictSame(inline.data.referrals, { totalCount: 1, edges: [{ node: { name: 'S1' } }] })
    const rest = await ctx.rest(ctx.adminToken, 'GET', '/api/v1/referrals?referrerTier=gold&referrerTier=silver&limit=200')
    t.strictSame(rest.json().data.map((r: { name: string }) => r.name).sort(), ['G1', 'G2', 'S1'])
  })

  await t.test('combines with the other filters, pages and counts', async (t) => {
    t.strictSame(await names(ctx.adminToken, { referrerTier: ['gold', 'silver'], campaignId: campaign.id }), ['G1', 'S1'])
    t.strictSame(await names(ctx.adminToken, { referrerTier: ['gold'], search: 'g2' }), ['G2'])
    const first = await ctx.gql(ctx.adminToken, LIST, { f: { referrerTier: ['gold', 'silver'] }, first: 2 })
    t.equal(first.data.referrals.totalCount, 3)
    const rest = await ctx.gql(ctx.adminToken, LIST, { f: { referrerTier: ['gold', 'silver'] }, first: 2, after: first.data.referrals.pageInfo.endCursor })
    const all = [...first.data.referrals.edges, ...rest.data.referrals.edges].map((e: { node: { name: string } }) => e.node.name)
    t.strictSame(all.sort(), ['G1', 'G2', 'S1'])
    t.equal(rest.data.referrals.pageInfo.hasNextPage, false)
    const nested = await ctx.gql(ctx.adminToken, 'query($id: ID!) { referrer(id: $id) { referrals(filter: { referrerTier: ["gold"] }) { totalCount } } }', { id: gold.id })
    t.equal(nested.data.referrer.referrals.totalCount, 2, "a referrer's own referrals take the filter too")
  })

  await t.test('within reach: a sales rep and a referrer token filter only what they see', async (t) => {
    t.strictSame(await names(alice.token, { referrerTier: ['gold', 'silver'] }), ['G1', 'G2'])
    t.strictSame(await names(carol.token, { referrerTier: ['gold'] }), [])
    const own = await referrerToken(ctx, silver.id)
    t.strictSame(await names(own, { referrerTier: ['silver'] }), ['S1'])
    t.strictSame(await names(own, { referrerTier: ['gold'] }), [])
    t.strictSame(await names((await ctx.staff('marketing')).token, { referrerTier: ['gold'] }), ['G1', 'G2'])
  })

  await t.test('an empty or overlong tier is refused naming the field', async (t) => {
    const r = await ctx.gql(ctx.adminToken, LIST, { f: { referrerTier: [''] } })
    t.equal(r.errors?.[0].extensions?.code, 'BAD_USER_INPUT')
    t.match(r.errors?.[0].extensions?.fields, [{ field: /referrerTier/ }])
    const rest = await ctx.rest(ctx.adminToken, 'GET', `/api/v1/referrals?referrerTier=${'x'.repeat(51)}`, undefined, { 'accept-language': 'zh-CN' })
    t.equal(rest.statusCode, 400)
    t.match(rest.json().errors, [{ field: /^referrerTier/, message: /[\u4e00-\u9fff]/ }])
  })

  await t.test('property: the filtered list is the referrals whose live referrer has one of the tiers', async (t) => {
    const tiers = ['bronze', 'platinum', 'jade']
    await fc.assert(fc.asyncProperty(
      fc.array(fc.record({ tier: fc.constantFrom(...tiers), deleted: fc.boolean(), referrals: fc.nat(2) }), { minLength: 1, maxLength: 4 }),
      fc.array(fc.subarray(tiers, { minLength: 1 }), { minLength: 3, maxLength: 3 }),
      async (spec, filters) => {
        const run = randomBytes(3).toString('hex')
        const rows: { name: string; tier: string; live: boolean }[] = []
        for (const [i, r] of spec.entries()) {
          const referrer = await createReferrer(ctx, { tier: r.tier })
          for (let j = 0; j < r.referrals; j++) {
            const name = `P${run}-${i}-${j}`
            await submit(ctx, ctx.adminToken, { referrerId: referrer.id, name, phone: newPhone() })
            rows.push({ name, tier: r.tier, live: !r.deleted })
          }
          if (r.deleted) await ctx.rest(ctx.adminToken, 'DELETE', `/api/v1/referrers/${referrer.id}`)
        }
        for (const f of filters) {
          const want = rows.filter((r) => r.live && f.includes(r.tier)).map((r) => r.name).sort()
          const r = await ctx.gql(ctx.adminToken, LIST, { f: { referrerTier: f, search: `p${run}` }, first: 200 })
          t.strictSame(r.data.referrals.edges.map((e: { node: { name: string } }) => e.node.name).sort(), want, JSON.stringify(f))
          t.equal(r.data.referrals.totalCount, want.length)
        }
      }), { numRuns: 5 })
  })
})
