import t from 'tap'
import { forEachDatabase } from '../../helper.js'
import { customer, move, openTicket, STATUS } from './ticket-fixtures.js'

const GET = 'query($id: ID!) { ticket(id: $id) { id } }'
const LIST = 'query { tickets(first: 200) { totalCount edges { node { id } } } }'
const ids = (r: { data: Record<string, any> }): string[] => r.data.tickets.edges.map((e: { node: { id: string } }) => e.node.id)

await forEachDatabase(t, async (t, ctx) => {
  const teamA = await ctx.createTeam()
  const teamB = await ctx.createTeam()
  const repA = await ctx.staff('sales', { teamId: teamA })
  const repB = await ctx.staff('sales', { teamId: teamB })
  const agentA = await ctx.staff('service', { teamId: teamA })
  const agentB = await ctx.staff('service', { teamId: teamB })
  const managerA = await ctx.staff('manager', { teamId: teamA })
  const marketing = await ctx.staff('marketing')
  const integration = await ctx.keyToken('integration')

  const customerA = await customer(ctx, repA.token, 'A组客户')
  const customerB = await customer(ctx, repB.token, 'B组客户')
  const a = (await openTicket(ctx, agentA.token, { customerId: customerA, assigneeId: agentB.userId })).ticket
  const queuedA = (await openTicket(ctx, integration, { customerId: customerB, queueTeamId: teamA })).ticket
  const b = (await openTicket(ctx, integration, { customerId: customerB, assigneeId: agentB.userId })).ticket

  await t.test('service works every ticket', async (t) => {
    t.same(ids(await ctx.gql(agentA.token, LIST)).sort(), [a.id, queuedA.id, b.id].sort())
    t.same((await move(ctx, agentA.token, b.id, 'in_progress')).userErrors, [])
  })

  await t.test("a sales rep reads the tickets of customers they may see, and changes none", async (t) => {
    t.same(ids(await ctx.gql(repA.token, LIST)), [a.id])
    t.equal((await ctx.gql(repA.token, GET, { id: b.id })).data.ticket, null)
    t.equal((await ctx.rest(repA.token, 'GET', `/api/v1/tickets/${b.id}`)).statusCode, 404)
    const change = await ctx.gql(repA.token, STATUS, { id: a.id, i: { status: 'in_progress' } })
    t.equal(change.errors?.[0]?.extensions?.code, 'FORBIDDEN')
    t.equal((await ctx.rest(repA.token, 'POST', '/api/v1/tickets', { customerId: customerA, channel: 'web', category: 'general', subject: 'x' })).statusCode, 403)
    const viaCustomer = await ctx.gql(repA.token, 'query($id: ID!) { customer(id: $id) { tickets { id } } }', { id: customerA })
    t.same(viaCustomer.data.customer.tickets.map((x: { id: string }) => x.id), [a.id])
    for (const first of [-1, 201]) {
      const bad = await ctx.gql(repA.token, `query($id: ID!) { customer(id: $id) { tickets(first: ${first}) { id } } }`, { id: customerA })
      t.equal(bad.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', `first: ${first}`)
    }
  })

  await t.test("a manager sees the team's tickets: assigned to a team mate or queued for the team", async (t) => {
    t.same(ids(await ctx.gql(managerA.token, LIST)), [queuedA.id])
    t.equal((await ctx.rest(managerA.token, 'GET', `/api/v1/tickets/${b.id}`)).statusCode, 404)
    const steal = await ctx.rest(managerA.token, 'PATCH', `/api/v1/tickets/${queuedA.id}`, { assigneeId: agentB.userId })
    t.equal(steal.statusCode, 403, 'may not hand a ticket to another team')
    const keep = await ctx.rest(managerA.token, 'PATCH', `/api/v1/tickets/${queuedA.id}`, { assigneeId: agentA.userId })
    t.equal(keep.statusCode, 200)
  })

  await t.test('marketing reads every ticket but changes none; a referrer token reaches no ticket', async (t) => {
    t.equal((await ctx.gql(marketing.token, LIST)).data.tickets.totalCount, 3)
    t.equal((await ctx.rest(marketing.token, 'POST', `/api/v1/tickets/${a.id}/status`, { status: 'resolved' })).statusCode, 403)
    const referrer = await ctx.rest(integration, 'POST', '/api/v1/referrers', { name: '推荐人', kind: 'partner' })
    const token = await ctx.rest(integration, 'POST', '/api/v1/auth/referrer-token', { referrerId: referrer.json().id })
    const r = await ctx.rest(token.json().accessToken, 'GET', '/api/v1/tickets')
    t.equal(r.statusCode, 403)
  })
})
