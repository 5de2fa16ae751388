import fc from 'fast-check'
import t from 'tap'
import { definitionProblems, loopWithoutWait, nextStepKey, reentryCooldownDays, type JourneyDefinition, type JourneyStep } from '../../src/rules/journey-definition.js'
import { anniversaryTargets, inactiveSince, waitUntil } from '../../src/rules/journey-schedule.js'

const EVENTS = ['order.recorded', 'customer.updated']
const def = (steps: JourneyStep[], extra: Partial<JourneyDefinition> = {}): JourneyDefinition => ({ trigger: { type: 'event', eventType: 'order.recorded' }, steps, ...extra })
const codes = (d: JourneyDefinition) => definitionProblems(d, EVENTS).map((p) => `${p.field}:${p.code}`)

t.test('a sound definition has no problems; each broken rule names its field', async (t) => {
  t.same(codes(def([{ key: 'w', type: 'wait', minutes: 60 }, { key: 'b', type: 'branch', condition: {}, then: 'x', else: null }, { key: 'x', type: 'exit' }])), [])
  t.same(codes(def([{ key: 'a', type: 'tag', add: ['x'] }, { key: 'a', type: 'exit' }])), ['steps.1.key:DUPLICATE_KEY'])
  t.same(codes(def([{ key: 'a', type: 'tag', add: ['x'], next: 'z' }])), ['steps.0.next:UNKNOWN_STEP_KEY'])
  t.same(codes(def([{ key: 'A b', type: 'exit' }])), ['steps.0.key:INVALID_KEY'])
  t.same(codes(def([{ key: 'w', type: 'wait' }])), ['steps.0:ONE_OF'])
  t.same(codes(def([{ key: 'w', type: 'wait', untilTime: '9:00' }])), ['steps.0.untilTime:INVALID_TIME'])
  t.same(codes(def([{ key: 't', type: 'tag' }])), ['steps.0:REQUIRED'])
  t.same(codes(def([], {})), ['steps:REQUIRED'])
  t.same(codes(def([{ key: 'x', type: 'exit' }], { trigger: { type: 'event', eventType: 'nope' } })), ['trigger.eventType:UNKNOWN_EVENT'])
  t.same(codes(def([{ key: 'x', type: 'exit' }], { trigger: { type: 'date', field: 'birthday', daysBefore: 61 } })), ['trigger.daysBefore:OUT_OF_RANGE'])
  t.same(codes(def([{ key: 'a', type: 'tag', add: ['x'] }, { key: 'b', type: 'tag', add: ['y'], next: 'a' }])), ['steps:LOOP_WITHOUT_WAIT'])
  t.same(codes(def([{ key: 'a', type: 'tag', add: ['x'] }, { key: 'w', type: 'wait', minutes: 1, next: 'a' }])), [], 'a loop through a wait is fine')
})

t.test('next steps: explicit next, the following step, branches, the end', async (t) => {
  const steps: JourneyStep[] = [{ key: 'a', type: 'tag', add: ['x'] }, { key: 'b', type: 'branch', condition: {}, then: 'd', else: null }, { key: 'c', type: 'exit' }, { key: 'd', type: 'tag', add: ['y'], next: null }]
  t.equal(nextStepKey(steps, 'a'), 'b')
  t.equal(nextStepKey(steps, 'b', 'then'), 'd')
  t.equal(nextStepKey(steps, 'b', 'else'), null)
  t.equal(nextStepKey(steps, 'c'), null)
  t.equal(nextStepKey(steps, 'd'), null)
  t.equal(reentryCooldownDays(def(steps)), null)
  t.equal(reentryCooldownDays(def(steps, { trigger: { type: 'date', field: 'birthday', daysBefore: 0 } })), 300)
})

t.test('property: a graph of non-wait steps is flagged exactly when it has a cycle', async () => {
  fc.assert(fc.property(fc.array(fc.integer({ min: -1, max: 5 }), { minLength: 1, maxLength: 6 }), (targets) => {
    const n = targets.length
    const steps: JourneyStep[] = targets.map((to, i) => ({ key: `s${i}`, type: 'tag', add: ['x'], next: to >= 0 && to < n ? `s${to}` : null }))
    // Follow the single successor from each node: a cycle exists iff some walk revisits.
    let cyclic = false
    for (let start = 0; start < n && !cyclic; start++) {
      const seen = new Set<number>()
      for (let at: number | null = start; at !== null; at = targets[at] >= 0 && targets[at] < n ? targets[at] : null) {
        if (seen.has(at)) { cyclic = true; break }
        seen.add(at)
      }
    }
    return (loopWithoutWait(steps) !== null) === cyclic
  }))
})

t.test('waits and dates in the time zone', async (t) => {
  const now = new Date('2025-03-01T13:30:00Z') // 21:30 in Shanghai
  t.equal(waitUntil({ minutes: 90 }, now, 'Asia/Shanghai').toISOString(), '2025-03-01T15:00:00.000Z')
  t.equal(waitUntil({ untilTime: '09:00' }, now, 'Asia/Shanghai').toISOString(), '2025-03-02T01:00:00.000Z', 'tomorrow 09:00 local')
  t.equal(waitUntil({ untilTime: '22:00' }, now, 'Asia/Shanghai').toISOString(), '2025-03-01T14:00:00.000Z', 'later today')
  t.same(anniversaryTargets(new Date('2025-02-25T16:30:00Z'), 'Asia/Shanghai', 2), [{ month: 2, day: 28 }, { month: 2, day: 29 }], 'Feb 29 on Feb 28 in 2025')
  t.same(anniversaryTargets(new Date('2024-02-27T00:00:00Z'), 'Asia/Shanghai', 1), [{ month: 2, day: 28 }], 'leap year: Feb 29 has its own day')
  t.equal(inactiveSince(now, 'Asia/Shanghai', 30).toISOString(), '2025-01-29T16:00:00.000Z')
  fc.assert(fc.property(fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }), fc.integer({ min: 0, max: 1439 }), (at, minute) => {
    const until = `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`
    const end = waitUntil({ untilTime: until }, at, 'Asia/Shanghai').getTime()
    return end > at.getTime() && end - at.getTime() <= 86_400_000
  }))
})
