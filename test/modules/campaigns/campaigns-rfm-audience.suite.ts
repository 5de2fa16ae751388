import t from 'tap'
import { forEachDatabase } from '../../helper.js'
import { seedScores } from '../customers/rfm-fixtures.js'

const CREATE = 'mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { campaign { id audience audienceSize } userErrors { field message code } } }'

await forEachDatabase(t, async (t, ctx) => {
  const marketing = await ctx.staff('marketing')
  const team = await ctx.createTeam()
  const rep = await ctx.staff('sales', { teamId: team })
  const other = await ctx.staff('sales', { teamId: await ctx.createTeam() })
  // Twelve customers tagged rfm (see the fixtures): 9 scored, 3 unscored; the rep's team owns six.
  await seedScores(ctx, { mine: rep.userId, other: other.userId })
  await ctx.rest(ctx.adminToken, 'PATCH', '/api/v1/customers/' + (await ctx.sql<{ id: string }>("select id from customers where name = 'R0'"))[0].id, { tier: 'A' })

  const audiences: [Record<string, unknown>, number, number][] = [
    // audience, size for marketing (all customers), size for the rep (its team's)
    [{ tags: ['rfm'], segment: ['Champions'] }, 3, 1],
    [{ tags: ['rfm'], segment: ['Champions', 'Lost'], r: [5, 1] }, 3, 2],
    [{ tags: ['rfm'], r: [5], f: [5], m: [5] }, 2, 1],
    [{ tags: ['rfm'], scored: true }, 9, 4],
    [{ tags: ['rfm'], scored: false }, 3, 2],
    [{ tags: ['rfm'], tier: ['A'], segment: ['Champions'] }, 1, 1],
    [{ tags: ['rfm'] }, 12, 6]
  ]

  await t.test('an audience may use the RFM fields; audienceSize counts them, within the reader\'s reach', async (t) => {
    const ids: string[] = []
    for (const [audience, size] of audiences) {
      const r = await ctx.gql(marketing.token, CREATE, { i: { name: `RFM ${JSON.stringify(audience)}`, audience } })
      t.same(r.data.createCampaign.userErrors, [], JSON.stringify(audience))
      t.same(r.data.createCampaign.campaign.audience, audience, 'stored as given')
      t.equal(r.data.createCampaign.campaign.audienceSize, size, JSON.stringify(audience))
      ids.push(r.data.createCampaign.campaign.id)
    }
    for (const [i, [audience, , repSize]] of audiences.entries()) {
      const r = await ctx.gql(rep.token, 'query($id: ID!) { campaign(id: $id) { audienceSize } }', { id: ids[i] })
      t.equal(r.data.campaign.audienceSize, repSize, `rep: ${JSON.stringify(audience)}`)
    }
  })

  await t.test('a list mixing audiences with and without RFM fields is sized in one query', async (t) => {
    const q = '{ campaigns(first: 50, filter: { search: "RFM" }) { edges { node { name audienceSize } } } }'
    await ctx.gql(marketing.token, q)
    const before = ctx.queries
    const r = await ctx.gql(marketing.token, q)
    t.notOk(r.errors)
    t.equal(ctx.queries - before, 2, 'the campaigns and one count over the audiences')
    const sizes = new Map((r.data.campaigns.edges as { node: { name: string; audienceSize: number } }[]).map((e) => [e.node.name, e.node.audienceSize]))
    t.equal(sizes.size, audiences.length)
    for (const [audience, size] of audiences) t.equal(sizes.get(`RFM ${JSON.stringify(audience)}`), size, JSON.stringify(audience))
  })

  await t.test('an audience with a bad RFM field is refused naming the field', async (t) => {
    for (const [audience, field] of [[{ r: [0] }, /^audience\.r/], [{ m: [6] }, /^audience\.m/], [{ segment: [''] }, /^audience\.segment/], [{ scored: 'yes' }, /^audience\.scored/], [{ f: [1, 2, 3, 4, 5, 1] }, /^audience\.f/]] as const) {
      const r = await ctx.gql(marketing.token, CREATE, { i: { name: 'Bad RFM audience', audience } })
      t.equal(r.data.createCampaign.campaign, null)
      t.match(r.data.createCampaign.userErrors, [{ field, code: 'INVALID' }], JSON.stringify(audience))
    }
    const rest = await ctx.rest(marketing.token, 'POST', '/api/v1/campaigns', { name: 'Bad', audience: { segment: 'Champions' } })
    t.equal(rest.statusCode, 400, 'segment is a list')
    t.match(rest.json().errors, [{ field: /^audience\.segment/ }])
  })
})
