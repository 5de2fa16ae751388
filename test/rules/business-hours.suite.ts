import t from 'tap'
import fc from 'fast-check'
import {
  addBusinessMinutes, addBusinessMs, businessMinutesBetween, businessMsBetween, calendarProblem, isWorkingDate, type WorkingCalendar
} from '../../src/rules/business-hours.js'

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR
/** Monday to Friday 09:00–12:00 and 13:00–18:00: the default calendar of migration 0013. */
const LUNCH: Array<[number, number]> = [[540, 720], [780, 1080]]

function calendar(over: Partial<WorkingCalendar> = {}): WorkingCalendar {
  return { timeZone: 'Asia/Shanghai', workingDays: [1, 2, 3, 4, 5], intervals: LUNCH, holidays: new Set(), workdays: new Set(), ...over }
}
const iso = (s: string) => new Date(s)

/** DST-free zones, one with a half hour and one with a quarter hour offset. */
const fixedZones = ['Asia/Shanghai', 'Asia/Kolkata', 'Asia/Kathmandu', 'UTC'] as const

/** Sorted, non-overlapping intervals of whole minutes in a day (lunch breaks and split shifts). */
const arbIntervals = fc.uniqueArray(fc.integer({ min: 0, max: 1440 }), { minLength: 2, maxLength: 6 })
  .filter((xs) => xs.length % 2 === 0)
  .map((xs) => {
    const s = [...xs].sort((a, b) => a - b)
    const out: Array<[number, number]> = []
    for (let i = 0; i < s.length; i += 2) out.push([s[i], s[i + 1]])
    return out
  })
const arbWorkingDays = fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 7 })
const T0 = Date.UTC(2025, 0, 1)
const arbInstant = fc.integer({ min: 0, max: 400 * DAY }).map((ms) => new Date(T0 + ms))
const arbDate = fc.integer({ min: 0, max: 400 }).map((d) => new Date(T0 + d * DAY).toISOString().slice(0, 10))
const arbCalendar = fc.record({
  timeZone: fc.constantFrom(...fixedZones),
  workingDays: arbWorkingDays,
  intervals: arbIntervals,
  holidays: fc.uniqueArray(arbDate, { maxLength: 20 }).map((xs) => new Set(xs)),
  workdays: fc.uniqueArray(arbDate, { maxLength: 5 }).map((xs) => new Set(xs))
})
const arbMs = fc.integer({ min: 1, max: 60 * 10 * HOUR })
const runs = { numRuns: 100 }
const weekly = (cal: WorkingCalendar) => cal.workingDays.length * cal.intervals.reduce((s, [a, b]) => s + (b - a) * MINUTE, 0)
/** A calendar and an amount of business time it reaches within a year or so (a 1-minute week would need centuries). */
const arbCalendarMs = fc.tuple(arbCalendar, fc.double({ min: 0, max: 1, noNaN: true }))
  .map(([cal, f]) => [cal, 1 + Math.floor(f * weekly(cal) * 30)] as const)

t.test('adding business time then measuring it gives it back, in every DST-free zone', async (t) => {
  fc.assert(fc.property(arbCalendarMs, arbInstant, ([cal, ms], start) => {
    const end = addBusinessMs(cal, start, ms)
    return end > start && businessMsBetween(cal, start, end) === ms
  }), runs)
  fc.assert(fc.property(arbCalendarMs, arbInstant, ([cal, ms], start) => {
    const minutes = Math.ceil(ms / MINUTE)
    return businessMinutesBetween(cal, start, addBusinessMinutes(cal, start, minutes)) === minutes
  }), runs)
})

t.test('the due instant is the first one that reaches the target: a moment earlier falls short', async (t) => {
  fc.assert(fc.property(arbCalendarMs, arbInstant, ([cal, ms], start) => {
    const end = addBusinessMs(cal, start, ms)
    return businessMsBetween(cal, start, new Date(end.getTime() - 1)) === ms - 1
  }), runs)
})

t.test('measuring is additive over any split point', async (t) => {
  fc.assert(fc.property(arbCalendar, arbInstant, arbInstant, arbInstant, (cal, x, y, z) => {
    const [a, b, c] = [x, y, z].sort((p, q) => p.getTime() - q.getTime())
    return businessMsBetween(cal, a, b) + businessMsBetween(cal, b, c) === businessMsBetween(cal, a, c)
  }), runs)
})

t.test('adding is associative: adding a then b is adding a + b', async (t) => {
  fc.assert(fc.property(arbCalendarMs, arbInstant, fc.double({ min: 0, max: 1, noNaN: true }), ([cal, total], start, f) => {
    const a = Math.max(1, Math.floor(total * f))
    const b = Math.max(1, total - a)
    return addBusinessMs(cal, addBusinessMs(cal, start, a), b).getTime() === addBusinessMs(cal, start, a + b).getTime()
  }), runs)
})

