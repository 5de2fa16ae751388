import type { TestApp } from '../../helper.js'
import type { Period } from './sales.world.js'

/**
 * The reports computed again, in plain JavaScript, from the base tables as they are, following
 * docs/analytics.md ("Sales performance", "Pipeline") rather than the report's SQL.
 */
type User = { id: string; name: string; role: string; active: boolean; team_id: string | null; team_name: string | null; deleted: boolean }
type Lead = { owner_id: string | null; assigned_at: number | null; first_contacted_at: number | null; first_contact_due_at: number | null; deleted: boolean }
type Opp = { id: string; owner_id: string | null; amount: number; currency: string; stage: string; probability: number; lost_reason: string | null; created_at: number; stage_changed_at: number; closed_at: number | null; live: boolean }
type Change = { opportunity_id: string; to_stage: string; changed_at: number }
type Activity = { author_id: string | null; kind: string; occurred_at: number; deleted: boolean }
type Customer = { owner_id: string | null; live: boolean }
export type Snapshot = { users: User[]; leads: Lead[]; opps: Opp[]; history: Change[]; activities: Activity[]; customers: Customer[] }
export type Viewer = { reach: 'all' | 'team'; userId?: string; teamId?: string | null }
export type Filters = { teamId?: string; ownerId?: string }

const ms = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string).getTime())

export async function snapshot(ctx: TestApp): Promise<Snapshot> {
  const users = (await ctx.sql<any>('select u.id, u.name, u.role, u.active, u.team_id, t.name as team_name, u.deleted_at is not null as deleted from users u left join teams t on t.id = u.team_id'))
  const leads = (await ctx.sql<any>('select owner_id, assigned_at, first_contacted_at, first_contact_due_at, deleted_at is not null as deleted from leads'))
    .map((l) => ({ ...l, assigned_at: ms(l.assigned_at), first_contacted_at: ms(l.first_contacted_at), first_contact_due_at: ms(l.first_contact_due_at) }))
  const opps = (await ctx.sql<any>(`select o.id, o.owner_id, o.amount, o.currency, o.stage, o.probability, o.lost_reason, o.created_at, o.stage_changed_at, o.closed_at,
      o.deleted_at is null and c.deleted_at is null and c.merged_into_id is null as live from opportunities o join customers c on c.id = o.customer_id`))
    .map((o) => ({ ...o, amount: Number(o.amount), created_at: ms(o.created_at)!, stage_changed_at: ms(o.stage_changed_at)!, closed_at: ms(o.closed_at) }))
  const history = (await ctx.sql<any>('select opportunity_id, to_stage, changed_at from opportunity_stage_history')).map((h) => ({ ...h, changed_at: ms(h.changed_at)! }))
  const activities = (await ctx.sql<any>('select author_id, kind, occurred_at, deleted_at is not null as deleted from activities')).map((a) => ({ ...a, occurred_at: ms(a.occurred_at)! }))
  const customers = await ctx.sql<any>('select owner_id, deleted_at is null and merged_into_id is null as live from customers')
  return { users, leads, opps, history, activities, customers }
}

/** percentile_cont: linear interpolation between the two nearest ranks. */
export function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null
  const s = [...values].sort((a, b) => a - b)
  const pos = p * (s.length - 1)
  const lo = Math.floor(pos)
  const hi = Math.ceil(pos)
  return s[lo] + (s[hi] - s[lo]) * (pos - lo)
}

const rate = (n: number, d: number) => (d === 0 ? null : n / d)
const inPeriod = (at: number | null, p: Period) => at !== null && at >= p.from && at < p.to
/** Σ amount × probability / 100 to the nearest unit, halves up (amounts are never negative). */
const weighted = (list: Opp[]) => {
  const total = list.reduce((n, o) => n + o.amount * o.probability, 0)
  return Math.floor(total / 100) + (total % 100 >= 50 ? 1 : 0)
}
const OPEN = ['initial_contact', 'needs_assessment', 'proposal', 'negotiation']
const KINDS = ['call', 'email', 'meeting', 'visit', 'wechat', 'dingtalk', 'sms', 'note']

/** Whose records the viewer's report covers, filters included. */
export function owners(snap: Snapshot, viewer: Viewer, filters: Filters): (owner: string | null) => boolean {
  const team = new Map(snap.users.map((u) => [u.id, u.team_id]))
  return (owner) => {
    if (owner === null) return false
    if (viewer.reach === 'team' && !(owner === viewer.userId || (viewer.teamId && team.get(owner) === viewer.teamId))) return false
    if (filters.teamId && team.get(owner) !== filters.teamId) return false
    return !filters.ownerId || owner === filters.ownerId
  }
}

function openStages(list: Opp[], now?: number) {
  return OPEN.map((stage) => {
    const mine = list.filter((o) => o.stage === stage)
    const currencies = [...new Set(mine.map((o) => o.currency))].sort()
    const of = (c: string) => mine.filter((o) => o.currency === c)
    return {
      stage, count: mine.length,
      amount: currencies.map((c) => ({ amount: of(c).reduce((n, o) => n + o.amount, 0), currency: c })),
      weightedAmount: currencies.map((c) => ({ amount: weighted(of(c)), currency: c })),
      ...(now === undefined ? {} : { averageAgeSeconds: mine.length ? mine.reduce((n, o) => n + (now - o.stage_changed_at) / 1000, 0) / mine.length : null })
    }
  })
}

