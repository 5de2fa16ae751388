import type { FastifyBaseLogger } from 'fastify'
import { Counter, type Registry } from 'prom-client'
import type { JourneyEngine } from '../modules/automation/journey-engine.js'

const MAX_BACKOFF_MS = 5000

export type JourneyMetrics = { steps: Counter; failures: Counter<'kind'> }

/** crm_journey_steps_total (step runs recorded), crm_journey_failures_total{kind} (a pass, or a step group, failed). */
export function journeyMetrics(registry: Registry): JourneyMetrics {
  const failures = new Counter({ name: 'crm_journey_failures_total', help: 'Journey worker failures: a pass that failed, or a step group whose action threw (its enrollments failed)', labelNames: ['kind'], registers: [registry] })
  for (const kind of ['pass', 'step']) failures.labels(kind).inc(0)
  return { steps: new Counter({ name: 'crm_journey_steps_total', help: 'Journey steps run (one per enrollment and step)', registers: [registry] }), failures }
}

export type JourneyWorkerOptions = { pollMs: number; log: FastifyBaseLogger; metrics?: JourneyMetrics }

/**
 * One process's journeys worker: each pass takes a batch of new outbox events (enrolling
 * the customers they trigger) and a batch of due steps, each in its own transaction with
 * SKIP LOCKED claims, so any number of processes share the work and a process that dies
 * leaves nothing half done. It goes on at once while a pass finds work, else sleeps `pollMs`.
 */
export class JourneyWorker {
  private running = false
  private loop: Promise<void> | null = null
  private wake: (() => void) | null = null
  private failures = 0

  constructor(private readonly engine: JourneyEngine, private readonly opts: JourneyWorkerOptions) {}

  start(): void {
    if (this.running) return
    this.running = true
    this.loop = this.run()
  }

  /** Stops after the pass under way (whose transactions commit or roll back whole). */
  async stop(): Promise<void> {
    this.running = false
    this.wake?.()
    await this.loop
  }

  private async run(): Promise<void> {
    while (this.running) {
      let more = false
      try {
        const now = new Date()
        const events = await this.engine.consumeEvents(now)
        const steps = await this.engine.runDue(now, undefined, (err, item) => {
          this.opts.metrics?.failures.labels('step').inc()
          this.opts.log.error({ err, ...item }, 'journey step failed')
        })
        this.opts.metrics?.steps.inc(steps.ran)
        more = events.events > 0 || steps.ran > 0
        this.failures = 0
      } catch (err) {
        if (!this.running) break
        this.failures++
        this.opts.metrics?.failures.labels('pass').inc()
        this.opts.log.error({ err, failures: this.failures }, 'journey worker pass failed')
        await this.sleep(Math.min(this.opts.pollMs * 2 ** this.failures, MAX_BACKOFF_MS))
        continue
      }
      if (this.running && !more) await this.sleep(this.opts.pollMs)
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms)
      function done() { clearTimeout(timer); resolve() }
      this.wake = () => { this.wake = null; done() }
    })
  }
}
