import type { ServiceDeps } from '../service-deps.js'
import { messageGateOf } from './journey-messages.js'
import { runDueSteps, type RunResult } from './journey-runner.js'
import { consumeEvents, scanAll } from './journey-triggers.js'

export type Failed = (err: unknown, item: Record<string, unknown>) => void

/** The journeys' background work (docs/automation.md): what the worker and the journey-scan job call. */
export class JourneyEngine {
  constructor(private readonly deps: ServiceDeps) {}

  /** One batch of new outbox events: customers enrolled in the event-triggered journeys they match. */
  consumeEvents(now: Date, batch = this.deps.config.JOURNEY_BATCH): Promise<{ events: number; enrolled: number }> {
    return consumeEvents(this.deps.db, this.deps.pii, now, batch)
  }

  /** Audience entry and leave, inactivity and date triggers of every active journey. */
  scan(now: Date, failed: Failed = () => {}): Promise<{ journeys: number; enrolled: number }> {
    return scanAll(this.deps.db, this.deps.pii, now, this.deps.config.REPORTING_TIMEZONE, failed)
  }

  /** One batch of due steps, each run exactly once. */
  runDue(now: Date, batch = this.deps.config.JOURNEY_BATCH, failed?: Failed): Promise<RunResult> {
    return runDueSteps({ db: this.deps.db, pii: this.deps.pii, timeZone: this.deps.config.REPORTING_TIMEZONE, gate: messageGateOf(this.deps), failed }, now, batch)
  }

  /** Everything due now, until nothing is left: events, then steps (tests and the CLI; the worker loops itself). */
  async drain(now: Date): Promise<{ events: number; steps: number }> {
    let events = 0
    let steps = 0
    for (;;) {
      const e = await this.consumeEvents(now)
      const s = await this.runDue(now)
      events += e.events
      steps += s.ran
      if (e.events === 0 && s.ran === 0) return { events, steps }
    }
  }
}
