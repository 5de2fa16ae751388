import fc from 'fast-check'
import type { TestApp } from '../../helper.js'

/**
 * Test world for salesPerformance and pipeline: two teams of reps and a rep without a team,
 * and random leads, activities and opportunities written through the API, then backdated
 * with SQL around a period whose ends are local midnights in Asia/Shanghai.
 */
export type Staff = { userId: string; token: string }
export type World = { north: string; south: string; reps: Staff[]; northSales: Staff; northManager: Staff; southSales: Staff; southManager: Staff; loner: Staff }

export async function buildWorld(ctx: TestApp): Promise<World> {
  const north = await ctx.createTeam('North')
  const south = await ctx.createTeam('South')
  const northSales = await ctx.staff('sales', { teamId: north, name: 'Ning' })
  const northSales2 = await ctx.staff('sales', { teamId: north, name: 'Nadia' })
  const northManager = await ctx.staff('manager', { teamId: north, name: 'Nora' })
  const southSales = await ctx.staff('sales', { teamId: south, name: 'Song' })
  const southManager = await ctx.staff('manager', { teamId: south, name: 'Sun' })
  const loner = await ctx.staff('sales', { name: 'Lone' })
  return { north, south, northSales, northManager, southSales, southManager, loner, reps: [northSales, northSales2, northManager, southSales, southManager, loner] }
}

const DAY = 86_400_000
/** 2026-10-01 00:00 in Asia/Shanghai (UTC+8, no daylight saving). */
export const BASE = Date.parse('2026-09-30T16:00:00Z')

export const periodArb = fc.record({ startDay: fc.integer({ min: 0, max: 6 }), days: fc.integer({ min: 1, max: 4 }) })
  .map(({ startDay, days }) => ({ from: BASE + startDay * DAY, to: BASE + (startDay + days) * DAY }))
export type Period = { from: number; to: number }

/** A moment near the period: its ends exactly, a millisecond either side, or anywhere in a wide window. */
export const momentArb = (p: Period) => fc.oneof(
  fc.constantFrom(p.from, p.from - 1, p.to, p.to - 1),
  fc.integer({ min: p.from - 2 * DAY, max: p.to + 2 * DAY })
)

const STAGES = ['initial_contact', 'needs_assessment', 'proposal', 'negotiation'] as const
export const KINDS = ['call', 'email', 'meeting', 'visit', 'wechat', 'dingtalk', 'sms', 'note'] as const
const REASONS = ['price', 'timing', 'competitor', '价格太高']

export const scenarioArb = (p: Period) => fc.record({
  leads: fc.array(fc.record({
    owner: fc.nat(5), reassign: fc.option(fc.nat(5), { nil: null }), assignedAt: momentArb(p),
    contact: fc.option(fc.oneof(fc.constant('at due' as const), fc.integer({ min: -DAY, max: 4 * DAY })), { nil: null }),
    dueAt: momentArb(p), deleted: fc.constantFrom(false, false, false, false, true)
  }), { maxLength: 5 }),
  activities: fc.array(fc.record({ author: fc.nat(5), kind: fc.constantFrom(...KINDS), at: momentArb(p) }), { maxLength: 5 }),
  deals: fc.array(fc.record({
    owner: fc.nat(5), amount: fc.integer({ min: 0, max: 1_000_001 }), currency: fc.constantFrom('CNY', 'USD'),
    path: fc.array(fc.constantFrom(...STAGES), { maxLength: 3 }),
    close: fc.constantFrom(null, 'won', 'lost'), reason: fc.constantFrom(...REASONS),
    probability: fc.option(fc.integer({ min: 0, max: 100 }), { nil: null }),
    start: momentArb(p), closeAt: fc.option(momentArb(p), { nil: null }), steps: fc.array(fc.integer({ min: 1000, max: 2 * DAY }), { minLength: 5, maxLength: 5 }),
    gone: fc.constantFrom(null, null, null, null, 'opportunity', 'customer', 'merged'),
    survivor: fc.nat(5)
  }), { maxLength: 4 })
})
export type Scenario = ReturnType<typeof scenarioArb> extends fc.Arbitrary<infer S> ? S : never

const iso = (ms: number) => new Date(ms).toISOString()

async function ok<T = any>(ctx: TestApp, token: string, query: string, variables: Record<string, unknown>, pick: string): Promise<T> {
  const r = await ctx.gql(token, query, variables)
  const payload = r.data?.[pick]
  if (!payload || payload.userErrors?.length || r.errors) throw new Error(`${pick} failed: ${JSON.stringify(r)}`)
  return payload
}

