import t from 'tap'
import { forEachDatabase } from '../../helper.js'
import { customer, move, openTicket, roundTheClock } from './ticket-fixtures.js'

const LIST = 'query($f: TicketFilter, $o: TicketOrder, $n: Int, $a: String) { tickets(first: $n, after: $a, filter: $f, orderBy: $o) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }'
const ids = (r: { data: Record<string, any> }): string[] => r.data.tickets.edges.map((e: { node: { id: string } }) => e.node.id)

await forEachDatabase(t, async (t, ctx) => {
  await roundTheClock(ctx)
  const integration = await ctx.keyToken('integration')
  const agent = await ctx.staff('service')
  const team = await ctx.createTeam()
  const customerId = await customer(ctx, integration)
  const other = await customer(ctx, integration)
  const urgent = (await openTicket(ctx, integration, { customerId, priority: 'urgent', channel: 'email', category: 'complaint', subject: '投诉：送货太慢' })).ticket
  const queued = (await openTicket(ctx, integration, { customerId, queueTeamId: team, subject: '安装预约 100%_' })).ticket
  const assigned = (await openTicket(ctx, integration, { customerId: other, assigneeId: agent.userId })).ticket
  await move(ctx, agent.token, assigned.id, 'resolved')
  await ctx.sql('update tickets set first_response_breached_at = now() where id = $1', [urgent.id])

  await t.test('filters, inline and as variables, and the same over REST', async (t) => {
    const cases: Array<[Record<string, unknown>, string, string[]]> = [
      [{ status: ['resolved'] }, 'status=resolved', [assigned.id]],
      [{ priority: ['urgent'] }, 'priority=urgent', [urgent.id]],
      [{ channel: ['email'] }, 'channel=email', [urgent.id]],
      [{ category: ['complaint'] }, 'category=complaint', [urgent.id]],
      [{ customerId: other }, `customerId=${other}`, [assigned.id]],
      [{ queueTeamId: team }, `queueTeamId=${team}`, [queued.id]],
      [{ assigneeId: agent.userId }, `assigneeId=${agent.userId}`, [assigned.id, urgent.id]],
      [{ unassigned: true }, 'unassigned=true', [queued.id]],
      [{ unassigned: false }, 'unassigned=false', [assigned.id, urgent.id]],
      [{ breached: true }, 'breached=true', [urgent.id]],
      [{ breached: false }, 'breached=false', [assigned.id, queued.id]],
      [{ search: '100%_' }, `search=${encodeURIComponent('100%_')}`, [queued.id]],
      [{ search: '%' }, 'search=%25', [queued.id]]
    ]
    for (const [filter, query, want] of cases) {
      const vars = await ctx.gql(agent.token, LIST, { f: filter, n: 50 })
      t.same(ids(vars).sort(), [...want].sort(), `vars ${JSON.stringify(filter)}`)
      const [key, value] = Object.entries(filter)[0]
      const lit = Array.isArray(value) ? `[${value.map((v) => (key === 'category' ? JSON.stringify(v) : v)).join(',')}]` : JSON.stringify(value)
      const inline = await ctx.gql(agent.token, `query { tickets(first: 50, filter: { ${key}: ${lit} }) { edges { node { id } } } }`)
      t.same(ids(inline).sort(), [...want].sort(), `inline ${key}`)
      const rest = await ctx.rest(agent.token, 'GET', `/api/v1/tickets?${query}`)
      t.same(rest.json().data.map((x: { id: string }) => x.id).sort(), [...want].sort(), `REST ${query}`)
    }
  })

  await t.test('keyset pages walk every ticket once, in both directions', async (t) => {
    for (const direction of ['ASC', 'DESC']) {
      const seen: string[] = []
      let after: string | null = null
      for (;;) {
        const r: { data: Record<string, any> } = await ctx.gql(agent.token, LIST, { n: 1, a: after, o: { field: 'createdAt', direction } })
        seen.push(...ids(r))
        t.equal(r.data.tickets.totalCount, 3)
        if (!r.data.tickets.pageInfo.hasNextPage) break
        after = r.data.tickets.pageInfo.endCursor
      }
      t.same(seen, direction === 'ASC' ? [urgent.id, queued.id, assigned.id] : [assigned.id, queued.id, urgent.id])
    }
  })

  await t.test('bad filters are typed errors', async (t) => {
    t.equal((await ctx.rest(agent.token, 'GET', '/api/v1/tickets?status=done')).statusCode, 400)
    t.equal((await ctx.rest(agent.token, 'GET', '/api/v1/tickets?limit=201')).statusCode, 400)
    t.equal((await ctx.rest(agent.token, 'GET', '/api/v1/tickets?customerId=nope')).statusCode, 400)
    const r = await ctx.gql(agent.token, LIST, { f: { customerId: 'nope' } })
    t.equal(r.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT')
  })
})
