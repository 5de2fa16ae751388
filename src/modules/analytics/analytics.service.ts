import type { TObject } from '@sinclair/typebox'
import { forbidden } from '../../errors.js'
import type { ServiceDeps } from '../service-deps.js'
import type { Actor } from '../auth/actor.js'
import { authorize } from '../auth/permissions.js'
import { toCsv } from './analytics.csv.js'
import { resolvePeriod, type PeriodInput } from './analytics.period.js'
import type { ReportContext, ReportDefinition } from './analytics.report.js'

/** Runs reports: the one place their reach and period are decided, so REST and GraphQL agree. */
export class AnalyticsService {
  constructor(private readonly deps: ServiceDeps) {}

  private context(actor: Actor, definition: { name: string; referrerAllowed?: boolean }, period: PeriodInput | null | undefined, now: Date): ReportContext {
    const reach = authorize(actor, 'analytics', 'read')
    if (reach === 'self' && !definition.referrerAllowed) throw forbidden(`Role ${actor.role} may not read the ${definition.name} report`)
    return { deps: this.deps, actor, reach, period: resolvePeriod(period, this.deps.config.REPORTING_TIMEZONE, now), now }
  }

  async run<A, R>(actor: Actor, definition: ReportDefinition<TObject, A, R>, period: PeriodInput | null | undefined, args: A, now = new Date()): Promise<R> {
    return definition.run(this.context(actor, definition, period, now), args)
  }

  /** The same answer as a CSV document (UTF-8 with BOM). */
  async csv<A, R>(actor: Actor, definition: ReportDefinition<TObject, A, R>, period: PeriodInput | null | undefined, args: A, now = new Date()): Promise<string> {
    const ctx = this.context(actor, definition, period, now)
    return toCsv(definition.csv(await definition.run(ctx, args), ctx))
  }
}
