import { randomBytes } from 'node:crypto'
import fc from 'fast-check'
import type { TestApp } from '../../helper.js'

/**
 * A small random world of customers with related records (referrers, a referral per
 * customer, opportunities, orders, activities), built through the API, and an independent
 * model of the related-record filters over it (docs/customers.md, "Filters on related records").
 */
export const DAY = 86_400_000
export const kinds = ['customer', 'employee', 'partner', 'influencer', 'other'] as const
export const referrerTiers = ['standard', 'gold', 'silver'] as const
export const customerTiers = ['A', 'B', 'C'] as const
const stages = ['initial_contact', 'proposal', 'won', 'lost'] as const
const open = new Set(['initial_contact', 'needs_assessment', 'proposal', 'negotiation'])

/** Who owns a record: index into the world's two reps (0 = the rep the reach checks run as). */
type Owner = 0 | 1
type ReferrerSpec = { kind: (typeof kinds)[number]; tier: (typeof referrerTiers)[number]; deleted: boolean; owner: Owner | null }
type CustomerSpec = {
  referrer: number | null
  tier: (typeof customerTiers)[number] | null
  owner: Owner
  referral: { campaign: number | null; deleted: boolean } | null
  opportunities: { stage: (typeof stages)[number]; campaign: number | null; deleted: boolean; owner: Owner }[]
  orders: { campaign: number | null }[]
  activities: { daysAgo: number; deleted: boolean }[]
}
export type WorldSpec = { referrers: ReferrerSpec[]; customers: CustomerSpec[] }

const campaign = fc.option(fc.integer({ min: 0, max: 1 }), { nil: null })
const owner = fc.constantFrom<Owner>(0, 1)
export const worldArb: fc.Arbitrary<WorldSpec> = fc.record({
  referrers: fc.array(fc.record({ kind: fc.constantFrom(...kinds), tier: fc.constantFrom(...referrerTiers), deleted: fc.boolean(), owner: fc.option(owner, { nil: null }) }), { minLength: 1, maxLength: 3 }),
  customers: fc.array(fc.record({
    referrer: fc.option(fc.integer({ min: 0, max: 2 }), { nil: null }),
    tier: fc.option(fc.constantFrom(...customerTiers), { nil: null }),
    owner,
    referral: fc.option(fc.record({ campaign, deleted: fc.boolean() }), { nil: null }),
    opportunities: fc.array(fc.record({ stage: fc.constantFrom(...stages), campaign, deleted: fc.boolean(), owner }), { maxLength: 2 }),
    orders: fc.array(fc.record({ campaign }), { maxLength: 1 }),
    activities: fc.array(fc.record({ daysAgo: fc.integer({ min: 0, max: 40 }), deleted: fc.boolean() }), { maxLength: 2 })
  }), { minLength: 1, maxLength: 6 })
})

/** What the model needs of a built customer: its facts as stored. */
export type BuiltCustomer = {
  id: string; tier: string | null; ownerIndex: Owner
  referrer: { kind: string; tier: string; live: boolean; ownerIndex: Owner | null } | null
  referral: { campaignId: string | null; live: boolean; leadOwnerId: string | null; referrerOwnerIndex: Owner | null } | null
  opportunities: { open: boolean; campaignId: string | null; live: boolean; ownerIndex: Owner }[]
  orders: { campaignId: string | null }[]
  activities: { at: number; live: boolean }[]
}
export type World = { tag: string; now: number; customers: BuiltCustomer[] }
export type Reps = { ids: [string, string]; teamOf0: string }

let phones = 0
const newPhone = () => `136${String(process.pid % 10_000).padStart(4, '0')}${String(++phones).padStart(4, '0')}`

async function post(ctx: TestApp, url: string, body: unknown): Promise<{ id: string; [k: string]: unknown }> {
  const res = await ctx.rest(ctx.adminToken, 'POST', url, body)
  if (res.statusCode !== 201) throw new Error(`POST ${url}: ${res.statusCode} ${res.body}`)
  return res.json()
}