/** Writes a scenario through the API as the reps (the admin for leads and deletes), then backdates it. */
export async function writeScenario(ctx: TestApp, world: World, s: Scenario): Promise<void> {
  const admin = ctx.adminToken
  for (const l of s.leads) {
    const owner = world.reps[l.owner]
    const { lead } = await ok(ctx, admin, 'mutation($i: CreateLeadInput!) { createLead(input: $i) { lead { id } userErrors { message } } }',
      { i: { source: 'web', name: 'Lead', ownerId: owner.userId } }, 'createLead')
    if (l.reassign !== null) {
      await ok(ctx, admin, 'mutation($id: ID!, $o: ID) { assignLead(id: $id, ownerId: $o) { lead { id } userErrors { message } } }',
        { id: lead.id, o: world.reps[l.reassign].userId }, 'assignLead')
    }
    await ctx.sql('update leads set assigned_at = $2, first_contact_due_at = $3, first_contacted_at = $4 where id = $1',
      [lead.id, iso(l.assignedAt), iso(l.dueAt), l.contact === null ? null : iso(l.contact === 'at due' ? l.dueAt : l.assignedAt + l.contact)])
    if (l.deleted) await ok(ctx, admin, 'mutation($id: ID!) { deleteLead(id: $id) { deletedId userErrors { message } } }', { id: lead.id }, 'deleteLead')
  }
  for (const a of s.activities) {
    const author = world.reps[a.author]
    const { customer } = await ok(ctx, author.token, 'mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } userErrors { message } } }',
      { i: { name: 'Talked to' } }, 'createCustomer')
    await ok(ctx, author.token, 'mutation($i: LogActivityInput!) { logActivity(input: $i) { activity { id } userErrors { message } } }',
      { i: { kind: a.kind, customerId: customer.id, occurredAt: iso(a.at) } }, 'logActivity')
  }
  for (const d of s.deals) await writeDeal(ctx, world, d)
}

async function writeDeal(ctx: TestApp, world: World, d: Scenario['deals'][number]): Promise<void> {
  const owner = world.reps[d.owner]
  const { customer } = await ok(ctx, owner.token, 'mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } userErrors { message } } }',
    { i: { name: 'Buyer' } }, 'createCustomer')
  const { opportunity } = await ok(ctx, owner.token, 'mutation($i: CreateOpportunityInput!) { createOpportunity(input: $i) { opportunity { id } userErrors { message } } }',
    { i: { customerId: customer.id, name: 'Deal', amount: { amount: d.amount, currency: d.currency } } }, 'createOpportunity')
  let stage = 'initial_contact'
  const moves = [...d.path, ...(d.close ? [d.close] : [])]
  for (const [i, next] of moves.entries()) {
    if (next === stage) continue
    const last = i === moves.length - 1
    await ok(ctx, owner.token, 'mutation($id: ID!, $s: OpportunityStage!, $r: String, $p: Int) { moveOpportunityStage(id: $id, stage: $s, lostReason: $r, probability: $p) { opportunity { id } userErrors { message } } }',
      { id: opportunity.id, s: next, r: next === 'lost' ? d.reason : null, p: last && d.probability !== null && next !== 'won' && next !== 'lost' ? d.probability : null }, 'moveOpportunityStage')
    stage = next
  }
  // Backdate: the creation row at `start`, each move `steps` later than the one before.
  const history = await ctx.sql<{ id: string }>('select id from opportunity_stage_history where opportunity_id = $1 order by changed_at, id', [opportunity.id])
  let at = d.start
  for (const [i, h] of history.entries()) {
    // A close may land on a chosen moment (a period's end), when that is still after the move before.
    if (i > 0) at = i === history.length - 1 && d.close && d.closeAt !== null && d.closeAt > at ? d.closeAt : at + d.steps[i - 1]
    await ctx.sql('update opportunity_stage_history set changed_at = $2 where id = $1', [h.id, iso(at)])
  }
  await ctx.sql(`update opportunities set created_at = $2, stage_changed_at = $3, closed_at = case when stage in ('won', 'lost') then $3::timestamptz end where id = $1`,
    [opportunity.id, iso(d.start), iso(at)])
  if (d.gone === 'opportunity') await ok(ctx, ctx.adminToken, 'mutation($id: ID!) { deleteOpportunity(id: $id) { deletedId userErrors { message } } }', { id: opportunity.id }, 'deleteOpportunity')
  if (d.gone === 'merged') {
    // Folded into another rep's customer: the deal moves there and counts once, under the survivor.
    const { customer: survivor } = await ok(ctx, world.reps[d.survivor].token, 'mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } userErrors { message } } }',
      { i: { name: 'Survivor' } }, 'createCustomer')
    await ok(ctx, ctx.adminToken, 'mutation($s: ID!, $m: [ID!]!) { mergeCustomers(survivorId: $s, mergedIds: $m) { mergedIds userErrors { message } } }',
      { s: survivor.id, m: [customer.id] }, 'mergeCustomers')
  }
  if (d.gone === 'customer') await ok(ctx, ctx.adminToken, 'mutation($id: ID!) { deleteCustomer(id: $id) { deletedId userErrors { message } } }', { id: customer.id }, 'deleteCustomer')
}
