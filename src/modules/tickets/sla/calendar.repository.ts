import { and, asc, eq, gte, inArray, isNull, lte, or, sql } from 'drizzle-orm'
import type { Executor } from '../../../db/client.js'
import { calendarDays, slaPolicies, workingCalendars } from '../../../db/schema/tickets.js'
import type { WorkingCalendar } from '../../../rules/business-hours.js'
import type { SlaTargets } from '../../../rules/ticket-sla.js'

export const DEFAULT_CALENDAR = 'default'

/** The built-in week when the row is missing (migration 0013 installs the same): Monday to Friday, 09:00–12:00 and 13:00–18:00. */
export const DEFAULT_WEEK: { workingDays: number[]; intervals: Array<[number, number]> } = { workingDays: [1, 2, 3, 4, 5], intervals: [[540, 720], [780, 1080]] }

/**
 * The working calendar the SLA clocks count in: the working week and every holiday and
 * make-up day (a few dozen rows a year), in REPORTING_TIMEZONE.
 */
export async function loadWorkingCalendar(ex: Executor, timeZone: string): Promise<WorkingCalendar> {
  const [week] = await ex.select().from(workingCalendars).where(eq(workingCalendars.key, DEFAULT_CALENDAR))
  const days = await ex.select().from(calendarDays).orderBy(asc(calendarDays.date))
  return {
    timeZone,
    workingDays: week?.workingDays ?? DEFAULT_WEEK.workingDays,
    intervals: week?.intervals ?? DEFAULT_WEEK.intervals,
    holidays: new Set(days.filter((d) => d.kind === 'holiday').map((d) => d.date)),
    workdays: new Set(days.filter((d) => d.kind === 'workday').map((d) => d.date))
  }
}

/** The targets for a new ticket: the active policy for its priority and the customer's tier, else the tier-less one. */
export async function slaTargetsFor(ex: Executor, priority: 'low' | 'normal' | 'high' | 'urgent', tier: 'A' | 'B' | 'C' | null): Promise<SlaTargets> {
  const rows = await ex.select().from(slaPolicies).where(and(
    eq(slaPolicies.priority, priority), eq(slaPolicies.active, true), isNull(slaPolicies.deletedAt),
    tier ? or(eq(slaPolicies.customerTier, tier), isNull(slaPolicies.customerTier)) : isNull(slaPolicies.customerTier)
  ))
  const policy = rows.find((r) => r.customerTier !== null) ?? rows[0]
  return policy
    ? { firstResponseMinutes: policy.firstResponseMinutes, resolutionMinutes: policy.resolutionMinutes }
    : { firstResponseMinutes: null, resolutionMinutes: null }
}

export type WorkingWeekRow = typeof workingCalendars.$inferSelect
export type CalendarDayRow = typeof calendarDays.$inferSelect
export type CalendarDayInsert = { date: string; kind: 'holiday' | 'workday'; name: string | null }

/** The admin side of the calendar: the working week row and the holiday / make-up day rows. */
export const calendarRepository = {
  /** The working week (migration 0013 inserts it; absent only if someone deleted it by hand). */
  async week(ex: Executor, lock = false): Promise<WorkingWeekRow | undefined> {
    const q = ex.select().from(workingCalendars).where(eq(workingCalendars.key, DEFAULT_CALENDAR))
    const [row] = lock ? await q.for('update') : await q
    return row
  },

  /** Writes the working week, bumping its version (creating the row if it is missing). */
  async saveWeek(ex: Executor, values: { workingDays: number[]; intervals: Array<[number, number]> }): Promise<WorkingWeekRow> {
    const [row] = await ex.insert(workingCalendars).values({ key: DEFAULT_CALENDAR, ...values })
      .onConflictDoUpdate({ target: workingCalendars.key, set: { ...values, version: sql`${workingCalendars.version} + 1`, updatedAt: new Date() } })
      .returning()
    return row
  },

  /** Holidays and make-up days from `from` to `to` (inclusive), by date. */
  daysBetween(ex: Executor, from: string, to: string): Promise<CalendarDayRow[]> {
    return ex.select().from(calendarDays).where(and(gte(calendarDays.date, from), lte(calendarDays.date, to))).orderBy(asc(calendarDays.date))
  },

  daysIn(ex: Executor, dates: string[]): Promise<CalendarDayRow[]> {
    return dates.length === 0 ? Promise.resolve([]) : ex.select().from(calendarDays).where(inArray(calendarDays.date, dates)).orderBy(asc(calendarDays.date))
  },

  /** Inserts or overwrites the days in one statement (a year of public holidays is a few dozen rows). */
  async upsertDays(ex: Executor, days: CalendarDayInsert[]): Promise<CalendarDayRow[]> {
    if (days.length === 0) return []
    const rows = await ex.insert(calendarDays).values(days)
      .onConflictDoUpdate({ target: calendarDays.date, set: { kind: sql`excluded.kind`, name: sql`excluded.name` } })
      .returning()
    return rows.sort((a, b) => a.date.localeCompare(b.date))
  },

  /** Deletes the days; returns the dates that existed. */
  async deleteDays(ex: Executor, dates: string[]): Promise<string[]> {
    if (dates.length === 0) return []
    const rows = await ex.delete(calendarDays).where(inArray(calendarDays.date, dates)).returning({ date: calendarDays.date })
    return rows.map((r) => r.date).sort()
  }
}