/** Builds the world: `campaigns` are two existing campaign ids; `reps` own customers, referrers and deals. */
export async function buildWorld(ctx: TestApp, spec: WorldSpec, campaigns: [string, string], reps: Reps): Promise<World> {
  const tag = `rel-${randomBytes(4).toString('hex')}`
  const now = Date.now()
  const camp = (i: number | null) => (i === null ? null : campaigns[i])
  const referrers = []
  for (const r of spec.referrers) {
    const row = await post(ctx, '/api/v1/referrers', { kind: r.kind, tier: r.tier, name: `R ${tag}`, ownerId: r.owner === null ? null : reps.ids[r.owner] })
    referrers.push({ id: row.id, kind: r.kind, tier: r.tier, live: !r.deleted, ownerIndex: r.owner })
  }
  const customers: BuiltCustomer[] = []
  for (const [i, c] of spec.customers.entries()) {
    const referrer = c.referrer !== null && c.referrer < referrers.length ? referrers[c.referrer] : null
    const row = await post(ctx, '/api/v1/customers', { name: `C${i} ${tag}`, tags: [tag], tier: c.tier, ownerId: reps.ids[c.owner], referrerId: referrer?.id ?? null })
    const built: BuiltCustomer = { id: row.id, tier: c.tier, ownerIndex: c.owner, referrer, referral: null, opportunities: [], orders: [], activities: [] }
    if (c.referral) {
      const via = referrers[0]
      const ref = await post(ctx, '/api/v1/referrals', { referrerId: via.id, name: `Ref ${tag}`, phone: newPhone(), campaignId: camp(c.referral.campaign) })
      // The conversion link (customers.referred_by_referral_id) as convertLead would leave it.
      await ctx.sql('update customers set referred_by_referral_id = $1 where id = $2', [ref.id, row.id])
      if (c.referral.deleted) await ctx.sql('update referrals set deleted_at = now() where id = $1', [ref.id])
      const [lead] = await ctx.sql<{ owner_id: string | null }>('select l.owner_id from referrals r left join leads l on l.id = r.lead_id where r.id = $1', [ref.id])
      built.referral = { campaignId: camp(c.referral.campaign), live: !c.referral.deleted, leadOwnerId: lead?.owner_id ?? null, referrerOwnerIndex: via.ownerIndex }
    }
    for (const o of c.opportunities) {
      const opp = await post(ctx, '/api/v1/opportunities', {
        customerId: row.id, name: `Deal ${tag}`, stage: o.stage, campaignId: camp(o.campaign), ownerId: reps.ids[o.owner], ...(o.stage === 'lost' ? { lostReason: 'price' } : {})
      })
      if (o.deleted) {
        const del = await ctx.rest(ctx.adminToken, 'DELETE', `/api/v1/opportunities/${opp.id}`)
        if (del.statusCode !== 204) throw new Error(`delete opportunity: ${del.body}`)
      }
      built.opportunities.push({ open: open.has(o.stage), campaignId: camp(o.campaign), live: !o.deleted, ownerIndex: o.owner })
    }
    for (const o of c.orders) {
      await post(ctx, '/api/v1/orders', { customerId: row.id, amount: { amount: 100 }, campaignId: camp(o.campaign) })
      built.orders.push({ campaignId: camp(o.campaign) })
    }
    for (const a of c.activities) {
      const at = now - a.daysAgo * DAY
      const act = await post(ctx, '/api/v1/activities', { kind: 'call', customerId: row.id })
      // Backdated as an import of history would leave it (exactly at `at`, to the millisecond).
      await ctx.sql(`update activities set occurred_at = $1${a.deleted ? ', deleted_at = now()' : ''} where id = $2`, [new Date(at).toISOString(), act.id])
      built.activities.push({ at, live: !a.deleted })
    }
    customers.push(built)
  }
  for (const [i, r] of spec.referrers.entries()) {
    if (!r.deleted) continue
    const del = await ctx.rest(ctx.adminToken, 'DELETE', `/api/v1/referrers/${referrers[i].id}`)
    if (del.statusCode !== 204) throw new Error(`delete referrer: ${del.body}`)
  }
  return { tag, now, customers }
}

