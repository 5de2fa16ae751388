import t from 'tap'
import fc from 'fast-check'
import {
  defaultFollowUpPolicy, dueFollowUpActions, lastTouch, policyFor, slaOnAssignment, watchedStatuses,
  type FollowUpPolicy, type LeadTimes
} from '../../src/rules/follow-up.js'
import { leadStatuses } from '../../src/rules/lead-status.js'

const HOUR = 3_600_000
const DAY = 24 * HOUR
const T0 = new Date('2030-01-01T00:00:00Z')
const at = (ms: number) => new Date(T0.getTime() + ms)
const policy = defaultFollowUpPolicy

/** A lead assigned at T0 with the default policy's times, nothing done yet. */
function assigned(over: Partial<LeadTimes> = {}): LeadTimes {
  const sla = slaOnAssignment(policy, T0)
  return {
    status: 'new', ownerId: 'owner', createdAt: T0, assignedAt: T0, firstContactedAt: null, lastActivityAt: null,
    nextFollowUpAt: sla.nextFollowUpAt, firstContactDueAt: sla.firstContactDueAt, firstContactBreachedAt: null, followUpBreachedAt: null,
    ...over
  }
}
const kinds = (lead: LeadTimes, now: Date, p: FollowUpPolicy = policy) => dueFollowUpActions(lead, p, now).map((a) => a.kind)

t.test('the default policy: first contact within 72 hours, a follow-up after 7 days, dormant after 30', async (t) => {
  t.same(slaOnAssignment(policy, T0), { firstContactDueAt: at(72 * HOUR), nextFollowUpAt: at(7 * DAY) })
  t.same(kinds(assigned(), at(71 * HOUR)), [])
  t.same(kinds(assigned(), at(72 * HOUR)), ['first_contact_breached'])
  t.same(kinds(assigned({ firstContactBreachedAt: at(73 * HOUR) }), at(8 * DAY)), ['follow_up_due'])
  t.same(kinds(assigned({ firstContactBreachedAt: at(73 * HOUR), followUpBreachedAt: at(8 * DAY) }), at(31 * DAY)), ['dormant'])
})

t.test('a first contact stops the breach; an activity restarts the dormancy clock', async (t) => {
  t.same(kinds(assigned({ firstContactedAt: at(HOUR) }), at(4 * DAY)), [])
  t.same(kinds(assigned({ firstContactedAt: at(HOUR), lastActivityAt: at(20 * DAY), followUpBreachedAt: at(8 * DAY) }), at(31 * DAY)), [])
  t.same(kinds(assigned({ firstContactedAt: at(HOUR), lastActivityAt: at(20 * DAY), followUpBreachedAt: at(8 * DAY) }), at(50 * DAY)), ['dormant'])
})

t.test('a follow-up moved later by the rep is due again at its new time, once', async (t) => {
  const done = assigned({ firstContactedAt: at(HOUR), followUpBreachedAt: at(8 * DAY), nextFollowUpAt: at(14 * DAY), lastActivityAt: at(10 * DAY) })
  t.same(kinds(done, at(13 * DAY)), [])
  t.same(kinds(done, at(14 * DAY)), ['follow_up_due'])
  t.same(kinds({ ...done, followUpBreachedAt: at(14 * DAY) }, at(15 * DAY)), [])
})

t.test('closed, dormant and unowned leads are not watched', async (t) => {
  for (const status of ['converted', 'disqualified', 'dormant'] as const) t.same(kinds(assigned({ status }), at(60 * DAY)), [], status)
  t.same(kinds(assigned({ ownerId: null }), at(60 * DAY)), [])
})

t.test('a dormant lead gets no follow-up task, but a missed first contact is still recorded', async (t) => {
  t.same(kinds(assigned(), at(31 * DAY)), ['first_contact_breached', 'dormant'])
})

