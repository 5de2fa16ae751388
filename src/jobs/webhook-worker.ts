import type { FastifyBaseLogger } from 'fastify'
import type { Sent, WebhookDeliveriesService } from '../modules/webhooks/webhook-deliveries.service.js'
import { observeAttempt, type WebhookMetrics } from './webhook-metrics.js'

/** The longest wait between passes while they keep failing. */
const MAX_BACKOFF_MS = 5000

export type WebhookWorkerOptions = { pollMs: number; concurrency: number; log: FastifyBaseLogger; metrics?: WebhookMetrics }

/**
 * One process's webhook delivery worker. Each pass fans new outbox events out to
 * deliveries and leases due deliveries up to the free send slots; sends run concurrently
 * and the loop goes on while they wait (a slow endpoint holds only the slots of its own
 * deliveries, though with a backlog of its own it can hold all of them for a timeout each).
 * When a pass finds no more than it could take, it sleeps `pollMs`. Any number of processes
 * run one: the queue's row locks (SKIP LOCKED) and leases share the work, and a process
 * that dies leaves only leases behind.
 */
export class WebhookWorker {
  private running = false
  private loop: Promise<void> | null = null
  private wake: (() => void) | null = null
  private readonly inFlight = new Set<Promise<void>>()
  /** Sent attempts not yet recorded: each pass records them in one statement (their leases hold the rows meanwhile). */
  private sent: Sent[] = []
  /** Passes failed in a row (the database unreachable, typically): the next pass waits longer. */
  private failures = 0

  constructor(private readonly deliveries: WebhookDeliveriesService, private readonly opts: WebhookWorkerOptions) {}

  start(): void {
    if (this.running) return
    this.running = true
    this.loop = this.run()
  }

  /** Stops taking work and waits for the attempts under way (each ends within the send timeout). */
  async stop(): Promise<void> {
    this.running = false
    this.wake?.()
    await this.loop
    await Promise.allSettled([...this.inFlight])
    await this.flush()
  }

  private async flush(): Promise<void> {
    if (this.sent.length === 0) return
    const batch = this.sent
    this.sent = []
    try {
      const lost = await this.deliveries.record(batch)
      // Unrecorded attempts are sent again when their leases end: at least once still holds.
      if (lost > 0) this.opts.log.error({ attempts: batch.length, lost }, 'could not record some webhook attempts or disables')
    } catch (err) {
      this.opts.log.error({ err, attempts: batch.length }, 'could not record webhook attempts')
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      // More work is known to wait only when a pass came back full: a whole fan-out batch, or
      // every free slot claimed. Otherwise the worker sleeps a poll interval, so a steady flow
      // of events costs two statements per interval, not two per event (PGlite has one connection).
      let more = false
      let failed = false
      try {
        await this.flush()
        more = (await this.deliveries.dispatch(new Date())) >= this.deliveries.dispatchBatch
        const free = this.opts.concurrency - this.inFlight.size
        if (free > 0 && this.running) {
          const claimed = await this.deliveries.claim(new Date(), free)
          for (const c of claimed) this.track(this.deliveries.send(c))
          more ||= claimed.length === free
        }
      } catch (err) {
        if (!this.running) break
        failed = true
        this.failures++
        this.opts.log.error({ err, failures: this.failures }, 'webhook worker pass failed')
      }
      if (!this.running) break
      if (failed) {
        // The database is likely down: wait longer after each failed pass (up to MAX_BACKOFF_MS), then carry on.
        await this.sleep(Math.min(this.opts.pollMs * 2 ** this.failures, MAX_BACKOFF_MS))
        continue
      }
      this.failures = 0
      // Slots full: wait for all of them, or a poll interval if some endpoint is slow, so the
      // next pass claims (and records) many at once rather than one per freed slot.
      if (this.inFlight.size >= this.opts.concurrency) await Promise.race([Promise.allSettled([...this.inFlight]), this.sleep(this.opts.pollMs)])
      else if (!more) await this.sleep(this.opts.pollMs)
    }
  }

  private track(attempt: Promise<Sent>): void {
    const p = attempt.then((sent) => {
      this.sent.push(sent)
      // Each attempt is counted and timed; a failed one is logged (webhook-metrics.ts).
      observeAttempt(sent, this.opts.metrics, this.opts.log)
    }, (err: unknown) => this.opts.log.error({ err }, 'webhook attempt failed')).finally(() => {
      this.inFlight.delete(p)
    })
    this.inFlight.add(p)
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms)
      function done() { clearTimeout(timer); resolve() }
      this.wake = () => { this.wake = null; done() }
    })
  }
}
