/**
 * Business-hours arithmetic over a working calendar (docs/service.md, "SLA calendar"): pure,
 * the clock is an argument. A working day is a working weekday that is not a holiday, or a
 * make-up working day (调休) whatever its weekday; its working time is the calendar's
 * intervals of wall-clock minutes in the zone. Everything is counted in milliseconds, so
 * adding then measuring gives back exactly what was added.
 */
import { addDays, formatLocalDate, instantAtLocalMinute, isoWeekday, localDateOf, type LocalDate } from './report-period.js'

export type WorkingCalendar = {
  timeZone: string
  /** ISO weekdays that work: 1 = Monday … 7 = Sunday. */
  workingDays: readonly number[]
  /** A working day's hours: [start, end) minutes after local midnight, sorted, not overlapping. */
  intervals: readonly (readonly [number, number])[]
  /** Local dates (YYYY-MM-DD) off work although their weekday works: public holidays. */
  holidays: ReadonlySet<string>
  /** Local dates (YYYY-MM-DD) that work although their weekday does not: make-up working days. */
  workdays: ReadonlySet<string>
}

const MINUTE = 60_000
/** How far ahead the arithmetic looks for working time before calling the calendar empty. */
const HORIZON_DAYS = 3_700

/** Why a calendar cannot be used, or null: bad weekdays or intervals. */
export function calendarProblem(cal: Pick<WorkingCalendar, 'workingDays' | 'intervals'>): string | null {
  if (cal.workingDays.some((d) => !Number.isInteger(d) || d < 1 || d > 7)) return 'working days are ISO weekdays 1 (Monday) to 7 (Sunday)'
  if (new Set(cal.workingDays).size !== cal.workingDays.length) return 'a working day is listed twice'
  let end = 0
  for (const [from, to] of cal.intervals) {
    if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to > 1440 || from >= to) return 'each interval is [start, end) minutes with 0 ≤ start < end ≤ 1440'
    if (from < end) return 'intervals must be sorted and must not overlap'
    end = to
  }
  if (cal.intervals.length === 0) return 'a working day needs at least one interval'
  return null
}

/** Whether a local date works. */
export function isWorkingDate(cal: WorkingCalendar, date: LocalDate): boolean {
  const key = formatLocalDate(date)
  if (cal.workdays.has(key)) return true
  if (cal.holidays.has(key)) return false
  return cal.workingDays.includes(isoWeekday(date))
}

/** The working spans of one local date, as instants. */
function spansOf(cal: WorkingCalendar, date: LocalDate): Array<[number, number]> {
  if (!isWorkingDate(cal, date)) return []
  return cal.intervals.map(([from, to]) => [
    instantAtLocalMinute(date, from, cal.timeZone).getTime(),
    instantAtLocalMinute(date, to, cal.timeZone).getTime()
  ])
}

/** The instant `ms` of working time after `start` (start itself when ms ≤ 0). */
export function addBusinessMs(cal: WorkingCalendar, start: Date, ms: number): Date {
  if (ms <= 0) return start
  let left = ms
  const from = start.getTime()
  // The day before too: a span of yesterday's date may still be running in an odd zone.
  let date = addDays(localDateOf(start, cal.timeZone), -1)
  for (let i = 0; i < HORIZON_DAYS; i++, date = addDays(date, 1)) {
    for (const [s, e] of spansOf(cal, date)) {
      const begin = Math.max(s, from)
      if (begin >= e) continue
      if (left <= e - begin) return new Date(begin + left)
      left -= e - begin
    }
  }
  throw new RangeError('the working calendar has no working time in the next ten years')
}

/** Working time between two instants, in ms (0 when `to` is not after `from`). */
export function businessMsBetween(cal: WorkingCalendar, from: Date, to: Date): number {
  const a = from.getTime()
  const b = to.getTime()
  if (b <= a) return 0
  let total = 0
  let date = addDays(localDateOf(from, cal.timeZone), -1)
  const last = formatLocalDate(localDateOf(to, cal.timeZone))
  for (;;) {
    for (const [s, e] of spansOf(cal, date)) {
      const lo = Math.max(s, a)
      const hi = Math.min(e, b)
      if (hi > lo) total += hi - lo
    }
    if (formatLocalDate(date) === last) return total
    date = addDays(date, 1)
  }
}

export const addBusinessMinutes = (cal: WorkingCalendar, start: Date, minutes: number): Date => addBusinessMs(cal, start, minutes * MINUTE)

/** Whole business minutes between two instants (rounded down). */
export const businessMinutesBetween = (cal: WorkingCalendar, from: Date, to: Date): number => Math.floor(businessMsBetween(cal, from, to) / MINUTE)
