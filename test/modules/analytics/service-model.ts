import type { TestApp } from '../../helper.js'

/**
 * The service-satisfaction report computed in JavaScript from the base rows, straight from
 * docs/analytics.md ("Service and satisfaction"), independent of the report's SQL.
 * `owners`: the users whose records count (team reach), with the team whose queue counts; null: all.
 */
export type Scope = { owners: Set<string>; teamId: string } | null

export const percentile = (values: number[], p: number): number | null => {
  if (!values.length) return null
  const s = [...values].sort((a, b) => a - b)
  const pos = p * (s.length - 1)
  const lo = Math.floor(pos)
  return lo + 1 < s.length ? s[lo] + (s[lo + 1] - s[lo]) * (pos - lo) : s[lo]
}
const rate = (n: number, d: number) => (d === 0 ? null : n / d)

export type Data = { tickets: any[]; invitations: any[]; responses: any[]; changes: any[]; customers: Map<string, string | null> }

export async function loadData(ctx: TestApp): Promise<Data> {
  const customers = await ctx.sql<any>('select id, owner_id from customers')
  return {
    tickets: await ctx.sql<any>('select t.*, t.channel::text as channel, t.status::text as status from tickets t'),
    invitations: await ctx.sql<any>('select * from survey_invitations'),
    responses: await ctx.sql<any>('select r.*, r.kind::text as kind from survey_responses r'),
    changes: await ctx.sql<any>('select x.*, x.to_status::text as to_status from ticket_status_changes x'),
    customers: new Map(customers.map((c) => [c.id, c.owner_id]))
  }
}

type Dim = (row: { ticket: any | null; agent: string | null; at: Date }) => string | null

export function modelFigures(d: Data, from: Date, to: Date, scope: Scope, group?: { dim: Dim; key: string | null }) {
  const inP = (v: Date | string | null) => v !== null && new Date(v) >= from && new Date(v) < to
  const has = (u: string | null) => u !== null && scope !== null && scope.owners.has(u)
  const ticketIn = (t: any) => !t.deleted_at && (scope === null || has(t.assignee_id) || has(d.customers.get(t.customer_id) ?? null) || t.queue_team_id === scope.teamId)
  const answerIn = (agent: string | null, customer: string) => scope === null || has(agent) || has(d.customers.get(customer) ?? null)
  const ticketOf = (id: string | null) => (id ? d.tickets.find((t) => t.id === id) ?? null : null)
  const inGroup = (ticket: any | null, agent: string | null, at: Date) => !group || group.dim({ ticket, agent, at }) === group.key
  const answers = d.responses.filter((r) => inP(r.answered_at) && answerIn(r.agent_id, r.customer_id) && inGroup(ticketOf(r.ticket_id), r.agent_id, new Date(r.answered_at)))
  const invites = d.invitations.filter((i) => inP(i.sent_at) && answerIn(i.agent_id, i.customer_id) && inGroup(ticketOf(i.ticket_id), i.agent_id, new Date(i.sent_at)))
  const tickets = (at: (t: any) => Date | null) => d.tickets.filter((t) => ticketIn(t) && inP(at(t)) && inGroup(t, t.assignee_id, new Date(at(t)!)))
  const csat = answers.filter((r) => r.kind === 'csat'); const nps = answers.filter((r) => r.kind === 'nps')
  const satisfied = csat.filter((r) => r.score >= 4).length
  const promoters = nps.filter((r) => r.score >= 9).length; const detractors = nps.filter((r) => r.score <= 6).length
  const answered = invites.filter((i) => d.responses.some((r) => r.invitation_id === i.id)).length
  const clock = (list: any[], minutes: string, target: string, breached: string) => {
    const m = list.filter((t) => t[minutes] !== null).map((t) => Number(t[minutes]))
    const ended = list.filter((t) => t[target] !== null)
    const met = ended.filter((t) => t[breached] === null).length
    return { stats: { count: m.length, medianMinutes: percentile(m, 0.5), p90Minutes: percentile(m, 0.9) }, sla: { ended: ended.length, met, compliance: rate(met, ended.length) } }
  }
  const fr = clock(tickets((t) => t.first_responded_at), 'first_response_business_minutes', 'first_response_minutes', 'first_response_breached_at')
  const resolved = tickets((t) => t.resolved_at)
  const res = clock(resolved, 'resolution_business_minutes', 'resolution_minutes', 'resolution_breached_at')
  return {
    invitationsSent: invites.length, invitationsAnswered: answered, responseRate: rate(answered, invites.length),
    responses: answers.length, csatAnswers: csat.length, csatSatisfied: satisfied, csat: rate(satisfied, csat.length),
    npsAnswers: nps.length, promoters, passives: nps.length - promoters - detractors, detractors,
    nps: nps.length ? (100 * (promoters - detractors)) / nps.length : null,
    ticketsCreated: tickets((t) => t.created_at).length, ticketsResolved: resolved.length,
    firstResponse: fr.stats, resolution: res.stats, slaFirstResponse: fr.sla, slaResolution: res.sla,
    slaCompliance: rate(fr.sla.met + res.sla.met, fr.sla.ended + res.sla.ended)
  }
}

const AGES = [['0-1d', 1], ['1-3d', 3], ['3-7d', 7], ['7-30d', 30], ['30d+', Infinity]] as const

/** Open tickets at asOf: the last transition before it (none: the current status), by status and age. */
export function modelBacklog(d: Data, asOf: Date, scope: Scope) {
  const has = (u: string | null) => u !== null && scope !== null && scope.owners.has(u)
  const open = d.tickets.filter((t) => !t.deleted_at && new Date(t.created_at) < asOf &&
    (scope === null || has(t.assignee_id) || has(d.customers.get(t.customer_id) ?? null) || t.queue_team_id === scope.teamId)).map((t) => {
    const before = d.changes.filter((x) => x.ticket_id === t.id && new Date(x.at) < asOf)
      .sort((a, b) => new Date(b.at).getTime() - new Date(a.at).getTime() || (a.id < b.id ? 1 : -1))
    const status = before.length ? before[0].to_status : t.status
    const days = (asOf.getTime() - new Date(t.created_at).getTime()) / 86_400_000
    return { status, age: AGES.find(([, max]) => days < max)![0] }
  }).filter((x) => ['open', 'in_progress', 'waiting_customer'].includes(x.status))
  return {
    total: open.length,
    byStatus: ['open', 'in_progress', 'waiting_customer'].map((status) => ({ status, count: open.filter((x) => x.status === status).length })),
    byAge: AGES.map(([key]) => ({ key, count: open.filter((x) => x.age === key).length }))
  }
}
