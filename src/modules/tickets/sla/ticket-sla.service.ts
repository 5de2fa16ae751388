import { forbidden } from '../../../errors.js'
import type { Actor } from '../../auth/actor.js'
import { authorize } from '../../auth/permissions.js'
import type { ServiceDeps } from '../../service-deps.js'
import { breachScan, type BreachScanResult } from './breach-scan.js'
import { slaCalendarAdmin as calendar, type CalendarDay, type WorkingCalendarView } from './sla-calendar.admin.js'
import { slaPoliciesAdmin as policies, type SlaPolicy } from './sla-policies.admin.js'

export type { CalendarDay, SlaPolicy, WorkingCalendarView }

/**
 * The SLA side of tickets: the working calendar and the SLA policies as data (docs/service.md,
 * "SLA calendar"), and the breach scan. Anyone who may read tickets may read them; changing
 * them needs the tickets write grant with reach 'all' (admin, service, integration).
 */
export class TicketSlaService {
  constructor(private readonly deps: ServiceDeps) {}

  private canRead(actor: Actor): void {
    authorize(actor, 'tickets', 'read')
  }

  private canWrite(actor: Actor): void {
    if (authorize(actor, 'tickets', 'write') !== 'all') throw forbidden(`Role ${actor.role} may not change the SLA calendar or policies`)
  }

  /** The working week in REPORTING_TIMEZONE, intervals as HH:MM. */
  async workingCalendar(actor: Actor): Promise<WorkingCalendarView> {
    this.canRead(actor)
    return calendar.week(this.deps)
  }

  /** Changes the working days and/or hours (expectedVersion refuses a stale write). */
  async updateWorkingCalendar(actor: Actor, input: unknown): Promise<WorkingCalendarView> {
    this.canWrite(actor)
    return calendar.updateWeek(this.deps, actor, input)
  }

  /** Holidays and make-up working days from `from` to `to`, inclusive. */
  async calendarDays(actor: Actor, from: unknown, to: unknown): Promise<CalendarDay[]> {
    this.canRead(actor)
    return calendar.days(this.deps, from, to)
  }

  /** Bulk upsert of holidays and make-up days (a whole year in one call). */
  async setCalendarDays(actor: Actor, input: unknown): Promise<CalendarDay[]> {
    this.canWrite(actor)
    return calendar.setDays(this.deps, actor, input)
  }

  /** Removes the given dates; returns those that were there. */
  async deleteCalendarDays(actor: Actor, dates: unknown): Promise<string[]> {
    this.canWrite(actor)
    return calendar.deleteDays(this.deps, actor, dates)
  }

  /** Every live SLA policy, urgent first. */
  async slaPolicies(actor: Actor): Promise<SlaPolicy[]> {
    this.canRead(actor)
    return policies.list(this.deps)
  }

  /** One policy, or NOT_FOUND. */
  async slaPolicy(actor: Actor, id: string): Promise<SlaPolicy> {
    this.canRead(actor)
    return policies.get(this.deps, id)
  }

  /** Adds a policy; one per priority and one per (priority, tier), else CONFLICT SLA_POLICY_EXISTS. */
  async createSlaPolicy(actor: Actor, input: unknown): Promise<SlaPolicy> {
    this.canWrite(actor)
    return policies.create(this.deps, actor, input)
  }

  /** Changes some fields; applies to tickets opened afterwards. */
  async updateSlaPolicy(actor: Actor, id: string, input: unknown): Promise<SlaPolicy> {
    this.canWrite(actor)
    return policies.update(this.deps, actor, id, input)
  }

  /** Soft delete. */
  async deleteSlaPolicy(actor: Actor, id: string, expectedVersion?: number): Promise<{ id: string }> {
    this.canWrite(actor)
    return policies.remove(this.deps, actor, id, expectedVersion)
  }

  /** The job: marks every clock past due as breached (once), announces and escalates it. */
  breachScan(now: Date, batchSize?: number): Promise<BreachScanResult> {
    return breachScan(this.deps, now, batchSize)
  }
}
