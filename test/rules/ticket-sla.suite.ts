import t from 'tap'
import fc from 'fast-check'
import { addBusinessMinutes, addBusinessMs, businessMsBetween, type WorkingCalendar } from '../../src/rules/business-hours.js'
import { runningSegments, slaState, type StatusEntry } from '../../src/rules/ticket-sla.js'
import type { TicketStatus } from '../../src/rules/ticket-status.js'

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const cal: WorkingCalendar = {
  timeZone: 'Asia/Shanghai', workingDays: [1, 2, 3, 4, 5], intervals: [[540, 720], [780, 1080]], holidays: new Set(), workdays: new Set()
}
const iso = (s: string) => new Date(s)
const targets = { firstResponseMinutes: 60, resolutionMinutes: 480 }
const T0 = Date.UTC(2025, 2, 3) // Monday 3 March 2025, 08:00 in Shanghai

t.test('worked example: opened Friday 17:30 in Shanghai with 60 business minutes is due Monday 09:30', async (t) => {
  const opened = iso('2025-03-07T17:30:00+08:00')
  const s = slaState(cal, targets, [{ at: opened, to: 'open' }], null, opened)
  t.same(s.firstResponseDueAt, iso('2025-03-10T09:30:00+08:00'))
  // 480 minutes: 30 on Friday, 450 on Monday (09:00–12:00, 13:00–17:30).
  t.same(s.resolutionDueAt, iso('2025-03-10T17:30:00+08:00'))
  t.equal(s.firstResponseBusinessMinutes, null)
  t.equal(s.resolutionBusinessMinutes, null)
})

t.test('waiting_customer pauses both clocks; the due times move by the paused business time', async (t) => {
  const history: StatusEntry[] = [
    { at: iso('2025-03-10T09:00:00+08:00'), to: 'open' },
    { at: iso('2025-03-10T09:20:00+08:00'), to: 'waiting_customer' },
    { at: iso('2025-03-10T14:00:00+08:00'), to: 'in_progress' }
  ]
  const s = slaState(cal, targets, history, null, iso('2025-03-10T14:05:00+08:00'))
  // 20 minutes before the pause, 40 after it: due 14:40.
  t.same(s.firstResponseDueAt, iso('2025-03-10T14:40:00+08:00'))
  // While paused, nothing is due.
  const paused = slaState(cal, targets, history.slice(0, 2), null, iso('2025-03-10T11:00:00+08:00'))
  t.equal(paused.firstResponseDueAt, null)
  t.equal(paused.resolutionDueAt, null)
})

t.test('a due time once reached stays set, even if the ticket is paused afterwards (the breach scan finds it)', async (t) => {
  const history: StatusEntry[] = [
    { at: iso('2025-03-10T09:00:00+08:00'), to: 'open' },
    { at: iso('2025-03-10T11:00:00+08:00'), to: 'waiting_customer' }
  ]
  const s = slaState(cal, targets, history, null, iso('2025-03-10T15:00:00+08:00'))
  t.same(s.firstResponseDueAt, iso('2025-03-10T10:00:00+08:00'))
  t.equal(s.resolutionDueAt, null, 'the resolution clock stopped at 120 of 480 minutes')
})

t.test('the first public reply stops the first-response clock; resolving stops the resolution clock; reopen restarts it', async (t) => {
  const history: StatusEntry[] = [
    { at: iso('2025-03-10T09:00:00+08:00'), to: 'open' },
    { at: iso('2025-03-10T09:10:00+08:00'), to: 'in_progress' },
    { at: iso('2025-03-10T10:00:00+08:00'), to: 'resolved' }
  ]
  const replied = iso('2025-03-10T09:45:00+08:00')
  const s = slaState(cal, targets, history, replied, iso('2025-03-10T11:00:00+08:00'))
  t.equal(s.firstResponseDueAt, null, 'answered before the target')
  t.equal(s.firstResponseBusinessMinutes, 45)
  t.equal(s.resolutionDueAt, null)
  t.equal(s.resolutionBusinessMinutes, 60)
  const reopened = [...history, { at: iso('2025-03-11T09:00:00+08:00'), to: 'in_progress' as const }]
  const r = slaState(cal, targets, reopened, replied, iso('2025-03-11T09:30:00+08:00'))
  // 60 worked before, 420 more from Tuesday 09:00: 09:00–12:00 (180), 13:00–17:00 (240).
  t.same(r.resolutionDueAt, iso('2025-03-11T17:00:00+08:00'))
  t.equal(r.resolutionBusinessMinutes, null, 'not resolved now')
  const late = slaState(cal, targets, [history[0]], iso('2025-03-10T11:00:00+08:00'), iso('2025-03-10T11:00:00+08:00'))
  t.same(late.firstResponseDueAt, iso('2025-03-10T10:00:00+08:00'), 'a late reply keeps the due time it missed')
  t.equal(late.firstResponseBusinessMinutes, 120)
})

