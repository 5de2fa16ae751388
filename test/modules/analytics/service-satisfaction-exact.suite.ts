import t from 'tap'
import fc from 'fast-check'
import { forEachDatabase } from '../../helper.js'
import { createCustomer, parseCsv, shanghai } from './leaderboard-kpis-support.js'
import { DAY, clearService, insertWorld, surveysOf, worldArb } from './service-data.js'
import { loadData, modelBacklog, modelFigures, type Scope } from './service-model.js'

const BASE = shanghai('2026-06-01')
const RUNS = Number(process.env.ANALYTICS_RUNS ?? 5)
const STATS = '{ count medianMinutes p90Minutes }'
const SLA = '{ ended met compliance }'
const FIGURES = `{ invitationsSent invitationsAnswered responseRate responses csatAnswers csatSatisfied csat npsAnswers promoters passives detractors nps
  ticketsCreated ticketsResolved firstResponse ${STATS} resolution ${STATS} slaFirstResponse ${SLA} slaResolution ${SLA} slaCompliance }`
const GROUP = `{ key label figures ${FIGURES} }`
const QUERY = `query($p: ReportPeriodInput) { serviceSatisfaction(period: $p) { period { from to previousFrom previousTo }
  totals ${FIGURES} buckets ${GROUP} byAgent ${GROUP} byCategory ${GROUP} byChannel ${GROUP} previous ${FIGURES}
  backlog { asOf total byStatus { status count } byAge { key minDays maxDays count } } } }`

const localDay = (d: Date) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(d)

/** Deep equality with numbers compared to 1e-9 (percentiles and rates are floating point). */
function same(t: any, got: unknown, want: unknown, path: string): void {
  if (typeof want === 'number' && typeof got === 'number') {
    t.ok(Math.abs(got - want) <= 1e-9 * Math.max(1, Math.abs(want)), `${path}: ${got} ≈ ${want}`)
    return
  }
  if (want !== null && typeof want === 'object') {
    if (got === null || typeof got !== 'object') { t.fail(`${path}: ${JSON.stringify(got)} is not ${JSON.stringify(want)}`); return }
    for (const k of Object.keys(want)) same(t, (got as Record<string, unknown>)[k], (want as Record<string, unknown>)[k], `${path}.${k}`)
    return
  }
  t.equal(got, want, path)
}

/** Run first, so the interesting cases are reached whatever the random runs draw. */
const everyCase = {
  tickets: [
    { customer: 0, assignee: 0, queued: false, category: 0, channel: 0, created: { day: -1, ms: 0 }, firstResponse: { afterHours: 2, minutes: 30, target: true, breached: false }, resolution: { afterHours: 30, minutes: 700, target: true, breached: true }, status: 3, deleted: false, changes: [{ afterHours: 1, status: 1 }, { afterHours: 30, status: 3 }] },
    { customer: 3, assignee: 3, queued: true, category: 1, channel: 1, created: { day: -3, ms: 0 }, firstResponse: { afterHours: 5, minutes: 90, target: true, breached: true }, resolution: null, status: 2, deleted: false, changes: [{ afterHours: 100, status: 2 }] },
    { customer: 1, assignee: null, queued: false, category: 2, channel: 2, created: { day: -12, ms: 0 }, firstResponse: null, resolution: null, status: 0, deleted: false, changes: [] },
    { customer: 2, assignee: 2, queued: false, category: 0, channel: 3, created: { day: 0, ms: -1 }, firstResponse: { afterHours: 0, minutes: 0, target: false, breached: false }, resolution: { afterHours: 3, minutes: 120, target: true, breached: false }, status: 4, deleted: true, changes: [] }
  ],
  invitations: [
    { customer: 0, agent: 0, ticket: 0, kind: 'csat', sent: { day: 0, ms: 0 }, answer: { afterHours: 1, score: 4 } },
    { customer: 3, agent: 3, ticket: 1, kind: 'csat', sent: { day: -1, ms: 5 }, answer: { afterHours: 1, score: 0 } },
    { customer: 1, agent: null, ticket: null, kind: 'nps', sent: { day: 1, ms: 0 }, answer: { afterHours: 2, score: 10 } },
    { customer: 2, agent: 2, ticket: null, kind: 'nps', sent: { day: 1, ms: 0 }, answer: { afterHours: 2, score: 3 } },
    { customer: 2, agent: 1, ticket: null, kind: 'nps', sent: { day: -2, ms: 0 }, answer: { afterHours: 200, score: 7 } },
    { customer: 0, agent: 1, ticket: 2, kind: 'csat', sent: { day: 2, ms: 0 }, answer: null },
    { customer: 0, agent: 1, ticket: null, kind: 'csat', sent: null, answer: null }
  ]
}

