import t from 'tap'
import { forEachDatabase } from '../../helper.js'
import { createCustomer, referrerToken, createReferrer, shanghai } from './leaderboard-kpis-support.js'
import { clearService, insertWorld, surveysOf } from './service-data.js'

const Q = 'query($p: ReportPeriodInput) { serviceSatisfaction(period: $p) { totals { ticketsCreated responses csat nps } byAgent { key label } byCategory { key label } backlog { total } } }'
const BASE = shanghai('2026-06-01')
const period = { from: '2026-05-25T00:00:00+08:00', to: '2026-06-05T00:00:00+08:00' }

/** One CSAT 5 by the team's agent, one NPS 3 about another team's customer; two tickets, one queued for the team. */
const world = {
  tickets: [
    { customer: 0, assignee: 1, queued: false, category: 1, channel: 0, created: { day: -1, ms: 0 }, firstResponse: null, resolution: null, status: 0, deleted: false, changes: [] },
    { customer: 1, assignee: null, queued: true, category: 0, channel: 1, created: { day: -2, ms: 0 }, firstResponse: null, resolution: null, status: 1, deleted: false, changes: [] },
    { customer: 1, assignee: 2, queued: false, category: 0, channel: 1, created: { day: -2, ms: 0 }, firstResponse: null, resolution: null, status: 1, deleted: false, changes: [] }
  ],
  invitations: [
    { customer: 0, agent: 1, ticket: 0, kind: 'csat', sent: { day: 0, ms: 0 }, answer: { afterHours: 1, score: 4 } },
    { customer: 1, agent: 2, ticket: null, kind: 'nps', sent: { day: 0, ms: 0 }, answer: { afterHours: 1, score: 3 } }
  ]
}

void forEachDatabase(t, async (t, ctx) => {
  const team = await ctx.createTeam()
  const manager = await ctx.staff('manager', { teamId: team })
  const agent = await ctx.staff('service', { teamId: team, name: '客服小王' })
  const other = await ctx.staff('sales')
  const customers = [await createCustomer(ctx, { ownerId: manager.userId }), await createCustomer(ctx, { ownerId: other.userId })]
  await clearService(ctx)
  await insertWorld(ctx, world as never, BASE, customers, [manager.userId, agent.userId, other.userId], team, await surveysOf(ctx))
  const run = async (token: string) => {
    const r = await ctx.gql(token, Q, { p: period })
    if (r.errors) throw new Error(JSON.stringify(r.errors))
    return r.data.serviceSatisfaction
  }

  await t.test('admin, marketing, service and integration see everything', async (t) => {
    for (const token of [ctx.adminToken, (await ctx.staff('marketing')).token, await ctx.keyToken('service'), await ctx.keyToken('integration')]) {
      const r = await run(token)
      t.same(r.totals, { ticketsCreated: 3, responses: 2, csat: 1, nps: -100 })
      t.equal(r.backlog.total, 3)
    }
    const r = await run(ctx.adminToken)
    t.ok(r.byAgent.some((a: { key: string; label: string }) => a.key === agent.userId && a.label === '客服小王'), 'agents are named')
    t.ok(r.byCategory.some((c: { key: string; label: string }) => c.key === 'complaint' && c.label === '投诉'), 'categories are named')
  })

  await t.test('a manager sees the tickets assigned to or queued for the team and of its customers, the answers of its agents and customers', async (t) => {
    const r = await run(manager.token)
    t.same(r.totals, { ticketsCreated: 2, responses: 1, csat: 1, nps: null })
    t.equal(r.backlog.total, 2)
  })

  await t.test('a rep outside the team sees only their own', async (t) => {
    const r = await run(other.token)
    t.same(r.totals, { ticketsCreated: 2, responses: 1, csat: null, nps: -100 })
  })

  await t.test('referrer tokens may not read it; a bad period is a typed error, never a 500', async (t) => {
    const token = await referrerToken(ctx, (await createReferrer(ctx)).id)
    const g = await ctx.gql(token, Q, {})
    t.equal(g.errors?.[0]?.extensions?.code, 'FORBIDDEN')
    t.equal((await ctx.rest(token, 'GET', '/api/v1/analytics/service-satisfaction')).statusCode, 403)
    const bad = await ctx.rest(ctx.adminToken, 'GET', '/api/v1/analytics/service-satisfaction?from=2026-06-05&to=2026-06-01')
    t.equal(bad.statusCode, 400)
    t.match(bad.body, /from/)
    const inline = await ctx.gql(ctx.adminToken, '{ serviceSatisfaction(period: { from: "2026-06-05T00:00:00+08:00", to: "2026-06-01T00:00:00+08:00" }) { totals { csat } } }')
    t.equal(inline.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT')
    t.match(JSON.stringify(inline.errors), /from/)
    t.equal((await ctx.rest(ctx.adminToken, 'GET', '/api/v1/analytics/service-satisfaction?bucket=year')).statusCode, 400)
    t.equal((await ctx.rest(null, 'GET', '/api/v1/analytics/service-satisfaction')).statusCode, 401)
  })

  await t.test('CSV: one row per figure set, backlog rows after', async (t) => {
    const res = await ctx.rest(ctx.adminToken, 'GET', `/api/v1/analytics/service-satisfaction?from=${encodeURIComponent(period.from)}&to=${encodeURIComponent(period.to)}&format=csv`)
    t.equal(res.statusCode, 200)
    t.match(res.headers['content-type'], /text\/csv/)
    t.match(res.body, /^\uFEFFsection,key,label,invitationsSent/)
    t.match(res.body, /\r\nbacklog_status,open,open,/)
  })
})
