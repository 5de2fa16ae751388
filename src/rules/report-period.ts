/**
 * Reporting periods and buckets in a time zone (docs/analytics.md, "Periods"): pure, the
 * clock is an argument. A day is the zone's calendar day, a week starts on Monday (ISO, as
 * PostgreSQL's date_trunc('week')), a month on the 1st. Periods are half-open [from, to).
 */

export type Bucket = 'day' | 'week' | 'month'
export const buckets: readonly Bucket[] = ['day', 'week', 'month']

/** A calendar date in the zone, month 1–12. */
export type LocalDate = { year: number; month: number; day: number }

export type Period = { from: Date; to: Date }
export type BucketSpan = Period & { key: string }

const DAY_MS = 86_400_000
const formatters = new Map<string, Intl.DateTimeFormat>()

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone)
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit'
    })
    formatters.set(timeZone, f)
  }
  return f
}

/** The zone's wall-clock fields at an instant. */
function wallClock(at: Date, timeZone: string): { year: number; month: number; day: number; hour: number; minute: number; second: number } {
  const parts: Record<string, number> = {}
  for (const p of formatter(timeZone).formatToParts(at)) if (p.type !== 'literal') parts[p.type] = Number(p.value)
  return { year: parts.year, month: parts.month, day: parts.day, hour: parts.hour % 24, minute: parts.minute, second: parts.second }
}

/** How far the zone's clock is ahead of UTC at an instant, in ms. */
function offsetAt(at: Date, timeZone: string): number {
  const w = wallClock(at, timeZone)
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second)
  return asUtc - Math.floor(at.getTime() / 1000) * 1000
}

/** The zone's calendar date at an instant. */
export function localDateOf(at: Date, timeZone: string): LocalDate {
  const w = wallClock(at, timeZone)
  return { year: w.year, month: w.month, day: w.day }
}

/** The instant the zone's calendar day `date` begins (handles offsets that change, twice corrected). */
export function startOfLocalDay(date: LocalDate, timeZone: string): Date {
  const wall = Date.UTC(date.year, date.month - 1, date.day)
  let guess = wall - offsetAt(new Date(wall), timeZone)
  guess = wall - offsetAt(new Date(guess), timeZone)
  return new Date(guess)
}

/** The instant the zone's wall clock shows `minute` minutes after midnight of `date` (twice corrected, like startOfLocalDay). */
export function instantAtLocalMinute(date: LocalDate, minute: number, timeZone: string): Date {
  const wall = Date.UTC(date.year, date.month - 1, date.day) + minute * 60_000
  let guess = wall - offsetAt(new Date(wall), timeZone)
  guess = wall - offsetAt(new Date(guess), timeZone)
  return new Date(guess)
}

/** ISO weekday of a calendar date: 1 = Monday … 7 = Sunday. */
export function isoWeekday(date: LocalDate): number {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay()
  return d === 0 ? 7 : d
}

/** `date` moved by whole calendar days (negative: back). */
export function addDays(date: LocalDate, days: number): LocalDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day) + days * DAY_MS)
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() }
}

export function formatLocalDate(date: LocalDate): string {
  return `${String(date.year).padStart(4, '0')}-${String(date.month).padStart(2, '0')}-${String(date.day).padStart(2, '0')}`
}

export function parseLocalDate(text: string): LocalDate | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text)
  if (!m) return null
  const date = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) }
  const check = addDays(date, 0)
  return check.year === date.year && check.month === date.month && check.day === date.day ? date : null
}

/** The first calendar day of the bucket holding `date`. */
export function bucketStart(date: LocalDate, bucket: Bucket): LocalDate {
  if (bucket === 'day') return date
  if (bucket === 'month') return { year: date.year, month: date.month, day: 1 }
  const weekday = new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay() // 0 = Sunday
  return addDays(date, -((weekday + 6) % 7))
}

function nextBucket(start: LocalDate, bucket: Bucket): LocalDate {
  if (bucket === 'day') return addDays(start, 1)
  if (bucket === 'week') return addDays(start, 7)
  return start.month === 12 ? { year: start.year + 1, month: 1, day: 1 } : { year: start.year, month: start.month + 1, day: 1 }
}

/**
 * The buckets that cover a period, in order, each clipped to it; `key` is the bucket's first
 * calendar day (YYYY-MM-DD), the same text as to_char(date_trunc(bucket, t at time zone z), 'YYYY-MM-DD').
 */
export function bucketsOf(period: Period, bucket: Bucket, timeZone: string): BucketSpan[] {
  const out: BucketSpan[] = []
  let start = bucketStart(localDateOf(period.from, timeZone), bucket)
  while (true) {
    const begins = startOfLocalDay(start, timeZone)
    if (begins.getTime() >= period.to.getTime()) break
    const next = nextBucket(start, bucket)
    const ends = startOfLocalDay(next, timeZone)
    out.push({
      key: formatLocalDate(start),
      from: begins.getTime() < period.from.getTime() ? period.from : begins,
      to: ends.getTime() > period.to.getTime() ? period.to : ends
    })
    start = next
  }
  return out
}

/** The bucket key of an instant (see bucketsOf). */
export function bucketKey(at: Date, bucket: Bucket, timeZone: string): string {
  return formatLocalDate(bucketStart(localDateOf(at, timeZone), bucket))
}

/**
 * The default period: the last `days` calendar days in the zone, today included, so it ends
 * at the start of tomorrow.
 */
export function lastDays(now: Date, days: number, timeZone: string): Period {
  const tomorrow = addDays(localDateOf(now, timeZone), 1)
  return { from: startOfLocalDay(addDays(tomorrow, -days), timeZone), to: startOfLocalDay(tomorrow, timeZone) }
}

/** The period of the same length that ends where this one starts. */
export function previousPeriod(period: Period): Period {
  const length = period.to.getTime() - period.from.getTime()
  return { from: new Date(period.from.getTime() - length), to: period.from }
}
