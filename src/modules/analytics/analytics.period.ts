import { invalid } from '../../errors.js'
import {
  bucketsOf, lastDays, parseLocalDate, previousPeriod, startOfLocalDay, type Bucket, type BucketSpan, type Period
} from '../../rules/report-period.js'

/** What a caller may say about the period (GraphQL ReportPeriodInput, REST from/to/bucket/compare). */
export type PeriodInput = {
  /** ISO 8601 with offset, or YYYY-MM-DD: that day's start in the reporting zone. */
  from?: string | Date | null
  to?: string | Date | null
  bucket?: Bucket | null
  /** Also compute the previous period of the same length. */
  compare?: boolean | null
}

/** A resolved period: half-open [from, to), its buckets and (when asked) the previous period. */
export type ReportPeriod = Period & {
  bucket: Bucket
  timeZone: string
  previous: Period | null
  buckets(): BucketSpan[]
}

export const DEFAULT_PERIOD_DAYS = 30
/** The longest period one report covers: about three years of days (a series holds at most this many buckets). */
export const MAX_PERIOD_DAYS = 1100
const DAY_MS = 86_400_000

function instant(field: string, value: string | Date, timeZone: string): Date {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw invalid(field, 'is not a valid time', 'INVALID_PERIOD')
    return value
  }
  const date = parseLocalDate(value)
  if (date) return startOfLocalDay(date, timeZone)
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(value)) {
    const at = new Date(value)
    if (!Number.isNaN(at.getTime())) return at
  }
  throw invalid(field, 'must be an ISO 8601 time with offset or a date YYYY-MM-DD', 'INVALID_PERIOD')
}

/**
 * The period a report covers. Without `to`: the start of tomorrow in the zone; without
 * `from`: 30 calendar days before `to`'s day. `from` must come before `to`, within MAX_PERIOD_DAYS.
 */
export function resolvePeriod(input: PeriodInput | null | undefined, timeZone: string, now: Date): ReportPeriod {
  const fallback = lastDays(now, DEFAULT_PERIOD_DAYS, timeZone)
  const to = input?.to != null ? instant('to', input.to, timeZone) : fallback.to
  const from = input?.from != null
    ? instant('from', input.from, timeZone)
    : input?.to != null ? new Date(to.getTime() - DEFAULT_PERIOD_DAYS * DAY_MS) : fallback.from
  if (from.getTime() >= to.getTime()) throw invalid('from', 'must be before to', 'INVALID_PERIOD')
  if (to.getTime() - from.getTime() > MAX_PERIOD_DAYS * DAY_MS) {
    throw invalid('to', `must be at most ${MAX_PERIOD_DAYS} days after from`, 'INVALID_PERIOD')
  }
  const bucket = input?.bucket ?? 'day'
  const period = { from, to }
  return {
    from, to, bucket, timeZone,
    previous: input?.compare ? previousPeriod(period) : null,
    buckets: () => bucketsOf(period, bucket, timeZone)
  }
}
