import fc from 'fast-check'
import type { TestApp } from '../../helper.js'
import { CONFIRM, createReferrer, newPhone, submit, YES, NO } from '../referrals/support.js'
import { record, REFUND } from '../orders/support.js'

/**
 * Random referral histories written through the API (submit, consent, qualify, contact,
 * assign, convert, win, orders, refunds, deletes), then their times moved with SQL to
 * random instants around a fixed March 2026, many exactly at a local midnight (+08:00).
 */

export type World = {
  teams: string[]
  reps: { userId: string; token: string; teamId: string }[]
  manager: { userId: string; token: string; teamId: string }
  referrers: string[]
  campaigns: string[]
  /** Referrals and orders made so far (the database keeps them from run to run). */
  made: { id: string; token: string | null }[]
  orders: string[]
}

export async function createWorld(ctx: TestApp): Promise<World> {
  const teams = [await ctx.createTeam('漏斗 East'), await ctx.createTeam('漏斗 West')]
  const reps = [
    { ...(await ctx.staff('sales', { teamId: teams[0] })), teamId: teams[0] },
    { ...(await ctx.staff('sales', { teamId: teams[1] })), teamId: teams[1] }
  ]
  const manager = { ...(await ctx.staff('manager', { teamId: teams[0] })), teamId: teams[0] }
  const referrers = [
    (await createReferrer(ctx, { kind: 'partner', tier: 'gold', ownerId: reps[0].userId })).id,
    (await createReferrer(ctx, { kind: 'customer', tier: 'standard', ownerId: reps[1].userId })).id,
    (await createReferrer(ctx, { kind: 'employee', tier: 'standard' })).id
  ]
  const campaigns: string[] = []
  for (const name of ['春季推荐', 'Spring, referrals']) {
    const r = await ctx.gql(ctx.adminToken, 'mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { campaign { id } userErrors { message } } }', { i: { name } })
    campaigns.push(r.data.createCampaign.campaign.id)
  }
  return { teams, reps, manager, referrers, campaigns, made: [], orders: [] }
}

export type Command =
  | { kind: 'submit'; referrer: number; channel: string; campaign: number }
  | { kind: 'consent' | 'qualify' | 'contact' | 'win' | 'deleteLead' | 'deleteOpportunity' | 'deleteCustomer'; target: number; yes: boolean }
  | { kind: 'assign'; target: number; rep: number }
  | { kind: 'convert'; target: number; yes: boolean }
  | { kind: 'order'; target: number; amount: number }
  | { kind: 'refund'; target: number; amount: number }
  | { kind: 'advance'; target: number; depth: number }

const target = fc.nat(30)
export const commandArb: fc.Arbitrary<Command> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('submit' as const), referrer: fc.nat(2), channel: fc.constantFrom('api', 'form', 'qr'), campaign: fc.nat(2) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('consent' as const), target, yes: fc.boolean() }) },
  ...(['qualify', 'contact', 'win', 'deleteLead', 'deleteOpportunity', 'deleteCustomer'] as const).map((kind) =>
    ({ weight: kind.startsWith('delete') ? 1 : 3, arbitrary: fc.record({ kind: fc.constant(kind), target, yes: fc.boolean() }) })),
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('assign' as const), target, rep: fc.nat(1) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('convert' as const), target, yes: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('order' as const), target, amount: fc.integer({ min: 100, max: 9999 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('refund' as const), target, amount: fc.integer({ min: 1, max: 200 }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('advance' as const), target, depth: fc.integer({ min: 1, max: 6 }) }) }
)

/** 'advance': the usual road, as far as `depth` steps: consent, contact, qualify, convert with an opportunity, win, order. */
const ROAD: Command['kind'][] = ['consent', 'contact', 'qualify', 'convert', 'win', 'order']
function road(c: { target: number; depth: number }): Command[] {
  return ROAD.slice(0, c.depth).map((kind) => (kind === 'order' ? { kind, target: c.target, amount: 5000 }
    : { kind, target: c.target, yes: true }) as Command)
}