t.test('measuring never exceeds wall-clock time, and is zero backwards', async (t) => {
  fc.assert(fc.property(arbCalendar, arbInstant, arbInstant, (cal, a, b) => {
    const m = businessMsBetween(cal, a, b)
    return b <= a ? m === 0 : m >= 0 && m <= b.getTime() - a.getTime()
  }), runs)
})

t.test('a holiday never counts, and a make-up workday counts like a working weekday', async (t) => {
  fc.assert(fc.property(arbCalendar, arbDate, (cal, date) => {
    const dayStart = new Date(`${date}T00:00:00Z`)
    // The whole local day, in a generous window, measured with the date as a holiday and as a make-up workday.
    const from = new Date(dayStart.getTime() - DAY)
    const to = new Date(dayStart.getTime() + 2 * DAY)
    const asHoliday = { ...cal, holidays: new Set([...cal.holidays, date]), workdays: new Set([...cal.workdays].filter((d) => d !== date)) }
    const asWorkday = { ...cal, workdays: new Set([...cal.workdays, date]) }
    const off = { ...cal, workingDays: [] as number[], holidays: new Set<string>(), workdays: new Set([date]) }
    const dayLength = cal.intervals.reduce((s, [a, b]) => s + (b - a) * MINUTE, 0)
    return !isWorkingDate(asHoliday, parse(date)) && isWorkingDate(asWorkday, parse(date)) &&
      businessMsBetween(asWorkday, from, to) - businessMsBetween(asHoliday, from, to) === dayLength &&
      businessMsBetween(off, from, to) === dayLength
  }), { numRuns: 60 })
})

t.test('a calendar with no working time throws instead of looping', async (t) => {
  const never = calendar({ workingDays: [] })
  t.throws(() => addBusinessMinutes(never, iso('2025-01-06T00:00:00Z'), 1), RangeError)
  t.equal(businessMsBetween(never, iso('2025-01-01T00:00:00Z'), iso('2025-12-31T00:00:00Z')), 0)
  // Adding nothing needs no working time.
  t.same(addBusinessMinutes(never, iso('2025-01-06T00:00:00Z'), 0), iso('2025-01-06T00:00:00Z'))
})

t.test('calendarProblem names what is wrong with a working week', async (t) => {
  t.equal(calendarProblem({ workingDays: [1, 2, 3, 4, 5], intervals: LUNCH }), null)
  t.equal(calendarProblem({ workingDays: [], intervals: LUNCH }), null, 'only make-up days work: allowed')
  t.match(calendarProblem({ workingDays: [0], intervals: LUNCH }), /ISO weekdays/)
  t.match(calendarProblem({ workingDays: [8], intervals: LUNCH }), /ISO weekdays/)
  t.match(calendarProblem({ workingDays: [1.5], intervals: LUNCH }), /ISO weekdays/)
  t.match(calendarProblem({ workingDays: [1, 1], intervals: LUNCH }), /twice/)
  t.match(calendarProblem({ workingDays: [1], intervals: [] }), /at least one interval/)
  t.match(calendarProblem({ workingDays: [1], intervals: [[600, 600]] }), /0 ≤ start < end ≤ 1440/)
  t.match(calendarProblem({ workingDays: [1], intervals: [[600, 1441]] }), /0 ≤ start < end ≤ 1440/)
  t.match(calendarProblem({ workingDays: [1], intervals: [[-1, 60]] }), /0 ≤ start < end ≤ 1440/)
  t.match(calendarProblem({ workingDays: [1], intervals: [[780, 1080], [540, 720]] }), /sorted/)
  t.match(calendarProblem({ workingDays: [1], intervals: [[540, 800], [780, 1080]] }), /overlap/)
  t.equal(calendarProblem({ workingDays: [1], intervals: [[0, 720], [720, 1440]] }), null, 'touching intervals are fine')
})

t.test('worked examples (Shanghai, the default week with a lunch break)', async (t) => {
  const cal = calendar()
  // Friday 17:30: 30 minutes on Friday, 30 more on Monday morning.
  t.same(addBusinessMinutes(cal, iso('2025-03-07T17:30:00+08:00'), 60), iso('2025-03-10T09:30:00+08:00'))
  // 11:30 + 60 minutes skips the lunch hour.
  t.same(addBusinessMinutes(cal, iso('2025-03-05T11:30:00+08:00'), 60), iso('2025-03-05T13:30:00+08:00'))
  // Opened during lunch: the clock starts at 13:00.
  t.same(addBusinessMinutes(cal, iso('2025-03-05T12:15:00+08:00'), 30), iso('2025-03-05T13:30:00+08:00'))
  // Opened on Saturday night: Monday 09:00 is minute zero.
  t.same(addBusinessMinutes(cal, iso('2025-03-08T22:00:00+08:00'), 480), iso('2025-03-10T18:00:00+08:00'))
  // A working day is 8 hours: 24 business hours are three working days.
  t.same(addBusinessMinutes(cal, iso('2025-03-10T09:00:00+08:00'), 24 * 60), iso('2025-03-12T18:00:00+08:00'))
  t.equal(businessMinutesBetween(cal, iso('2025-03-07T17:30:00+08:00'), iso('2025-03-10T09:30:00+08:00')), 60)
  // Ending exactly at the end of a span: the due time is 18:00, not the next morning.
  t.same(addBusinessMinutes(cal, iso('2025-03-05T17:00:00+08:00'), 60), iso('2025-03-05T18:00:00+08:00'))
})

