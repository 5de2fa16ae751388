import t from 'tap'
import fc from 'fast-check'
import {
  canOwnLeads, decideAssignment, GLOBAL_ROTATION, nextInRotation, ruleMismatch,
  type AssignmentContext, type AssignmentRule, type LeadFacts, type StaffUser
} from '../../src/rules/lead-assignment.js'

const id = (n: number) => `01900000-0000-7000-8000-${String(n).padStart(12, '0')}`
const TEAM_A = id(900)
const TEAM_B = id(901)
const user = (n: number, over: Partial<StaffUser> = {}): StaffUser => ({ id: id(n), role: 'sales', active: true, teamId: TEAM_A, ...over })
const rule = (n: number, over: Partial<AssignmentRule> = {}): AssignmentRule => ({
  id: id(500 + n), name: `rule ${n}`, priority: 100, active: true, sources: [], industries: [], regions: [], campaignIds: [],
  assigneeId: null, teamId: TEAM_A, ...over
})
const facts: LeadFacts = { source: 'referral', industry: 'Finance', region: 'North', campaignId: null }
const ctx = (over: Partial<AssignmentContext> = {}): AssignmentContext =>
  ({ rules: [], users: [user(1), user(2), user(3)], referrerOwnerId: null, fallbackTeamId: null, rotations: {}, ...over })

t.test('the first matching rule by priority wins, and says why the others did not', async (t) => {
  const d = decideAssignment(facts, ctx({
    rules: [
      rule(1, { priority: 50, regions: ['South'], assigneeId: id(1), teamId: null }),
      rule(2, { priority: 80, industries: [' finance '], assigneeId: id(2), teamId: null }),
      rule(3, { priority: 10, sources: ['website'], assigneeId: id(3), teamId: null })
    ]
  }))
  t.match(d, { ownerId: id(2), via: 'rule', ruleId: id(502), reason: 'rule:rule 2' })
  t.match(d.rules, [
    { ruleId: id(503), matched: false, why: /source "referral" is not in \[website\]/ },
    { ruleId: id(501), matched: false, why: /region "North" is not in \[South\]/ },
    { ruleId: id(502), matched: true }
  ])
})

t.test('a rule with a team rotates within that team', async (t) => {
  const rules = [rule(1, { teamId: TEAM_B })]
  const users = [user(1), user(7, { teamId: TEAM_B }), user(8, { teamId: TEAM_B })]
  const first = decideAssignment(facts, ctx({ rules, users }))
  t.match(first, { ownerId: id(7), teamId: TEAM_B, rotation: TEAM_B, via: 'rule' })
  const second = decideAssignment(facts, ctx({ rules, users, rotations: { [TEAM_B]: id(7) } }))
  t.equal(second.ownerId, id(8))
})

t.test('a rule whose user is inactive, or whose team has no rep, is passed over', async (t) => {
  const d = decideAssignment(facts, ctx({
    users: [user(1, { active: false }), user(2, { teamId: null })],
    rules: [rule(1, { assigneeId: id(1), teamId: null }), rule(2, { teamId: TEAM_B })],
    referrerOwnerId: id(2)
  }))
  t.match(d, { ownerId: id(2), via: 'referrer_owner' })
  t.match(d.rules.map((r) => r.why), [/inactive/, /no active sales rep/])
})

t.test("with no rule, the referrer's relationship owner; a manager may own leads, marketing may not", async (t) => {
  t.match(decideAssignment(facts, ctx({ users: [user(4, { role: 'manager' })], referrerOwnerId: id(4) })), { ownerId: id(4), via: 'referrer_owner', reason: 'referrer_owner' })
  const d = decideAssignment(facts, ctx({ users: [user(4, { role: 'marketing' }), user(5, { teamId: TEAM_B })], referrerOwnerId: id(4) }))
  t.match(d, { ownerId: id(5), via: 'round_robin', reason: 'round_robin:global', explanation: /owner is inactive or may not own leads/ })
})