/** Applies the commands; a command the API refuses (a move from the wrong status) is simply skipped. */
export async function apply(ctx: TestApp, world: World, commands: Command[]): Promise<void> {
  const { made, orders } = world
  const admin = ctx.adminToken
  const pick = <T>(list: T[], i: number) => (list.length ? list[i % list.length] : undefined)
  const referralOf = async (i: number) => {
    const m = pick(made, i)
    if (!m) return undefined
    const [row] = await ctx.sql<{ lead_id: string | null; opportunity_id: string | null; customer_id: string | null }>(
      'select lead_id, opportunity_id, customer_id from referrals where id = $1', [m.id])
    return { ...m, ...row }
  }
  for (const c of commands.flatMap((c) => (c.kind === 'advance' ? road(c) : [c]))) {
    if (c.kind === 'submit') {
      const { referral, consentToken } = await submit(ctx, admin, {
        referrerId: world.referrers[c.referrer], name: '被推荐人', phone: newPhone(), channel: c.channel,
        ...(c.campaign < 2 ? { campaignId: world.campaigns[c.campaign] } : {})
      })
      if (referral) made.push({ id: referral.id, token: consentToken })
      continue
    }
    if (c.kind === 'refund') {
      const id = pick(orders, c.target)
      // Refused when more than what is left, or of a deleted order: fine, it changes nothing then.
      if (id) await ctx.gql(admin, REFUND, { i: { orderId: id, amount: { amount: c.amount } } })
      continue
    }
    const r = await referralOf(c.target)
    if (!r || c.kind === 'advance') continue
    switch (c.kind) {
      case 'consent':
        if (r.token) await ctx.gql(admin, CONFIRM, { t: r.token, i: c.yes ? YES : NO })
        break
      case 'qualify':
        // The lead qualified (which qualifies the referral), or a manager qualifies the referral alone.
        if (c.yes && r.lead_id) await ctx.gql(admin, 'mutation($id: ID!) { updateLeadStatus(id: $id, status: qualified) { userErrors { code } } }', { id: r.lead_id })
        else await ctx.gql(admin, 'mutation($id: ID!) { qualifyReferral(id: $id) { userErrors { code } } }', { id: r.id })
        break
      case 'contact':
        if (r.lead_id) await ctx.gql(admin, 'mutation($id: ID!) { updateLeadStatus(id: $id, status: contacted) { userErrors { code } } }', { id: r.lead_id })
        break
      case 'assign':
        if (r.lead_id) await ctx.gql(admin, 'mutation($id: ID!, $o: ID) { assignLead(id: $id, ownerId: $o) { userErrors { code } } }', { id: r.lead_id, o: world.reps[c.rep].userId })
        break
      case 'convert':
        if (r.lead_id) {
          await ctx.gql(admin, 'mutation($id: ID!, $i: ConvertLeadInput) { convertLead(id: $id, input: $i) { userErrors { code message } } }',
            { id: r.lead_id, i: c.yes ? { opportunity: { name: 'Deal' } } : { createOpportunity: false } })
        }
        break
      case 'win':
        if (r.opportunity_id) await ctx.gql(admin, 'mutation($id: ID!) { moveOpportunityStage(id: $id, stage: won) { userErrors { code } } }', { id: r.opportunity_id })
        break
      case 'deleteLead':
        if (r.lead_id) await ctx.gql(admin, 'mutation($id: ID!) { deleteLead(id: $id) { userErrors { code } } }', { id: r.lead_id })
        break
      case 'deleteOpportunity':
        if (r.opportunity_id) await ctx.gql(admin, 'mutation($id: ID!) { deleteOpportunity(id: $id) { userErrors { code } } }', { id: r.opportunity_id })
        break
      case 'deleteCustomer':
        if (r.customer_id) await ctx.gql(admin, 'mutation($id: ID!) { deleteCustomer(id: $id) { userErrors { code } } }', { id: r.customer_id })
        break
      case 'order':
        if (r.customer_id) {
          const o = await record(ctx, admin, { customerId: r.customer_id, amount: { amount: c.amount, currency: 'CNY' } })
          if (o.order) orders.push(o.order.id)
        }
        break
    }
  }
}

/** Local midnights (+08:00) from 2026-02-20 on: the instants a period boundary falls on. */
export const midnight = (day: number) => new Date(Date.UTC(2026, 1, 20 + day) - 8 * 3600_000)

/** A small deterministic generator, so the moved times come from fast-check's seed. */
export function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * Moves every time the funnel reads to a random instant in 2026-02-20 … 2026-03-27 (+08:00):
 * a third exactly at a local midnight, the rest anywhere (whole milliseconds). Some accepted
 * referrals become ones that never needed consent, some referrals and orders deleted.
 */
export async function backdate(ctx: TestApp, seed: number): Promise<void> {
  const next = random(seed)
  const at = () => {
    const day = Math.floor(next() * 35)
    const t = next() < 0.35 ? midnight(day) : new Date(midnight(day).getTime() + Math.floor(next() * 86_400_000))
    return t.toISOString()
  }
  for (const r of await ctx.sql<{ id: string }>('select id from referrals')) {
    const noConsent = next() < 0.25
    await ctx.sql(`update referrals set created_at = $2,
        consented_at = case when consented_at is null or $8 then null else $3::timestamptz end,
        consent_expires_at = case when $8 and submitted_at is not null then null else consent_expires_at end,
        submitted_at = case when submitted_at is null then null when $8 then $2::timestamptz else $3::timestamptz end,
        qualified_at = case when qualified_at is null then null else $4::timestamptz end,
        converted_at = case when converted_at is null then null else $5::timestamptz end,
        deleted_at = case when $7 then $6::timestamptz end
      where id = $1`, [r.id, at(), at(), at(), at(), at(), next() < 0.08, noConsent])
  }
  for (const l of await ctx.sql<{ id: string }>('select id from leads where first_contacted_at is not null')) {
    await ctx.sql('update leads set first_contacted_at = $2 where id = $1', [l.id, at()])
  }
  for (const o of await ctx.sql<{ id: string }>('select id from opportunities')) {
    await ctx.sql('update opportunities set created_at = $2 where id = $1', [o.id, at()])
  }
  for (const o of await ctx.sql<{ id: string }>('select id from orders')) {
    await ctx.sql('update orders set paid_at = $2, deleted_at = case when $3 then now() end where id = $1', [o.id, at(), next() < 0.1])
  }
}