t.test('no target, no due time', async (t) => {
  const s = slaState(cal, { firstResponseMinutes: null, resolutionMinutes: null }, [{ at: new Date(T0), to: 'open' }], null, new Date(T0))
  t.same(s, { firstResponseDueAt: null, resolutionDueAt: null, firstResponseBusinessMinutes: null, resolutionBusinessMinutes: null })
})

/** A random status history: transitions at increasing times over a few weeks. */
const arbHistory: fc.Arbitrary<StatusEntry[]> = fc.array(
  fc.tuple(fc.integer({ min: 1, max: 3 * 24 * 60 }), fc.constantFrom<TicketStatus>('open', 'in_progress', 'waiting_customer', 'resolved')),
  { minLength: 0, maxLength: 8 }
).map((steps) => {
  let at = T0
  const out: StatusEntry[] = [{ at: new Date(at), to: 'open' }]
  for (const [minutes, to] of steps) {
    at += minutes * MINUTE
    if (out[out.length - 1].to !== to) out.push({ at: new Date(at), to })
  }
  return out
})
const arbTarget = fc.integer({ min: 1, max: 40 * 60 })

t.test('property: the resolution due time is the instant the running (not paused) business time reaches the target', async (t) => {
  fc.assert(fc.property(arbHistory, arbTarget, (history, minutes) => {
    const last = history[history.length - 1].at
    const now = new Date(last.getTime() + 60 * 24 * HOUR)
    const due = slaState(cal, { firstResponseMinutes: null, resolutionMinutes: minutes }, history, null, now).resolutionDueAt
    const segments = runningSegments(history, null)
    const worked = (until: Date) => segments.reduce((sum, s) => {
      const to = s.to === null ? until : s.to < until ? s.to : until
      return sum + (to > s.from ? businessMsBetween(cal, s.from, to) : 0)
    }, 0)
    if (due === null) return worked(now) < minutes * MINUTE && segments.every((s) => s.to !== null)
    return worked(due) === minutes * MINUTE && worked(new Date(due.getTime() - 1)) < minutes * MINUTE
  }), { numRuns: 150 })
})

t.test('property: a pause never counts: inserting a waiting_customer span delays the due time by its business time', async (t) => {
  fc.assert(fc.property(arbTarget, fc.integer({ min: 0, max: 40 * 60 }), fc.integer({ min: 1, max: 5 * 24 * 60 }), (minutes, pauseAfter, pauseFor) => {
    const opened = new Date(T0)
    const plain = slaState(cal, { firstResponseMinutes: minutes, resolutionMinutes: minutes }, [{ at: opened, to: 'open' }], null, opened)
    const pauseAt = new Date(T0 + pauseAfter * MINUTE)
    const resume = new Date(pauseAt.getTime() + pauseFor * MINUTE)
    const history: StatusEntry[] = [{ at: opened, to: 'open' }, { at: pauseAt, to: 'waiting_customer' }, { at: resume, to: 'in_progress' }]
    const paused = slaState(cal, { firstResponseMinutes: minutes, resolutionMinutes: minutes }, history, null, resume)
    const due = plain.resolutionDueAt!
    // Paused after the due time: nothing changes. Paused before it: the pause's business time is added.
    const want = pauseAt >= due ? due : addBusinessMs(cal, resume, businessMsBetween(cal, opened, due) - businessMsBetween(cal, opened, pauseAt))
    return paused.resolutionDueAt!.getTime() === want.getTime() && paused.firstResponseDueAt!.getTime() === want.getTime()
  }), { numRuns: 150 })
})

t.test('property: with no pause, the due time is the calendar sum', async (t) => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 14 * 24 * 60 }), arbTarget, (offset, minutes) => {
    const opened = new Date(T0 + offset * MINUTE)
    const s = slaState(cal, { firstResponseMinutes: minutes, resolutionMinutes: null }, [{ at: opened, to: 'open' }], null, opened)
    return s.firstResponseDueAt!.getTime() === addBusinessMinutes(cal, opened, minutes).getTime()
  }), { numRuns: 100 })
})
