import t from 'tap'
import type { StaffUser } from '../../src/rules/lead-assignment.js'
import {
  decideTicketRouting, ticketRotation, ticketRuleMismatch,
  type TicketFacts, type TicketRoutingContext, type TicketRoutingRule
} from '../../src/rules/ticket-routing.js'

const id = (n: number) => `01900000-0000-7000-8000-${String(n).padStart(12, '0')}`
const SENIOR = id(900)
const GENERAL = id(901)
const user = (n: number, over: Partial<StaffUser> = {}): StaffUser => ({ id: id(n), role: 'service', active: true, teamId: GENERAL, ...over })
const rule = (n: number, over: Partial<TicketRoutingRule> = {}): TicketRoutingRule => ({
  id: id(500 + n), name: `rule ${n}`, priority: 100, active: true, categories: [], priorities: [], channels: [], customerTiers: [],
  assigneeId: null, queueTeamId: GENERAL, ...over
})
const facts = (over: Partial<TicketFacts> = {}): TicketFacts => ({ category: 'repair', priority: 'normal', channel: 'phone', customerTier: 'B', ...over })
const ctx = (over: Partial<TicketRoutingContext> = {}): TicketRoutingContext =>
  ({ rules: [], users: [user(1), user(2), user(3, { teamId: SENIOR }), user(4, { teamId: SENIOR })], rotations: {}, ...over })

const seniorRule = rule(1, { name: 'A tier to seniors', priority: 10, customerTiers: ['A'], queueTeamId: SENIOR })
const generalRule = rule(2, { name: 'Everything else', priority: 1000 })

t.test("an A-tier customer's ticket goes to the senior queue; others to the general queue", async (t) => {
  const a = decideTicketRouting(facts({ customerTier: 'A' }), ctx({ rules: [generalRule, seniorRule] }))
  t.match(a, { assigneeId: id(3), queueTeamId: SENIOR, via: 'rule', ruleId: seniorRule.id, reason: 'rule:A tier to seniors', rotation: ticketRotation(SENIOR) })
  t.match(a.rules, [{ ruleId: seniorRule.id, matched: true }])
  const b = decideTicketRouting(facts({ customerTier: 'B' }), ctx({ rules: [generalRule, seniorRule] }))
  t.match(b, { assigneeId: id(1), queueTeamId: GENERAL, ruleId: generalRule.id, rotation: ticketRotation(GENERAL) })
  t.match(b.rules, [
    { ruleId: seniorRule.id, matched: false, why: 'customer tier "B" is not in [A]' },
    { ruleId: generalRule.id, matched: true, why: 'all conditions match' }
  ])
  const none = decideTicketRouting(facts({ customerTier: null }), ctx({ rules: [seniorRule] }))
  t.match(none.rules, [{ matched: false, why: 'customer tier is not set in [A]' }])
})

t.test('conditions: every list must match, compared trimmed and case-insensitively; empty lists match anything', async (t) => {
  const r = rule(3, { categories: [' Repair '], priorities: ['high', 'urgent'], channels: ['phone'] })
  t.equal(ticketRuleMismatch(r, facts({ priority: 'urgent' })), null)
  t.equal(ticketRuleMismatch(r, facts()), 'priority "normal" is not in [high, urgent]')
  t.equal(ticketRuleMismatch(r, facts({ priority: 'high', channel: 'email' })), 'channel "email" is not in [phone]')
  t.equal(ticketRuleMismatch(r, facts({ category: 'complaint' })), 'category "complaint" is not in [ Repair ]')
  t.equal(ticketRuleMismatch({ ...r, active: false }, facts({ priority: 'high' })), 'the rule is inactive')
  t.equal(ticketRuleMismatch(rule(4), facts({ customerTier: null })), null)
})

t.test("a rule's user: an active service agent or manager; otherwise the rule is passed over", async (t) => {
  const users = [user(1), user(5, { role: 'manager' }), user(6, { active: false }), user(7, { role: 'sales' })]
  const to = (n: number) => [rule(1, { assigneeId: id(n), queueTeamId: null }), rule(2, { priority: 200, queueTeamId: SENIOR })]
  t.match(decideTicketRouting(facts(), ctx({ users, rules: to(1) })), { assigneeId: id(1), queueTeamId: null, via: 'rule', rotation: null, explanation: 'rule "rule 1" matched: its user' })
  t.match(decideTicketRouting(facts(), ctx({ users, rules: to(5) })), { assigneeId: id(5) })
  for (const n of [6, 7, 99]) {
    const d = decideTicketRouting(facts(), ctx({ users, rules: to(n) }))
    t.match(d, { ruleId: id(502), queueTeamId: SENIOR, assigneeId: null }, `user ${n} is passed over`)
    t.match(d.rules, [{ matched: false, why: /inactive or may not work tickets/ }, { matched: true }])
  }
})

t.test('a queue with no active service agent still holds the ticket, unassigned; managers are not in the rotation', async (t) => {
  const users = [user(3, { teamId: SENIOR, active: false }), user(8, { teamId: SENIOR, role: 'manager' }), user(1)]
  const d = decideTicketRouting(facts({ customerTier: 'A' }), ctx({ users, rules: [seniorRule] }))
  t.match(d, { assigneeId: null, queueTeamId: SENIOR, via: 'rule', rotation: null, reason: 'rule:A tier to seniors', explanation: /waits in the queue/ })
})

t.test('no rule matches: the global rotation of service agents, else unassigned', async (t) => {
  const d = decideTicketRouting(facts(), ctx({ rules: [seniorRule], rotations: { [ticketRotation(null)]: id(1) } }))
  t.match(d, { assigneeId: id(2), queueTeamId: null, via: 'round_robin', rotation: 'ticket:*', reason: 'round_robin:global', explanation: /^no rule matched: / })
  const none = decideTicketRouting(facts(), ctx({ users: [user(1, { active: false }), user(2, { role: 'manager' })] }))
  t.match(none, { assigneeId: null, queueTeamId: null, via: 'unassigned', reason: 'unassigned', rotation: null, explanation: 'no active rule; no active service agent: the ticket is unassigned' })
})

t.test('a ticket rotation never reads a lead rotation of the same team', async (t) => {
  const d = decideTicketRouting(facts(), ctx({ rules: [generalRule], rotations: { [GENERAL]: id(1) } }))
  t.equal(d.assigneeId, id(1), "the lead rotation's position (keyed by the bare team id) is not the ticket one")
  t.equal(ticketRotation(GENERAL), `ticket:${GENERAL}`)
})
