import type { FastifyBaseLogger } from 'fastify'
import type { WebhookDeliveriesService } from '../modules/webhooks/webhook-deliveries.service.js'

export type WebhookWorkerOptions = { pollMs: number; concurrency: number; log: FastifyBaseLogger }

/**
 * One process's webhook delivery worker. Each pass fans new outbox events out to
 * deliveries and leases due deliveries up to the free send slots; sends run concurrently
 * and the loop goes on while they wait, so one slow endpoint does not hold up the others.
 * Idle, it sleeps `pollMs`. Any number of processes run one: the queue's row locks (SKIP
 * LOCKED) and leases share the work, and a process that dies leaves only leases behind.
 */
export class WebhookWorker {
  private running = false
  private loop: Promise<void> | null = null
  private wake: (() => void) | null = null
  private readonly inFlight = new Set<Promise<void>>()

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
  }

  private async run(): Promise<void> {
    while (this.running) {
      let busy = false
      try {
        busy = (await this.deliveries.dispatch(new Date())) > 0
        const free = this.opts.concurrency - this.inFlight.size
        if (free > 0 && this.running) {
          const claimed = await this.deliveries.claim(new Date(), free)
          for (const c of claimed) this.track(this.deliveries.attempt(c))
          busy ||= claimed.length > 0
        }
      } catch (err) {
        if (!this.running) break
        this.opts.log.error({ err }, 'webhook worker pass failed')
      }
      if (!this.running) break
      if (this.inFlight.size >= this.opts.concurrency) await Promise.race(this.inFlight)
      else if (!busy) await this.sleep(this.opts.pollMs)
    }
  }

  private track(attempt: Promise<void>): void {
    const p = attempt.catch((err) => this.opts.log.error({ err }, 'webhook attempt failed to record')).finally(() => {
      this.inFlight.delete(p)
      // A freed slot may take a waiting delivery at once.
      this.wake?.()
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
