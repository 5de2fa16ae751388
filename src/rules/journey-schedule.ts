import { addDays, instantAtLocalMinute, localDateOf, type LocalDate } from './report-period.js'

/**
 * When a journey's waits end and which calendar days its date triggers look for, in the
 * reporting time zone (docs/automation.md). Pure: the time is an argument.
 */

const MINUTE = 60_000

/** The end of a wait step: `minutes` after `now`, or the next `untilTime` (HH:MM) strictly after `now` in `timeZone`. */
export function waitUntil(step: { minutes?: number; untilTime?: string }, now: Date, timeZone: string): Date {
  if (step.minutes !== undefined) return new Date(now.getTime() + step.minutes * MINUTE)
  const [h, m] = step.untilTime!.split(':').map(Number)
  const today = localDateOf(now, timeZone)
  const at = instantAtLocalMinute(today, h * 60 + m, timeZone)
  return at.getTime() > now.getTime() ? at : instantAtLocalMinute(addDays(today, 1), h * 60 + m, timeZone)
}

/**
 * The month and day a date trigger fires for on the local day of `now`: the anniversary
 * `daysBefore` days ahead. Feb 29 anniversaries fall on Feb 28 in other years.
 */
export function anniversaryTargets(now: Date, timeZone: string, daysBefore: number): { month: number; day: number }[] {
  const target: LocalDate = addDays(localDateOf(now, timeZone), daysBefore)
  const out = [{ month: target.month, day: target.day }]
  if (target.month === 2 && target.day === 28 && !isLeap(target.year)) out.push({ month: 2, day: 29 })
  return out
}

/** The start of the local day of `now`: inactivity counts whole days back from it. */
export function inactiveSince(now: Date, timeZone: string, days: number): Date {
  return instantAtLocalMinute(addDays(localDateOf(now, timeZone), -days), 0, timeZone)
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
}