void forEachDatabase(t, async (t, ctx) => {
  const team = await ctx.createTeam()
  const manager = await ctx.staff('manager', { teamId: team })
  const agent = await ctx.staff('service', { teamId: team })
  const outsider = await ctx.staff('sales')
  const otherAgent = await ctx.staff('service')
  const users = [manager.userId, agent.userId, outsider.userId, otherAgent.userId]
  const customers = [
    await createCustomer(ctx, { ownerId: manager.userId }), await createCustomer(ctx, { ownerId: outsider.userId }),
    await createCustomer(ctx, {}), await createCustomer(ctx, { ownerId: agent.userId })
  ]
  const surveys = await surveysOf(ctx)
  const teamScope: Scope = { owners: new Set([manager.userId, agent.userId]), teamId: team }

  const compare = async (t: any, token: string, scope: Scope, from: Date, to: Date, bucket: 'day' | 'month', label: string) => {
    const data = await loadData(ctx)
    const p = { from: from.toISOString(), to: to.toISOString(), bucket, compare: true }
    const r = await ctx.gql(token, QUERY, { p })
    if (r.errors) throw new Error(JSON.stringify(r.errors))
    const got = r.data.serviceSatisfaction
    const inline = await ctx.gql(token, QUERY.replace('query($p: ReportPeriodInput) { serviceSatisfaction(period: $p)',
      `{ serviceSatisfaction(period: { from: "${p.from}", to: "${p.to}", bucket: ${bucket}, compare: true })`))
    t.same(inline.data.serviceSatisfaction, got, `${label}: inline arguments answer the same`)
    const rest = await ctx.rest(token, 'GET', `/api/v1/analytics/service-satisfaction?from=${encodeURIComponent(p.from)}&to=${encodeURIComponent(p.to)}&bucket=${bucket}&compare=true`)
    t.equal(rest.statusCode, 200, `${label}: REST answers`)
    same(t, rest.json().totals, got.totals, `${label} REST totals`)
    same(t, got.totals, modelFigures(data, from, to, scope), `${label} totals`)
    same(t, got.previous, modelFigures(data, new Date(2 * from.getTime() - to.getTime()), from, scope), `${label} previous`)
    const bucketOf = ({ at }: { at: Date }) => (bucket === 'day' ? localDay(at) : `${localDay(at).slice(0, 8)}01`)
    for (const b of got.buckets) same(t, b.figures, modelFigures(data, from, to, scope, { dim: bucketOf, key: b.key }), `${label} bucket ${b.key}`)
    const sumCreated = got.buckets.reduce((s: number, b: any) => s + b.figures.ticketsCreated, 0)
    t.equal(sumCreated, got.totals.ticketsCreated, `${label}: the buckets add up`)
    const groups = [
      ['byAgent', ({ agent }: { agent: string | null }) => agent],
      ['byCategory', ({ ticket }: { ticket: any }) => ticket?.category ?? null],
      ['byChannel', ({ ticket }: { ticket: any }) => ticket?.channel ?? null]
    ] as const
    const counts = ['ticketsCreated', 'ticketsResolved', 'invitationsSent', 'responses'] as const
    for (const [name, dim] of groups) {
      for (const g of got[name]) same(t, g.figures, modelFigures(data, from, to, scope, { dim, key: g.key }), `${label} ${name} ${g.key}`)
      // Every fact lies in exactly one group of a dimension: the groups listed add up to the totals.
      for (const c of counts) t.equal(got[name].reduce((s: number, g: any) => s + g.figures[c], 0), got.totals[c], `${label} ${name} add up to ${c}`)
    }
    const csv = parseCsv((await ctx.rest(token, 'GET', `/api/v1/analytics/service-satisfaction?from=${encodeURIComponent(p.from)}&to=${encodeURIComponent(p.to)}&bucket=${bucket}&format=csv`)).body)
    const total = csv.find((row) => row.section === 'total')!
    t.equal(Number(total.ticketsCreated), got.totals.ticketsCreated, `${label} CSV ticketsCreated`)
    t.equal(total.csat === '' ? null : Number(total.csat), got.totals.csat, `${label} CSV csat`)
    // kpis.satisfaction is the same CSAT, beside the previous period's.
    const k = await ctx.gql(token, 'query($p: ReportPeriodInput) { kpis(period: $p) { satisfaction { value previous } } }', { p: { from: p.from, to: p.to } })
    same(t, k.data.kpis.satisfaction, { value: got.totals.csat, previous: got.previous.csat }, `${label} kpis.satisfaction`)
    const asOf = new Date(got.backlog.asOf)
    t.equal(asOf.toISOString(), to.toISOString(), `${label}: a past period's backlog is as of its end`)
    same(t, got.backlog, modelBacklog(data, asOf, scope), `${label} backlog`)
  }

  await t.test('the report equals the documented definitions over random tickets, histories, invitations and answers, for each reach', async (t) => {
    let first = true
    await fc.assert(fc.asyncProperty(worldArb, fc.integer({ min: 1, max: 5 }), fc.constantFrom('day' as const, 'month' as const), async (w, days, bucket) => {
      await clearService(ctx)
      await insertWorld(ctx, first ? everyCase as typeof w : w, BASE, customers, users, team, surveys)
      first = false
      const from = new Date(BASE.getTime() - days * DAY); const to = new Date(BASE.getTime() + days * DAY)
      await compare(t, ctx.adminToken, null, from, to, bucket, 'admin')
      await compare(t, manager.token, teamScope, from, to, bucket, 'manager')
    }), { numRuns: RUNS + 1, examples: [[everyCase as never, 3, 'day']] })
  })

  await t.test('the backlog of a period reaching now is of the tickets\' current status', async (t) => {
    await clearService(ctx)
    await insertWorld(ctx, everyCase as never, new Date(Date.now() - 2 * DAY), customers, users, team, surveys)
    const r = await ctx.gql(ctx.adminToken, '{ serviceSatisfaction { backlog { asOf total byStatus { status count } } } }')
    const data = await loadData(ctx)
    const open = data.tickets.filter((x) => !x.deleted_at && ['open', 'in_progress', 'waiting_customer'].includes(x.status))
    t.equal(r.data.serviceSatisfaction.backlog.total, open.length)
    t.ok(Math.abs(new Date(r.data.serviceSatisfaction.backlog.asOf).getTime() - Date.now()) < 60_000, 'as of now')
  })
})
