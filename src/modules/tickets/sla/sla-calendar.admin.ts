import { runAction } from '../../../db/action.js'
import { invalid, staleVersion } from '../../../errors.js'
import { calendarProblem } from '../../../rules/business-hours.js'
import { parseLocalDate } from '../../../rules/report-period.js'
import { actionContext, type Actor } from '../../auth/actor.js'
import { parse } from '../../common/validate.js'
import type { ServiceDeps } from '../../service-deps.js'
import { calendarRepository as repo, DEFAULT_WEEK, type CalendarDayRow, type WorkingWeekRow } from './calendar.repository.js'
import { CalendarDates, CalendarDaysInput, CalendarRange, WorkingCalendarUpdate } from './ticket-sla.schemas.js'

export type WorkingCalendarView = {
  timeZone: string
  workingDays: number[]
  intervals: Array<{ start: string; end: string }>
  version: number
  updatedAt: Date
}
export type CalendarDay = CalendarDayRow

/** The built-in week when the row is missing. */
const fallbackWeek = { ...DEFAULT_WEEK, version: 0, updatedAt: new Date(0) }

const hhmm = (minute: number) => `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`
const minuteOf = (text: string) => Number(text.slice(0, 2)) * 60 + Number(text.slice(3, 5))

function weekView(row: Pick<WorkingWeekRow, 'workingDays' | 'intervals' | 'version' | 'updatedAt'>, timeZone: string): WorkingCalendarView {
  return {
    timeZone, workingDays: [...row.workingDays], intervals: row.intervals.map(([a, b]) => ({ start: hhmm(a), end: hhmm(b) })),
    version: row.version, updatedAt: row.updatedAt
  }
}

/** Every date must exist on the calendar (the pattern lets 2025-02-30 through). */
function realDate(field: string, date: string): string {
  if (!parseLocalDate(date)) throw invalid(field, 'is not a calendar date (YYYY-MM-DD)', 'INVALID_DATE')
  return date
}

/** The calendar's admin operations (TicketSlaService delegates here). */
export const slaCalendarAdmin = {
  async week(deps: ServiceDeps): Promise<WorkingCalendarView> {
    return weekView((await repo.week(deps.db)) ?? fallbackWeek, deps.config.REPORTING_TIMEZONE)
  },

  async updateWeek(deps: ServiceDeps, actor: Actor, input: unknown): Promise<WorkingCalendarView> {
    const { expectedVersion, ...data } = parse(WorkingCalendarUpdate, input)
    return runAction(deps.db, actionContext(actor), async ({ tx, audit, emit }) => {
      const before = (await repo.week(tx, true)) ?? fallbackWeek
      if (expectedVersion !== undefined && before.version !== expectedVersion) throw staleVersion('WorkingCalendar', expectedVersion, before.version)
      const next = {
        workingDays: data.workingDays ? [...data.workingDays].sort((a, b) => a - b) : [...before.workingDays],
        intervals: data.intervals ? data.intervals.map((i): [number, number] => [minuteOf(i.start), minuteOf(i.end)]) : before.intervals.map(([a, b]): [number, number] => [a, b])
      }
      const problem = calendarProblem(next)
      if (problem) throw invalid(/working day/.test(problem) ? 'workingDays' : 'intervals', problem, 'INVALID_CALENDAR')
      // Without working weekdays only make-up days would work: every SLA clock would stall for months.
      if (next.workingDays.length === 0) throw invalid('workingDays', 'name at least one working weekday', 'INVALID_CALENDAR')
      const after = await repo.saveWeek(tx, next)
      const view = weekView(after, deps.config.REPORTING_TIMEZONE)
      const changes = { workingDays: { from: before.workingDays, to: after.workingDays }, intervals: { from: weekView(before, '').intervals, to: view.intervals } }
      audit({ action: 'working_calendar.updated', entityType: 'working_calendar', entityId: null, changes })
      emit({ type: 'working_calendar.updated', entityType: 'working_calendar', entityId: null, data: { calendar: view, changes } })
      return view
    })
  },

  async days(deps: ServiceDeps, from: unknown, to: unknown): Promise<CalendarDay[]> {
    const range = parse(CalendarRange, { from, to })
    realDate('from', range.from)
    realDate('to', range.to)
    if (range.to < range.from) throw invalid('to', 'must not be before from', 'INVALID_RANGE')
    return repo.daysBetween(deps.db, range.from, range.to)
  },

  /** Bulk upsert: a date already listed takes the new kind and name. */
  async setDays(deps: ServiceDeps, actor: Actor, input: unknown): Promise<CalendarDay[]> {
    const days = parse(CalendarDaysInput, input)
    const seen = new Set<string>()
    days.forEach((d, i) => {
      realDate(`${i}.date`, d.date)
      if (seen.has(d.date)) throw invalid(`${i}.date`, 'is listed twice', 'DUPLICATE_DATE')
      seen.add(d.date)
    })
    return runAction(deps.db, actionContext(actor), async ({ tx, audit, emit }) => {
      const before = new Map((await repo.daysIn(tx, [...seen])).map((d) => [d.date, d]))
      const rows = await repo.upsertDays(tx, days.map((d) => ({ date: d.date, kind: d.kind, name: d.name?.trim() || null })))
      const changed = rows.filter((r) => before.get(r.date)?.kind !== r.kind || before.get(r.date)?.name !== r.name)
      if (changed.length > 0) {
        const list = changed.map((r) => ({ date: r.date, kind: r.kind, name: r.name, previousKind: before.get(r.date)?.kind ?? null }))
        audit({ action: 'calendar_days.set', entityType: 'calendar_day', entityId: null, changes: { days: list } })
        emit({ type: 'calendar_days.set', entityType: 'calendar_day', entityId: null, data: { days: list } })
      }
      return rows
    })
  },

  /** Removes holidays / make-up days: those dates follow the working week again. */
  async deleteDays(deps: ServiceDeps, actor: Actor, input: unknown): Promise<string[]> {
    const dates = [...new Set(parse(CalendarDates, input))]
    dates.forEach((d, i) => realDate(`${i}`, d))
    return runAction(deps.db, actionContext(actor), async ({ tx, audit, emit }) => {
      const deleted = await repo.deleteDays(tx, dates)
      if (deleted.length > 0) {
        audit({ action: 'calendar_days.deleted', entityType: 'calendar_day', entityId: null, changes: { dates: deleted } })
        emit({ type: 'calendar_days.deleted', entityType: 'calendar_day', entityId: null, data: { dates: deleted } })
      }
      return deleted
    })
  }
}
