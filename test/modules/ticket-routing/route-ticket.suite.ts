import t from 'tap'
import { routeTicket } from '../../../src/modules/tickets/routing/ticket-routing.router.js'
import { forEachDatabase } from '../../helper.js'

const CREATE = 'mutation($i: CreateTicketRoutingRuleInput!) { createTicketRoutingRule(input: $i) { rule { id } userErrors { field code } } }'

await forEachDatabase(t, async (t, ctx) => {
  const admin = ctx.adminToken
  const senior = await ctx.createTeam('Senior queue')
  const empty = await ctx.createTeam('Empty queue')
  const seniors = [await ctx.staff('service', { teamId: senior }), await ctx.staff('service', { teamId: senior }), await ctx.staff('service', { teamId: senior })]
  await ctx.staff('manager', { teamId: senior })
  const off = await ctx.staff('service', { teamId: senior })
  await ctx.gql(admin, 'mutation($id: ID!) { updateUser(id: $id, input: { active: false }) { userErrors { code } } }', { id: off.userId })
  const ids = seniors.map((s) => s.userId)
  await ctx.gql(admin, CREATE, { i: { name: 'A tier', priority: 10, customerTiers: ['A'], queueTeamId: senior } })
  await ctx.gql(admin, CREATE, { i: { name: 'Repairs wait', priority: 20, categories: ['repair'], queueTeamId: empty } })
  const route = (facts: { category: string; priority: string; channel: string; customerTier: string | null }) =>
    ctx.app.db.transaction((tx) => routeTicket(tx, facts))
  const A = { category: 'general', priority: 'high', channel: 'phone', customerTier: 'A' }

  await t.test('routeTicket in a transaction: an A-tier ticket joins the senior queue, round robin over its active agents', async (t) => {
    const got = []
    for (let i = 0; i < 6; i++) got.push(await route(A))
    t.match(got[0], { queueTeamId: senior, via: 'rule:A tier', ruleId: /./, explanation: /rule "A tier" matched/ })
    const assignees = got.map((g) => g.assigneeId)
    t.same(assignees, [...[...ids].sort(), ...[...ids].sort()], 'each active agent in turn, the inactive one and the manager never')
    const [rotation] = await ctx.sql<{ last: string }>('select last_user_id as last from team_rotations where rotation = $1', [`ticket:${senior}`])
    t.equal(rotation.last, assignees.at(-1))
    t.same(await ctx.sql('select rotation from team_rotations where rotation = $1', [senior]), [], 'the lead rotation of the team is untouched')
  })

  await t.test('a queue with nobody to take the ticket holds it; no match goes to the global rotation', async (t) => {
    t.match(await route({ ...A, customerTier: 'B', category: 'repair' }), { assigneeId: null, queueTeamId: empty, via: 'rule:Repairs wait', explanation: /waits in the queue/ })
    const g = await route({ ...A, customerTier: null })
    t.match(g, { queueTeamId: null, via: 'round_robin:global' })
    t.ok(g.assigneeId)
  })

  await t.test('a rolled-back ticket does not move the rotation', async (t) => {
    const before = await ctx.sql<{ last: string }>('select last_user_id as last from team_rotations where rotation = $1', [`ticket:${senior}`])
    await ctx.app.db.transaction(async (tx) => {
      await routeTicket(tx, A)
      tx.rollback()
    }).catch(() => {})
    t.same(await ctx.sql('select last_user_id as last from team_rotations where rotation = $1', [`ticket:${senior}`]), before)
  })

  await t.test('concurrent tickets in one queue take turns: ten at once spread evenly', async (t) => {
    const got = await Promise.all(Array.from({ length: 9 }, () => route(A)))
    const counts = new Map<string, number>()
    for (const g of got) counts.set(g.assigneeId!, (counts.get(g.assigneeId!) ?? 0) + 1)
    t.same([...counts.values()], [3, 3, 3], 'three each')
  })
})
