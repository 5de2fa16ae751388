import t from 'tap'
import fc from 'fast-check'
import type { StaffUser } from '../../src/rules/lead-assignment.js'
import {
  canWorkTickets, decideTicketRouting, ticketRotation, ticketRuleMismatch,
  type TicketFacts, type TicketRoutingContext, type TicketRoutingRule
} from '../../src/rules/ticket-routing.js'

const id = (n: number) => `01900000-0000-7000-8000-${String(n).padStart(12, '0')}`
const teams = [id(900), id(901), id(902)]
const arbUser = (n: number) => fc.record({
  id: fc.constant(id(n)), role: fc.constantFrom('service', 'service', 'manager', 'admin', 'sales'),
  active: fc.boolean(), teamId: fc.option(fc.constantFrom(...teams), { nil: null })
})
const arbUsers = fc.uniqueArray(fc.integer({ min: 1, max: 40 }), { maxLength: 12 }).chain((ns) => fc.tuple(...ns.map(arbUser)))
const arbFacts: fc.Arbitrary<TicketFacts> = fc.record({
  category: fc.constantFrom('general', 'complaint', 'repair'), priority: fc.constantFrom('low', 'normal', 'high', 'urgent'),
  channel: fc.constantFrom('phone', 'wechat', 'email'), customerTier: fc.option(fc.constantFrom('A', 'B', 'C'), { nil: null })
})
const sub = <T>(xs: readonly T[]) => fc.subarray([...xs], { maxLength: 2 })
const arbRule = (n: number, users: StaffUser[]): fc.Arbitrary<TicketRoutingRule> => fc.record({
  id: fc.constant(id(500 + n)), name: fc.constant(`r${n}`), priority: fc.integer({ min: 0, max: 5 }), active: fc.boolean(),
  categories: sub(['general', 'complaint', 'repair']), priorities: sub(['low', 'normal', 'high', 'urgent']),
  channels: sub(['phone', 'wechat', 'email']), customerTiers: sub(['A', 'B', 'C']),
  target: fc.oneof(
    fc.constantFrom(...(users.length ? users.map((u) => u.id) : [id(99)]), id(99)).map((u) => ({ assigneeId: u, queueTeamId: null })),
    fc.constantFrom(...teams).map((team) => ({ assigneeId: null, queueTeamId: team })))
}).map(({ target, ...r }) => ({ ...r, ...target }))
const arbCtx: fc.Arbitrary<TicketRoutingContext> = arbUsers.chain((users) => fc.record({
  users: fc.constant(users),
  rules: fc.integer({ min: 0, max: 5 }).chain((k) => fc.tuple(...Array.from({ length: k }, (_, i) => arbRule(i, users)))),
  rotations: fc.dictionary(fc.constantFrom(...teams.map(ticketRotation), ticketRotation(null)), fc.option(fc.constantFrom(...users.map((u) => u.id), id(98)), { nil: null }))
}))

t.test('an inactive user, or one who may not work tickets, is never chosen; a rotation only picks active service agents', async (t) => {
  fc.assert(fc.property(arbFacts, arbCtx, (facts, ctx) => {
    const d = decideTicketRouting(facts, ctx)
    if (d.assigneeId === null) return true
    const u = ctx.users.find((x) => x.id === d.assigneeId)
    if (!u || !canWorkTickets(u)) return false
    if (d.rotation) return u.role === 'service' && (d.queueTeamId === null || u.teamId === d.queueTeamId)
    return true
  }), { numRuns: 500 })
})

t.test('the matched rule is the first matching active rule by priority, and every earlier rule says why not', async (t) => {
  fc.assert(fc.property(arbFacts, arbCtx, (facts, ctx) => {
    const d = decideTicketRouting(facts, ctx)
    const matched = d.rules.filter((r) => r.matched)
    if (d.via !== 'rule') return matched.length === 0 && d.rules.every((r) => r.why.length > 0)
    if (matched.length !== 1 || matched[0].ruleId !== d.ruleId || d.rules.at(-1)?.ruleId !== d.ruleId) return false
    const rule = ctx.rules.find((r) => r.id === d.ruleId)!
    return ticketRuleMismatch(rule, facts) === null && d.reason === `rule:${rule.name}`
  }), { numRuns: 500 })
})

t.test('round robin spreads tickets evenly: n tickets over k agents give each n/k, off by at most one', async (t) => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 8 }), (k, n, start) => {
    const agents = Array.from({ length: k }, (_, i) => ({ id: id(10 + i), role: 'service', active: true, teamId: teams[0] }))
    const others = [{ id: id(60), role: 'service', active: false, teamId: teams[0] }, { id: id(61), role: 'service', active: true, teamId: teams[1] }]
    const rules = [{ id: id(500), name: 'queue', priority: 1, active: true, categories: [], priorities: [], channels: [], customerTiers: [], assigneeId: null, queueTeamId: teams[0] }]
    const key = ticketRotation(teams[0])
    let last: string | null = start < k ? agents[start].id : null
    const counts = new Map<string, number>()
    for (let i = 0; i < n; i++) {
      const d = decideTicketRouting({ category: 'general', priority: 'low', channel: 'web', customerTier: null }, { rules, users: [...agents, ...others], rotations: { [key]: last } })
      if (d.rotation !== key || !d.assigneeId) return false
      counts.set(d.assigneeId, (counts.get(d.assigneeId) ?? 0) + 1)
      last = d.assigneeId
    }
    const values = agents.map((a) => counts.get(a.id) ?? 0)
    return [...counts.keys()].every((k2) => agents.some((a) => a.id === k2)) && Math.max(...values) - Math.min(...values) <= 1
  }), { numRuns: 300 })
})

t.test('deterministic: the same facts and context give the same decision, whatever the order of rules and users', async (t) => {
  fc.assert(fc.property(arbFacts, arbCtx, (facts, ctx) => {
    const a = decideTicketRouting(facts, ctx)
    const b = decideTicketRouting(facts, { ...ctx, rules: [...ctx.rules].reverse(), users: [...ctx.users].reverse() })
    return JSON.stringify(a) === JSON.stringify(b)
  }), { numRuns: 300 })
})
