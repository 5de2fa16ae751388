import type { TestApp } from '../../helper.js'

/**
 * The referral funnel computed the way docs/analytics.md ("Referral funnel") defines it, in
 * plain JS over the base tables' rows: the report's SQL is checked against this.
 * The reporting zone is Asia/Shanghai, a fixed +08:00 with no daylight saving time.
 */

export type Step = { step: string; count: number; rateFromPrevious: number | null; overallRate: number | null; duration: { count: number; medianSeconds: number | null; p90Seconds: number | null } }
export type Funnel = { steps: Step[]; groups: { key: string | null; label: string | null; steps: Step[] }[]; previous: Step[] | null }
export type Viewer = { role: 'all' } | { role: 'team'; userId: string; teamId: string | null }
export type Query = {
  from: Date; to: Date; bucket: 'day' | 'week' | 'month'; compare: boolean
  view: 'cohort' | 'activity'; groupBy: string | null; filter: Record<string, string>
}

export const STEP_NAMES = ['submitted', 'consented', 'qualified', 'leadContacted', 'opportunityOpened', 'converted', 'firstPaidOrder']

type Row = Record<string, any>
const ms = (v: unknown) => (v == null ? null : new Date(v as string).getTime())

export type Tables = { referrals: Row[]; referrers: Map<string, Row>; leads: Map<string, Row>; users: Map<string, Row>; opportunities: Map<string, Row>; orders: Row[]; customers: Map<string, Row>; teams: Map<string, Row>; campaigns: Map<string, Row> }

export async function readTables(ctx: TestApp): Promise<Tables> {
  const byId = (list: Row[]) => new Map(list.map((r) => [r.id, r]))
  return {
    referrals: await ctx.sql('select * from referrals'),
    referrers: byId(await ctx.sql('select id, kind, tier, owner_id from referrers')),
    leads: byId(await ctx.sql('select id, owner_id, first_contacted_at, deleted_at from leads')),
    users: byId(await ctx.sql('select id, team_id from users')),
    opportunities: byId(await ctx.sql('select id, created_at, deleted_at from opportunities')),
    orders: await ctx.sql('select id, referral_id, customer_id, paid_at, deleted_at from orders'),
    customers: byId(await ctx.sql('select id, deleted_at from customers')),
    teams: byId(await ctx.sql('select id, name from teams')),
    campaigns: byId(await ctx.sql('select id, name from campaigns'))
  }
}

/** Local (+08:00) calendar day of an instant, and the first day of its bucket. */
export function bucketOf(at: number, bucket: string): string {
  const local = new Date(at + 8 * 3600_000)
  let d = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate())
  if (bucket === 'week') d -= ((new Date(d).getUTCDay() + 6) % 7) * 86_400_000
  if (bucket === 'month') d = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), 1)
  return new Date(d).toISOString().slice(0, 10)
}

export function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null
  const s = [...values].sort((a, b) => a - b)
  const pos = (s.length - 1) * p
  const lo = Math.floor(pos)
  const hi = Math.ceil(pos)
  return s[lo] + (s[hi] - s[lo]) * (pos - lo)
}

type Trip = { r: Row; times: (number | null)[]; own: (number | null)[]; seconds: (number | null)[]; teamId: string | null }

/** Every referral in the funnel the viewer may see, filtered, with its step times. */
function trips(tables: Tables, viewer: Viewer, filter: Record<string, string>): Trip[] {
  const inTeam = (owner: string | null | undefined) => viewer.role === 'all' ||
    (owner != null && (owner === viewer.userId || (viewer.teamId !== null && tables.users.get(owner)?.team_id === viewer.teamId)))
  const out: Trip[] = []
  for (const r of tables.referrals) {
    if (r.deleted_at || (r.submitted_at == null && r.consent_expires_at == null)) continue
    const referrer = tables.referrers.get(r.referrer_id)!
    const lead = r.lead_id ? tables.leads.get(r.lead_id) : undefined
    const owner = lead?.owner_id ?? null
    const teamId = owner ? tables.users.get(owner)?.team_id ?? null : null
    if (!inTeam(owner) && !inTeam(referrer.owner_id)) continue
    if (filter.referrerId && r.referrer_id !== filter.referrerId) continue
    if (filter.referrerKind && referrer.kind !== filter.referrerKind) continue
    if (filter.referrerTier && referrer.tier !== filter.referrerTier) continue
    if (filter.campaignId && r.campaign_id !== filter.campaignId) continue
    if (filter.channel && r.channel !== filter.channel) continue
    if (filter.ownerId && owner !== filter.ownerId) continue
    if (filter.teamId && teamId !== filter.teamId) continue
    const opp = r.opportunity_id ? tables.opportunities.get(r.opportunity_id) : undefined
    const paid = tables.orders.filter((o) => o.referral_id === r.id && !o.deleted_at && !tables.customers.get(o.customer_id)?.deleted_at).map((o) => ms(o.paid_at)!)
    const own = [
      ms(r.created_at), ms(r.submitted_at), ms(r.qualified_at),
      lead && !lead.deleted_at ? ms(lead.first_contacted_at) : null,
      opp && !opp.deleted_at ? ms(opp.created_at) : null,
      ms(r.converted_at), paid.length ? Math.min(...paid) : null
    ]
    // A skipped step is reached when a later one happened, at that later step's time.
    const times = own.map((_, i) => own.slice(i).find((t) => t !== null) ?? null)
    const consented = ms(r.consented_at)
    const seconds = own.map((t, i) => {
      if (i === 0) return null
      const before = i === 1 ? own[0] : own[i - 1]
      const after = i === 1 ? consented : t
      return after !== null && before !== null ? (after - before) / 1000 : null
    })
    out.push({ r, times, own, seconds, teamId })
  }
  return out
}