t.test('worked example: National Day 2025 (Oct 1–8 off, Sunday Sep 28 and Saturday Oct 11 worked)', async (t) => {
  const holidays = ['2025-10-01', '2025-10-02', '2025-10-03', '2025-10-04', '2025-10-05', '2025-10-06', '2025-10-07', '2025-10-08']
  const cal = calendar({ holidays: new Set(holidays), workdays: new Set(['2025-09-28', '2025-10-11']) })
  // Saturday Sep 27 evening: the make-up Sunday Sep 28 works.
  t.same(addBusinessMinutes(cal, iso('2025-09-27T20:00:00+08:00'), 60), iso('2025-09-28T10:00:00+08:00'))
  // Tuesday Sep 30 at 17:00, two hours: one on Sep 30, one on Thursday Oct 9 after the whole holiday week.
  t.same(addBusinessMinutes(cal, iso('2025-09-30T17:00:00+08:00'), 120), iso('2025-10-09T10:00:00+08:00'))
  // Friday Oct 10 at 17:00, two hours: the make-up Saturday Oct 11 works.
  t.same(addBusinessMinutes(cal, iso('2025-10-10T17:00:00+08:00'), 120), iso('2025-10-11T10:00:00+08:00'))
  // Measured across the holiday: only Sep 30 17:00–18:00 and Oct 9 09:00–10:00.
  t.equal(businessMinutesBetween(cal, iso('2025-09-30T17:00:00+08:00'), iso('2025-10-09T10:00:00+08:00')), 120)
  t.equal(businessMinutesBetween(cal, iso('2025-10-01T00:00:00+08:00'), iso('2025-10-09T00:00:00+08:00')), 0)
  t.ok(isWorkingDate(cal, parse('2025-10-11')))
  t.notOk(isWorkingDate(cal, parse('2025-10-06')))
})

t.test('offsets of half and quarter hours: Kolkata (+5:30) and Kathmandu (+5:45)', async (t) => {
  const kolkata = calendar({ timeZone: 'Asia/Kolkata', intervals: [[570, 1050]] })
  // Friday 18:00 in Kolkata with 30 minutes → Monday 10:00 (09:30 + 30).
  t.same(addBusinessMinutes(kolkata, iso('2025-03-07T18:00:00+05:30'), 30), iso('2025-03-10T10:00:00+05:30'))
  const kathmandu = calendar({ timeZone: 'Asia/Kathmandu' })
  t.same(addBusinessMinutes(kathmandu, iso('2025-03-07T17:30:00+05:45'), 60), iso('2025-03-10T09:30:00+05:45'))
  t.equal(businessMinutesBetween(kathmandu, iso('2025-03-10T08:00:00+05:45'), iso('2025-03-10T20:00:00+05:45')), 480)
  const utc = calendar({ timeZone: 'UTC' })
  t.same(addBusinessMinutes(utc, iso('2025-03-07T17:30:00Z'), 60), iso('2025-03-10T09:30:00Z'))
})

t.test('a whole-day calendar (24/7) counts wall-clock time', async (t) => {
  fc.assert(fc.property(fc.constantFrom(...fixedZones), arbInstant, arbMs, (timeZone, start, ms) => {
    const cal = calendar({ timeZone, workingDays: [1, 2, 3, 4, 5, 6, 7], intervals: [[0, 1440]] })
    return addBusinessMs(cal, start, ms).getTime() === start.getTime() + ms
  }), runs)
})

t.test('a DST zone: the working hours follow the wall clock across the change (sanity)', async (t) => {
  const berlin = calendar({ timeZone: 'Europe/Berlin' })
  // Friday 28 March 2025 17:30 CET (+1); Monday 31 March is CEST (+2).
  t.same(addBusinessMinutes(berlin, iso('2025-03-28T17:30:00+01:00'), 60), iso('2025-03-31T09:30:00+02:00'))
  const ny = calendar({ timeZone: 'America/New_York', workingDays: [1, 2, 3, 4, 5, 6, 7], intervals: [[0, 1440]] })
  // Sunday 9 March 2025 is 23 hours long in New York: the whole day counts 23 hours.
  t.equal(businessMsBetween(ny, iso('2025-03-09T00:00:00-05:00'), iso('2025-03-10T00:00:00-04:00')), 23 * HOUR)
  // Adding then measuring still gives back what was added around both changes.
  fc.assert(fc.property(fc.constantFrom('Europe/Berlin', 'America/New_York'), arbInstant, arbMs, (timeZone, start, ms) => {
    const cal = calendar({ timeZone })
    return businessMsBetween(cal, start, addBusinessMs(cal, start, ms)) === ms
  }), { numRuns: 60 })
})

function parse(date: string) {
  const [year, month, day] = date.split('-').map(Number)
  return { year, month, day }
}
