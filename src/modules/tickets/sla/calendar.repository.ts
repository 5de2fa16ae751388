import { and, asc, eq, isNull, or } from 'drizzle-orm'
import type { Executor } from '../../../db/client.js'
import { calendarDays, slaPolicies, workingCalendars } from '../../../db/schema/tickets.js'
import type { WorkingCalendar } from '../../../rules/business-hours.js'
import type { SlaTargets } from '../../../rules/ticket-sla.js'

export const DEFAULT_CALENDAR = 'default'

/**
 * The working calendar the SLA clocks count in: the working week and every holiday and
 * make-up day (a few dozen rows a year), in REPORTING_TIMEZONE.
 */
export async function loadWorkingCalendar(ex: Executor, timeZone: string): Promise<WorkingCalendar> {
  const [week] = await ex.select().from(workingCalendars).where(eq(workingCalendars.key, DEFAULT_CALENDAR))
  const days = await ex.select().from(calendarDays).orderBy(asc(calendarDays.date))
  return {
    timeZone,
    workingDays: week?.workingDays ?? [1, 2, 3, 4, 5],
    intervals: week?.intervals ?? [[540, 720], [780, 1080]],
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