function figures(entries: { step: number; seconds: number | null }[]): Step[] {
  const counts = STEP_NAMES.map((_, i) => entries.filter((e) => e.step === i).length)
  return STEP_NAMES.map((step, i) => {
    const measured = entries.filter((e) => e.step === i && e.seconds !== null).map((e) => e.seconds!)
    return {
      step, count: counts[i],
      rateFromPrevious: i === 0 || counts[i - 1] === 0 ? null : counts[i] / counts[i - 1],
      overallRate: counts[0] === 0 ? null : counts[i] / counts[0],
      duration: { count: measured.length, medianSeconds: percentile(measured, 0.5), p90Seconds: percentile(measured, 0.9) }
    }
  })
}

type Entry = { step: number; seconds: number | null; key: string | null; label: string | null }

function entries(tables: Tables, list: Trip[], q: Query, from: Date, to: Date): Entry[] {
  const out: Entry[] = []
  const inside = (t: number) => t >= from.getTime() && t < to.getTime()
  for (const trip of list) {
    for (let i = 0; i < 7; i++) {
      const at = trip.times[i]
      if (at === null) continue
      const anchor = q.view === 'cohort' ? trip.times[0]! : at
      if (!inside(anchor)) continue
      const { key, label } = groupOf(tables, trip, q, anchor)
      out.push({ step: i, seconds: trip.seconds[i], key, label })
    }
  }
  return out
}

function groupOf(tables: Tables, trip: Trip, q: Query, anchor: number): { key: string | null; label: string | null } {
  const r = trip.r
  const referrer = tables.referrers.get(r.referrer_id)!
  switch (q.groupBy) {
    case 'channel': return { key: r.channel, label: r.channel }
    case 'campaign': return { key: r.campaign_id, label: r.campaign_id ? tables.campaigns.get(r.campaign_id)!.name : null }
    case 'referrerKind': return { key: referrer.kind, label: referrer.kind }
    case 'referrerTier': return { key: referrer.tier, label: referrer.tier }
    case 'team': return { key: trip.teamId, label: trip.teamId ? tables.teams.get(trip.teamId)!.name : null }
    case 'bucket': { const key = bucketOf(anchor, q.bucket); return { key, label: key } }
    default: return { key: null, label: null }
  }
}

/** The buckets' keys of a period, in order (every one listed, even when empty). */
export function bucketKeys(from: Date, to: Date, bucket: string): string[] {
  const keys: string[] = []
  for (let t = from.getTime(); t < to.getTime(); t += 3600_000) {
    const k = bucketOf(t, bucket)
    if (keys[keys.length - 1] !== k) keys.push(k)
  }
  const last = bucketOf(to.getTime() - 1, bucket)
  if (keys[keys.length - 1] !== last) keys.push(last)
  return keys
}

export function expectedFunnel(tables: Tables, viewer: Viewer, q: Query): Funnel {
  const list = trips(tables, viewer, q.filter)
  const now = entries(tables, list, q, q.from, q.to)
  let groups: Funnel['groups'] = []
  if (q.groupBy === 'bucket') {
    groups = bucketKeys(q.from, q.to, q.bucket).map((key) => ({ key, label: key, steps: figures(now.filter((e) => e.key === key)) }))
  } else if (q.groupBy) {
    const keys = [...new Set(now.map((e) => e.key))].sort((a, b) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1))
    groups = keys.map((key) => ({ key, label: now.find((e) => e.key === key)!.label, steps: figures(now.filter((e) => e.key === key)) }))
  }
  const length = q.to.getTime() - q.from.getTime()
  return {
    steps: figures(now),
    groups,
    previous: q.compare ? figures(entries(tables, list, q, new Date(q.from.getTime() - length), q.from)) : null
  }
}
