import t from 'tap'
import { forEachDatabase } from '../../helper.js'

const CREATE = `mutation($i: CreateOpportunityInput!) { createOpportunity(input: $i) { opportunity { id owner { id } } userErrors { field message code } } }`
const CUSTOMER = `mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } userErrors { message } } }`

await forEachDatabase(t, async (t, ctx) => {
  const north = await ctx.createTeam('North')
  const south = await ctx.createTeam('South')
  const alice = await ctx.staff('sales', { teamId: north })
  const bob = await ctx.staff('sales', { teamId: north })
  const carol = await ctx.staff('sales', { teamId: south })
  const marketing = await ctx.staff('marketing')

  const aliceCustomer = (await ctx.gql(alice.token, CUSTOMER, { i: { name: 'Alice customer' } })).data.createCustomer.customer
  const deal = (await ctx.gql(alice.token, CREATE, { i: { customerId: aliceCustomer.id, name: 'Alice deal' } })).data.createOpportunity.opportunity

  await t.test('a sales rep owns what they open; a team mate sees and moves it', async (t) => {
    t.equal(deal.owner.id, alice.userId)
    const seen = await ctx.gql(bob.token, 'query($id: ID!) { opportunity(id: $id) { name } }', { id: deal.id })
    t.equal(seen.data.opportunity.name, 'Alice deal')
    const moved = await ctx.rest(bob.token, 'POST', `/api/v1/opportunities/${deal.id}/stage`, { stage: 'needs_assessment' })
    t.equal(moved.statusCode, 200)
  })

  await t.test("another team's rep gets null / 404 and cannot write it", async (t) => {
    const g = await ctx.gql(carol.token, 'query($id: ID!) { opportunity(id: $id) { name } }', { id: deal.id })
    t.equal(g.data.opportunity, null)
    t.notOk(g.errors)
    t.equal((await ctx.rest(carol.token, 'GET', `/api/v1/opportunities/${deal.id}`)).statusCode, 404)
    t.equal((await ctx.rest(carol.token, 'PATCH', `/api/v1/opportunities/${deal.id}`, { name: 'Hijack' })).statusCode, 404)
    t.equal((await ctx.rest(carol.token, 'POST', `/api/v1/opportunities/${deal.id}/stage`, { stage: 'won' })).statusCode, 404)
    t.equal((await ctx.rest(carol.token, 'DELETE', `/api/v1/opportunities/${deal.id}`)).statusCode, 404)
    const move = await ctx.gql(carol.token, 'mutation($id: ID!) { moveOpportunityStage(id: $id, stage: won) { userErrors { code } } }', { id: deal.id })
    t.equal(move.errors?.[0].extensions?.code, 'NOT_FOUND')
    const list = await ctx.gql(carol.token, '{ opportunities(first: 200) { totalCount edges { node { id } } } }')
    t.equal(list.data.opportunities.totalCount, 0)
  })

  await t.test("a sales rep cannot open a deal on a customer outside their reach, or give one to another team", async (t) => {
    const r = await ctx.gql(carol.token, CREATE, { i: { customerId: aliceCustomer.id, name: 'Poach' } })
    t.match(r.data.createOpportunity.userErrors, [{ field: 'customerId', code: 'UNKNOWN_CUSTOMER' }])
    const gift = await ctx.gql(alice.token, CREATE, { i: { customerId: aliceCustomer.id, name: 'Gift', ownerId: carol.userId } })
    t.equal(gift.errors?.[0].extensions?.code, 'FORBIDDEN')
  })

  await t.test('marketing reads opportunities but cannot write them', async (t) => {
    const g = await ctx.gql(marketing.token, 'query($id: ID!) { opportunity(id: $id) { name } }', { id: deal.id })
    t.equal(g.data.opportunity.name, 'Alice deal')
    const w = await ctx.gql(marketing.token, CREATE, { i: { customerId: aliceCustomer.id, name: 'No' } })
    t.equal(w.errors?.[0].extensions?.code, 'FORBIDDEN')
  })

  await t.test('Customer.opportunities and every Opportunity relation cost the same queries for 1 or 20 customers', async (t) => {
    const tag = `batch-${ctx.kind}`
    for (let i = 0; i < 20; i++) {
      const c = (await ctx.gql(alice.token, CUSTOMER, { i: { name: `Batch ${i}`, tags: [tag] } })).data.createCustomer.customer
      for (let j = 0; j < 3; j++) {
        const o = (await ctx.gql(alice.token, CREATE, { i: { customerId: c.id, name: `Deal ${i}.${j}` } })).data.createOpportunity.opportunity
        if (j === 0) await ctx.rest(alice.token, 'POST', `/api/v1/opportunities/${o.id}/stage`, { stage: 'proposal' })
      }
    }
    const query = `query($n: Int!, $tags: [String!]) { customers(first: $n, filter: { tags: $tags }) { edges { node { id
      opportunities(first: 2) { id name customer { id } owner { id } campaign { id } stageHistory { from to changedBy { id } } } } } } }`
    const run = async (n: number) => {
      const before = ctx.queries
      const r = await ctx.gql(alice.token, query, { n, tags: [tag] })
      t.notOk(r.errors)
      return { queries: ctx.queries - before, edges: r.data.customers.edges }
    }
    const one = await run(1)
    const twenty = await run(20)
    t.equal(twenty.edges.length, 20)
    t.equal(twenty.queries, one.queries, `${one.queries} queries either way`)
    for (const e of twenty.edges) {
      t.equal(e.node.opportunities.length, 2, 'first: 2 per customer')
      t.ok(e.node.opportunities.every((o: { customer: { id: string } }) => o.customer.id === e.node.id))
    }
    t.same(twenty.edges[0].node.opportunities.map((o: { name: string }) => o.name), ['Deal 19.2', 'Deal 19.1'], 'newest first')
    const carolView = await ctx.gql(carol.token, query, { n: 20, tags: [tag] })
    t.equal(carolView.data.customers.edges.length, 0)
  })
})
