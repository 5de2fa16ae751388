import t from 'tap'
import { forEachDatabase } from '../../helper.js'

const CREATE = `mutation($i: CreateLeadInput!) { createLead(input: $i) { lead { id phone email owner { id } } userErrors { field code } } }`
const GET = 'query($id: ID!) { lead(id: $id) { id name } }'
const ASSIGN = 'mutation($id: ID!, $o: ID) { assignLead(id: $id, ownerId: $o) { lead { owner { id } } userErrors { field code } } }'
type Edge = { node: { name: string } }

await forEachDatabase(t, async (t, ctx) => {
  const north = await ctx.createTeam('North')
  const south = await ctx.createTeam('South')
  const alice = await ctx.staff('sales', { teamId: north, name: 'Alice' })
  const bob = await ctx.staff('sales', { teamId: north, name: 'Bob' })
  const carol = await ctx.staff('sales', { teamId: south, name: 'Carol' })
  const marketing = await ctx.staff('marketing', { teamId: south })

  const mine = await ctx.gql(alice.token, CREATE, { i: { source: 'referral', name: 'Alice lead', phone: '13600001111', email: 'lead@example.com' } })
  const aliceLead = mine.data.createLead.lead
  const pool = await ctx.gql(ctx.adminToken, CREATE, { i: { source: 'import', name: 'Pool lead', ownerId: null } })
  const poolLead = pool.data.createLead.lead

  await t.test('a sales rep owns the lead they create; a team mate sees it', async (t) => {
    t.equal(aliceLead.owner.id, alice.userId)
    const r = await ctx.gql(bob.token, GET, { id: aliceLead.id })
    t.equal(r.data.lead.name, 'Alice lead')
  })

  await t.test("another team's rep gets null / 404 for the lead, never a hint", async (t) => {
    const r = await ctx.gql(carol.token, GET, { id: aliceLead.id })
    t.equal(r.data.lead, null)
    t.notOk(r.errors)
    const rest = await ctx.rest(carol.token, 'GET', `/api/v1/leads/${aliceLead.id}`)
    t.equal(rest.statusCode, 404)
    const missing = await ctx.rest(carol.token, 'GET', '/api/v1/leads/01900000-0000-7000-8000-000000000000')
    t.equal(missing.json().code, rest.json().code)
  })

  await t.test("another team's rep cannot change, move, assign or delete the lead", async (t) => {
    t.equal((await ctx.rest(carol.token, 'PATCH', `/api/v1/leads/${aliceLead.id}`, { company: 'Hijack' })).statusCode, 404)
    t.equal((await ctx.rest(carol.token, 'POST', `/api/v1/leads/${aliceLead.id}/status`, { status: 'contacted' })).statusCode, 404)
    t.equal((await ctx.rest(carol.token, 'POST', `/api/v1/leads/${aliceLead.id}/assign`, { ownerId: carol.userId })).statusCode, 404)
    t.equal((await ctx.rest(carol.token, 'DELETE', `/api/v1/leads/${aliceLead.id}`)).statusCode, 404)
    const gql = await ctx.gql(carol.token, ASSIGN, { id: aliceLead.id, o: carol.userId })
    t.equal(gql.errors?.[0].extensions?.code, 'NOT_FOUND')
  })

  await t.test('a sales rep cannot assign a lead outside their team: FORBIDDEN, nothing changes', async (t) => {
    const r = await ctx.gql(alice.token, ASSIGN, { id: aliceLead.id, o: carol.userId })
    t.equal(r.errors?.[0].extensions?.code, 'FORBIDDEN')
    const rest = await ctx.rest(alice.token, 'POST', `/api/v1/leads/${aliceLead.id}/assign`, { ownerId: carol.userId })
    t.equal(rest.statusCode, 403)
    const created = await ctx.gql(alice.token, CREATE, { i: { source: 'x', name: 'Gift', ownerId: carol.userId } })
    t.equal(created.errors?.[0].extensions?.code, 'FORBIDDEN')
    const still = await ctx.rest(alice.token, 'GET', `/api/v1/leads/${aliceLead.id}`)
    t.equal(still.json().ownerId, alice.userId)
    const events = await ctx.sql('select id from outbox_events where entity_id = $1 and type = $2', [aliceLead.id, 'lead.assigned'])
    t.equal(events.length, 1, 'only the assignment at creation')
  })

  await t.test('a sales rep can hand a lead to a team mate', async (t) => {
    const r = await ctx.gql(alice.token, ASSIGN, { id: aliceLead.id, o: bob.userId })
    t.equal(r.data.assignLead.lead.owner.id, bob.userId)
  })

  await t.test('unowned leads are hidden from sales but visible to admin and marketing', async (t) => {
    t.equal((await ctx.gql(alice.token, GET, { id: poolLead.id })).data.lead, null)
    const list = await ctx.gql(alice.token, '{ leads(first: 200) { totalCount edges { node { name } } } }')
    t.notOk(list.data.leads.edges.some((e: Edge) => e.node.name === 'Pool lead'))
    t.equal(list.data.leads.totalCount, list.data.leads.edges.length)
    t.equal((await ctx.gql(marketing.token, GET, { id: poolLead.id })).data.lead.name, 'Pool lead')
    t.equal((await ctx.gql(ctx.adminToken, GET, { id: poolLead.id })).data.lead.name, 'Pool lead')
  })

  await t.test("lists show a rep only their team's leads", async (t) => {
    await ctx.gql(carol.token, CREATE, { i: { source: 'x', name: 'Carol lead' } })
    const list = await ctx.gql(carol.token, '{ leads(first: 200) { edges { node { name } } } }')
    t.same(list.data.leads.edges.map((e: Edge) => e.node.name), ['Carol lead'])
  })

  await t.test('marketing reads leads with contact data masked and cannot write', async (t) => {
    const r = await ctx.gql(marketing.token, 'query($id: ID!) { lead(id: $id) { phone email } }', { id: aliceLead.id })
    t.same(r.data.lead, { phone: '136****1111', email: 'l***@example.com' })
    const w = await ctx.gql(marketing.token, CREATE, { i: { source: 'x', name: 'Nope' } })
    t.equal(w.errors?.[0].extensions?.code, 'FORBIDDEN')
  })

  await t.test('phone and email are stored encrypted, never in clear', async (t) => {
    const [row] = await ctx.sql<{ phone_enc: string; phone_masked: string }>('select phone_enc, phone_masked from leads where id = $1', [aliceLead.id])
    t.notMatch(row.phone_enc, /13600001111/)
    t.equal(row.phone_masked, '136****1111')
  })
})