t.test("policies: a source's own, else '*', else the built-in default", async (t) => {
  const star = { ...policy, source: '*', dormantDays: 10 }
  const web = { ...policy, source: 'website', firstContactHours: 4 }
  t.equal(policyFor('website', [star, web]), web)
  t.equal(policyFor('referral', [star, web]), star)
  t.equal(policyFor('referral', [web]), defaultFollowUpPolicy)
  t.same(kinds(assigned({ firstContactDueAt: null }), at(5 * HOUR), web), ['first_contact_breached'], 'due time derived from the policy when not stored')
})

// --- properties ---------------------------------------------------------------------

const maybeTime = fc.option(fc.integer({ min: 0, max: 90 * DAY }).map(at), { nil: null })
const arbLead: fc.Arbitrary<LeadTimes> = fc.record({
  status: fc.constantFrom(...leadStatuses), ownerId: fc.option(fc.constant('owner'), { nil: null }), createdAt: fc.constant(T0),
  assignedAt: maybeTime, firstContactedAt: maybeTime, lastActivityAt: maybeTime, nextFollowUpAt: maybeTime,
  firstContactDueAt: maybeTime, firstContactBreachedAt: maybeTime, followUpBreachedAt: maybeTime
})
const arbPolicy: fc.Arbitrary<FollowUpPolicy> = fc.record({
  source: fc.constant('*'), firstContactHours: fc.integer({ min: 1, max: 720 }), followUpDays: fc.integer({ min: 1, max: 365 }), dormantDays: fc.integer({ min: 1, max: 120 })
})
const arbNow = fc.integer({ min: 0, max: 200 * DAY }).map(at)

t.test('property: time is the only clock — the same inputs give the same actions', async () => {
  fc.assert(fc.property(arbLead, arbPolicy, arbNow, (l, p, now) =>
    JSON.stringify(dueFollowUpActions(l, p, now)) === JSON.stringify(dueFollowUpActions({ ...l }, { ...p }, new Date(now)))))
})

t.test('property: once recorded, a breach or a follow-up is never due again for the same times', async () => {
  fc.assert(fc.property(arbLead, arbPolicy, arbNow, fc.integer({ min: 0, max: 30 * DAY }), (l, p, now, later) => {
    const due = dueFollowUpActions(l, p, now)
    const after: LeadTimes = {
      ...l,
      ...(due.some((a) => a.kind === 'first_contact_breached') ? { firstContactBreachedAt: now } : {}),
      ...(due.some((a) => a.kind === 'follow_up_due') ? { followUpBreachedAt: now } : {}),
      ...(due.some((a) => a.kind === 'dormant') ? { status: 'dormant' as const } : {})
    }
    const again = dueFollowUpActions(after, p, new Date(now.getTime() + later)).map((a) => a.kind)
    return due.every((a) => !again.includes(a.kind))
  }))
})

t.test('property: nothing is due for unwatched or unowned leads, and nothing is due before its time', async () => {
  fc.assert(fc.property(arbLead, arbPolicy, arbNow, (l, p, now) => {
    const due = dueFollowUpActions(l, p, now)
    if (!watchedStatuses.includes(l.status) || l.ownerId === null) return due.length === 0
    return due.every((a) => a.kind === 'dormant'
      ? now.getTime() >= lastTouch(l).getTime() + p.dormantDays * DAY
      : now >= a.dueAt)
  }))
})

t.test('property: a lead that goes dormant gets no follow-up task in the same pass', async () => {
  fc.assert(fc.property(arbLead, arbPolicy, arbNow, (l, p, now) => {
    const k = dueFollowUpActions(l, p, now).map((a) => a.kind)
    return !(k.includes('dormant') && k.includes('follow_up_due'))
  }))
})

t.test('property: breaching is monotonic in time — what is due stays due later until recorded', async () => {
  fc.assert(fc.property(arbLead, arbPolicy, arbNow, fc.integer({ min: 0, max: 30 * DAY }), (l, p, now, later) => {
    const before = dueFollowUpActions(l, p, now).map((a) => a.kind).filter((k) => k !== 'follow_up_due')
    const after = dueFollowUpActions(l, p, new Date(now.getTime() + later)).map((a) => a.kind)
    return before.every((k) => after.includes(k))
  }))
})
