import { addDays, instantAtLocalMinute, localDateOf } from './report-period.js'

/**
 * Quiet hours (docs/guardrails.md): no customer message while the customer's wall clock is
 * inside [start, end). Minutes after local midnight; start > end is a window across
 * midnight (21:00–09:00, the default), start = end means no quiet hours at all.
 */
export type QuietHours = { startMinute: number; endMinute: number }

export const defaultQuietHours: QuietHours = { startMinute: 21 * 60, endMinute: 9 * 60 }

const formatters = new Map<string, Intl.DateTimeFormat>()

/** The zone's wall-clock minute of the day at an instant. */
export function localMinuteOf(at: Date, timeZone: string): number {
  let f = formatters.get(timeZone)
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', hour: '2-digit', minute: '2-digit' })
    formatters.set(timeZone, f)
  }
  let hour = 0
  let minute = 0
  for (const p of f.formatToParts(at)) {
    if (p.type === 'hour') hour = Number(p.value) % 24
    if (p.type === 'minute') minute = Number(p.value)
  }
  return hour * 60 + minute
}

/** "HH:MM" → minutes after midnight, or null when it is not a time of day. */
export function parseTimeOfDay(text: string): number | null {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text)
  return m ? Number(m[1]) * 60 + Number(m[2]) : null
}

/** Whether a local minute of the day falls in the quiet window. */
export function isQuietMinute(minute: number, q: QuietHours): boolean {
  if (q.startMinute === q.endMinute) return false
  return q.startMinute > q.endMinute
    ? minute >= q.startMinute || minute < q.endMinute
    : minute >= q.startMinute && minute < q.endMinute
}

/**
 * When a message may go out: null when `now` is outside the quiet window (send now), else
 * the next instant the customer's clock shows the window's end (the `send_after` of a held message).
 */
export function quietUntil(now: Date, timeZone: string, q: QuietHours = defaultQuietHours): Date | null {
  const minute = localMinuteOf(now, timeZone)
  if (!isQuietMinute(minute, q)) return null
  const today = localDateOf(now, timeZone)
  // Across midnight and already past the start: the window ends tomorrow.
  const endDay = q.startMinute > q.endMinute && minute >= q.startMinute ? addDays(today, 1) : today
  const until = instantAtLocalMinute(endDay, q.endMinute, timeZone)
  // A daylight-saving jump can put the computed end at or before now: the window is over.
  return until.getTime() > now.getTime() ? until : null
}

/** Why a message was held, for its `reason`. */
export const QUIET_REASON = 'quiet_hours'