t.test("round-robin falls back to the submitter's team, then the referrer owner's team, then everyone", async (t) => {
  const users = [user(1), user(2, { teamId: TEAM_B }), user(3, { teamId: TEAM_B, role: 'manager', active: false })]
  t.match(decideAssignment(facts, ctx({ users, fallbackTeamId: TEAM_B })), { ownerId: id(2), teamId: TEAM_B, rotation: TEAM_B, reason: 'round_robin:team' })
  t.match(decideAssignment(facts, ctx({ users, referrerOwnerId: id(3) })), { ownerId: id(2), rotation: TEAM_B, explanation: /referrer owner's team/ })
  t.match(decideAssignment(facts, ctx({ users })), { ownerId: id(1), rotation: GLOBAL_ROTATION, reason: 'round_robin:global' })
  t.match(decideAssignment(facts, ctx({ users: [] })), { ownerId: null, via: 'unassigned', reason: 'unassigned', explanation: /pool/ })
})

t.test('conditions: empty lists match anything, a missing fact matches no list, campaigns by id', async (t) => {
  t.equal(ruleMismatch(rule(1), facts), null)
  t.match(ruleMismatch(rule(1, { industries: ['Retail'] }), { ...facts, industry: null }), /industry is not set/)
  t.equal(ruleMismatch(rule(1, { campaignIds: [id(77)] }), { ...facts, campaignId: id(77) }), null)
  t.match(ruleMismatch(rule(1, { campaignIds: [id(77)] }), facts), /campaign/)
  t.match(ruleMismatch(rule(1, { active: false }), facts), /inactive/)
})

// --- properties ---------------------------------------------------------------------

const teams = [TEAM_A, TEAM_B, id(902)]
const arbUser = (n: number) => fc.record({
  id: fc.constant(id(n)), role: fc.constantFrom('sales', 'sales', 'manager', 'admin', 'marketing', 'service'),
  active: fc.boolean(), teamId: fc.option(fc.constantFrom(...teams), { nil: null })
})
const arbUsers = fc.uniqueArray(fc.integer({ min: 1, max: 40 }), { maxLength: 12 }).chain((ns) => fc.tuple(...ns.map(arbUser)))
const text = fc.constantFrom('Finance', 'Retail', 'North', 'South', 'referral', 'website')
const arbFacts: fc.Arbitrary<LeadFacts> = fc.record({
  source: fc.constantFrom('referral', 'website'), industry: fc.option(fc.constantFrom('Finance', 'Retail'), { nil: null }),
  region: fc.option(fc.constantFrom('North', 'South'), { nil: null }), campaignId: fc.option(fc.constantFrom(id(70), id(71)), { nil: null })
})
const arbRule = (n: number, users: StaffUser[]) => fc.record({
  id: fc.constant(id(500 + n)), name: fc.constant(`r${n}`), priority: fc.integer({ min: 0, max: 5 }), active: fc.boolean(),
  sources: fc.uniqueArray(text, { maxLength: 2 }), industries: fc.uniqueArray(text, { maxLength: 2 }), regions: fc.uniqueArray(text, { maxLength: 2 }),
  campaignIds: fc.uniqueArray(fc.constantFrom(id(70), id(71)), { maxLength: 1 }),
  target: fc.oneof(fc.constantFrom(...teams).map((teamId) => ({ assigneeId: null, teamId })),
    fc.constantFrom(id(99), ...users.map((u) => u.id)).map((assigneeId) => ({ assigneeId, teamId: null })))
}).map(({ target, ...r }) => ({ ...r, ...target }))
const arbCtx: fc.Arbitrary<AssignmentContext> = arbUsers.chain((users) => fc.record({
  users: fc.constant(users),
  rules: fc.integer({ min: 0, max: 6 }).chain((k) => fc.tuple(...Array.from({ length: k }, (_, i) => arbRule(i, users)))),
  referrerOwnerId: fc.option(fc.constantFrom(id(99), ...users.map((u) => u.id)), { nil: null }),
  fallbackTeamId: fc.option(fc.constantFrom(...teams), { nil: null }),
  rotations: fc.dictionary(fc.constantFrom(GLOBAL_ROTATION, ...teams), fc.option(fc.constantFrom(...users.map((u) => u.id), id(98)), { nil: null }))
}))

t.test('property: deterministic — the same facts and context always give the same decision', async () => {
  fc.assert(fc.property(arbFacts, arbCtx, (f, c) => {
    const shuffled = { ...c, rules: [...c.rules].reverse() }
    return JSON.stringify(decideAssignment(f, c)) === JSON.stringify(decideAssignment(f, shuffled))
  }))
})

t.test('property: inactive users, and roles that may not own leads, are never chosen', async () => {
  fc.assert(fc.property(arbFacts, arbCtx, (f, c) => {
    const d = decideAssignment(f, c)
    if (d.ownerId === null) return true
    const chosen = c.users.find((u) => u.id === d.ownerId)
    return chosen !== undefined && canOwnLeads(chosen)
  }))
})

t.test('property: first match — a rule decision is the first rule (by priority) that matches and has someone to give to', async () => {
  fc.assert(fc.property(arbFacts, arbCtx, (f, c) => {
    const d = decideAssignment(f, c)
    const ordered = [...c.rules].sort((a, b) => a.priority - b.priority || (a.id < b.id ? -1 : 1))
    const viable = ordered.find((r) => ruleMismatch(r, f) === null && (r.assigneeId
      ? c.users.some((u) => u.id === r.assigneeId && canOwnLeads(u))
      : c.users.some((u) => u.teamId === r.teamId && u.active && u.role === 'sales')))
    return viable ? d.via === 'rule' && d.ruleId === viable.id : d.via !== 'rule'
  }))
})

t.test('property: round-robin visits every eligible rep exactly once per cycle', async () => {
  fc.assert(fc.property(arbFacts, arbCtx, (f, base) => {
    const c = { ...base, rules: [], referrerOwnerId: null }
    const start = decideAssignment(f, c)
    if (start.via !== 'round_robin') return start.via === 'unassigned'
    const key = start.rotation!
    const members = c.users.filter((u) => u.active && u.role === 'sales' && (key === GLOBAL_ROTATION || u.teamId === key)).map((u) => u.id)
    const seen: string[] = []
    let rotations = { ...c.rotations }
    for (let i = 0; i < members.length; i++) {
      const d = decideAssignment(f, { ...c, rotations })
      seen.push(d.ownerId!)
      rotations = { ...rotations, [key]: d.ownerId }
    }
    return seen.length === new Set(seen).size && [...seen].sort().join() === [...members].sort().join()
  }))
})

t.test('property: nextInRotation cycles through the members in a fixed order', async () => {
  fc.assert(fc.property(fc.uniqueArray(fc.integer({ min: 1, max: 99 }), { minLength: 1, maxLength: 10 }), fc.nat(), (ns, k) => {
    const members = ns.map(id)
    let last: string | null = members[k % members.length]
    const order: string[] = []
    for (let i = 0; i < members.length * 2; i++) { last = nextInRotation(members, last); order.push(last!) }
    return order.slice(0, members.length).join() === order.slice(members.length).join() && new Set(order).size === members.length
  }))
})