function figures(snap: Snapshot, mine: (owner: string | null) => boolean, p: Period, now: number) {
  const leads = snap.leads.filter((l) => !l.deleted && mine(l.owner_id) && inPeriod(l.assigned_at, p))
  const gaps = leads.filter((l) => l.first_contacted_at !== null && l.first_contacted_at >= l.assigned_at!).map((l) => (l.first_contacted_at! - l.assigned_at!) / 1000)
  const due = snap.leads.filter((l) => !l.deleted && mine(l.owner_id) && inPeriod(l.first_contact_due_at, { from: p.from, to: Math.min(p.to, now) }))
  const met = due.filter((l) => l.first_contacted_at !== null && l.first_contacted_at <= l.first_contact_due_at!).length
  const opps = snap.opps.filter((o) => o.live && mine(o.owner_id))
  const won = opps.filter((o) => o.stage === 'won' && inPeriod(o.closed_at, p))
  const lost = opps.filter((o) => o.stage === 'lost' && inPeriod(o.closed_at, p))
  const reasons = new Map<string | null, number>()
  for (const o of lost) reasons.set(o.lost_reason, (reasons.get(o.lost_reason) ?? 0) + 1)
  const acts = snap.activities.filter((a) => !a.deleted && mine(a.author_id) && inPeriod(a.occurred_at, p))
  const wonCurrencies = [...new Set(won.map((o) => o.currency))].sort()
  return {
    leadsAssigned: leads.length,
    firstResponse: { count: gaps.length, medianSeconds: percentile(gaps, 0.5), p90Seconds: percentile(gaps, 0.9) },
    followUpDue: due.length, followUpMet: met, followUpCompliance: rate(met, due.length),
    opportunitiesOpened: opps.filter((o) => inPeriod(o.created_at, p)).length,
    won: won.length,
    wonAmount: wonCurrencies.map((c) => ({ amount: won.filter((o) => o.currency === c).reduce((n, o) => n + o.amount, 0), currency: c })),
    lost: lost.length,
    topLostReasons: [...reasons].map(([reason, count]) => ({ reason, count }))
      .sort((a, b) => b.count - a.count || ((a.reason ?? '') < (b.reason ?? '') ? -1 : (a.reason ?? '') > (b.reason ?? '') ? 1 : 0)).slice(0, 5),
    winRate: rate(won.length, won.length + lost.length),
    averageSalesCycleSeconds: won.length ? won.reduce((n, o) => n + (o.closed_at! - o.created_at) / 1000, 0) / won.length : null,
    openPipeline: openStages(opps.filter((o) => OPEN.includes(o.stage))),
    activities: acts.length,
    activitiesByKind: KINDS.map((kind) => ({ kind, count: acts.filter((a) => a.kind === kind).length })),
    customersOwned: snap.customers.filter((c) => c.live && mine(c.owner_id)).length
  }
}

const byName = (a: string | null, b: string | null) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1)

export function expectedSales(snap: Snapshot, viewer: Viewer, filters: Filters, p: Period, now: number) {
  const inReach = owners(snap, viewer, filters)
  const f = (owner: string) => figures(snap, (o) => o === owner && inReach(o), p, now)
  const zero = JSON.stringify(figures(snap, () => false, p, now))
  const listed = snap.users
    .filter((u) => inReach(u.id) && ((!u.deleted && u.active && (u.role === 'sales' || u.role === 'manager')) || JSON.stringify(f(u.id)) !== zero))
    .sort((a, b) => byName(a.team_name, b.team_name) || byName(a.name, b.name) || (a.id < b.id ? -1 : 1))
  const reps = listed.map((u) => ({ userId: u.id, name: u.name, active: u.active, teamId: u.team_id, teamName: u.team_name, ...f(u.id) }))
  const teams = [...new Set(listed.map((u) => u.team_id))].map((teamId) => {
    const members = new Set(listed.filter((u) => u.team_id === teamId).map((u) => u.id))
    return { teamId, name: listed.find((u) => u.team_id === teamId)!.team_name, reps: members.size, ...figures(snap, (o) => o !== null && members.has(o) && inReach(o), p, now) }
  })
  return { reps, teams }
}

export function expectedPipeline(snap: Snapshot, viewer: Viewer, filters: Filters, p: Period, now: number) {
  const inReach = owners(snap, viewer, filters)
  const opps = snap.opps.filter((o) => o.live && inReach(o.owner_id))
  const ids = new Set(opps.map((o) => o.id))
  const history = snap.history.filter((h) => ids.has(h.opportunity_id))
  const conversion = OPEN.map((stage, rank) => {
    const entries = new Map<string, number>()
    for (const h of history) {
      if (h.to_stage === stage && inPeriod(h.changed_at, p)) entries.set(h.opportunity_id, Math.min(entries.get(h.opportunity_id) ?? Infinity, h.changed_at))
    }
    let advanced = 0; let won = 0; let lost = 0
    for (const [id, at] of entries) {
      const later = history.filter((h) => h.opportunity_id === id && h.changed_at > at)
      if (later.some((h) => h.to_stage === 'won' || OPEN.indexOf(h.to_stage) > rank)) advanced++
      if (later.some((h) => h.to_stage === 'won')) won++
      if (later.some((h) => h.to_stage === 'lost')) lost++
    }
    return { stage, entered: entries.size, advanced, won, lost, advanceRate: rate(advanced, entries.size), winRate: rate(won, entries.size) }
  })
  return { stages: openStages(opps.filter((o) => OPEN.includes(o.stage)), now), conversion }
}