/** A filter over the world's related records, with the campaign as an index (2: a campaign nobody has). */
export type RelatedFilterSpec = {
  referrerKind?: string[]; referrerTier?: string[]; campaign?: 0 | 1 | 2; hasOpenOpportunity?: boolean
  lastActivityBefore?: { daysAgo: number } | { activity: number }; tier?: string[]
}
const filterKeys = ['referrerKind', 'referrerTier', 'campaign', 'hasOpenOpportunity', 'lastActivityBefore', 'tier'] as const
/** One or two filters at a time (more would match nobody in a small world), any combination. */
export const filterArb: fc.Arbitrary<RelatedFilterSpec> = fc.tuple(fc.record({
  referrerKind: fc.subarray([...kinds], { minLength: 1, maxLength: 3 }),
  referrerTier: fc.subarray([...referrerTiers], { minLength: 1, maxLength: 2 }),
  campaign: fc.constantFrom<0 | 1 | 2>(0, 1, 2),
  hasOpenOpportunity: fc.boolean(),
  lastActivityBefore: fc.oneof(fc.record({ daysAgo: fc.integer({ min: 0, max: 45 }) }), fc.record({ activity: fc.nat(20) })),
  tier: fc.subarray([...customerTiers], { minLength: 1, maxLength: 2 })
}), fc.subarray([...filterKeys], { minLength: 1, maxLength: 2 })).map(([all, keys]) => Object.fromEntries(keys.map((k) => [k, all[k]])) as RelatedFilterSpec)

/** The API filter for a spec: the world's tag always, so only this world's customers match. */
export function toFilter(world: World, spec: RelatedFilterSpec, campaigns: [string, string, string]): Record<string, unknown> {
  const f: Record<string, unknown> = { tags: [world.tag] }
  if (spec.referrerKind) f.referrerKind = spec.referrerKind
  if (spec.referrerTier) f.referrerTier = spec.referrerTier
  if (spec.campaign !== undefined) f.campaignId = campaigns[spec.campaign]
  if (spec.hasOpenOpportunity !== undefined) f.hasOpenOpportunity = spec.hasOpenOpportunity
  if (spec.lastActivityBefore) f.lastActivityBefore = new Date(cutoff(world, spec.lastActivityBefore)).toISOString()
  if (spec.tier) f.tier = spec.tier
  return f
}

/** The cutoff time: days before the world's `now`, or exactly the time of one of its activities. */
function cutoff(world: World, at: NonNullable<RelatedFilterSpec['lastActivityBefore']>): number {
  if ('daysAgo' in at) return world.now - at.daysAgo * DAY
  const all = world.customers.flatMap((c) => c.activities.map((a) => a.at))
  return all.length ? all[at.activity % all.length] : world.now
}

/**
 * The model: which customers match, as `viewer` sees them (null: reach all; 0: the rep who
 * owns index-0 records, alone in their team).
 */
export function expected(world: World, spec: RelatedFilterSpec, campaigns: [string, string, string], viewer: { rep: 0 | null; repId?: string }): string[] {
  const seesOwner = (o: Owner | null) => viewer.rep === null || o === viewer.rep
  return world.customers.filter((c) => {
    if (!seesOwner(c.ownerIndex)) return false
    if (spec.tier && !(c.tier && spec.tier.includes(c.tier))) return false
    const ref = c.referrer && c.referrer.live ? c.referrer : null
    if (spec.referrerKind && !(ref && spec.referrerKind.includes(ref.kind))) return false
    if (spec.referrerTier && !(ref && spec.referrerTier.includes(ref.tier))) return false
    const opps = c.opportunities.filter((o) => o.live && seesOwner(o.ownerIndex))
    if (spec.campaign !== undefined) {
      const id = campaigns[spec.campaign]
      const referral = c.referral && c.referral.live && c.referral.campaignId === id &&
        (viewer.rep === null || c.referral.leadOwnerId === viewer.repId || c.referral.referrerOwnerIndex === viewer.rep)
      if (!referral && !opps.some((o) => o.campaignId === id) && !c.orders.some((o) => o.campaignId === id)) return false
    }
    if (spec.hasOpenOpportunity !== undefined && opps.some((o) => o.open) !== spec.hasOpenOpportunity) return false
    if (spec.lastActivityBefore) {
      const t = cutoff(world, spec.lastActivityBefore)
      if (c.activities.some((a) => a.live && a.at >= t)) return false
    }
    return true
  }).map((c) => c.id).sort()
}
