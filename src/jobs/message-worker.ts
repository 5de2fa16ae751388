import type { FastifyBaseLogger } from 'fastify'
import type { Delivered, DeliveryJob } from '../modules/notifications/delivery.service.js'
import { observeDelivery, type MessageMetrics } from './message-metrics.js'

const MAX_BACKOFF_MS = 5000

/** What the worker drives: the staff fan-out and the delivery queue. */
export type MessageWork = {
  /** Turns new staff events into messages; how many events it took, and the batch size. */
  fanOut(now: Date): Promise<{ events: number; messages: number; full: boolean }>
  claim(now: Date, limit: number): Promise<DeliveryJob[]>
  send(job: DeliveryJob, at?: Date): Promise<Delivered>
  record(done: readonly Delivered[]): Promise<number>
}

export type MessageWorkerOptions = { pollMs: number; concurrency: number; log: FastifyBaseLogger; metrics?: MessageMetrics }

/**
 * One process's message worker, shaped like the webhook worker (src/jobs/webhook-worker.ts):
 * each pass turns new staff events into messages, records finished sends, and leases due
 * messages up to the free send slots; sends run concurrently. Any number of processes run
 * one: row locks (SKIP LOCKED) and leases share the work, and a dead process leaves only leases.
 */
export class MessageWorker {
  private running = false
  private loop: Promise<void> | null = null
  private wake: (() => void) | null = null
  private readonly inFlight = new Set<Promise<void>>()
  private done: Delivered[] = []
  private failures = 0

  constructor(private readonly work: MessageWork, private readonly opts: MessageWorkerOptions) {}

  start(): void {
    if (this.running) return
    this.running = true
    this.loop = this.run()
  }

  /** Stops taking work and waits for the sends under way (each ends within MESSAGE_TIMEOUT_MS), then records them. */
  async stop(): Promise<void> {
    this.running = false
    this.wake?.()
    await this.loop
    await Promise.allSettled([...this.inFlight])
    await this.flush()
  }

  private async flush(): Promise<void> {
    if (this.done.length === 0) return
    const batch = this.done
    this.done = []
    try {
      const lost = await this.work.record(batch)
      if (lost > 0) {
        this.opts.metrics?.workerFailures.inc({ kind: 'record' })
        this.opts.log.error({ attempts: batch.length, lost }, 'could not record some message attempts')
      }
    } catch (err) {
      this.opts.metrics?.workerFailures.inc({ kind: 'record' })
      this.opts.log.error({ err, attempts: batch.length }, 'could not record message attempts')
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      let more = false
      try {
        await this.flush()
        const fanned = await this.work.fanOut(new Date())
        if (fanned.messages > 0) this.opts.metrics?.staffEnqueued.inc(fanned.messages)
        more = fanned.full
        const free = this.opts.concurrency - this.inFlight.size
        if (free > 0 && this.running) {
          const jobs = await this.work.claim(new Date(), free)
          for (const job of jobs) this.track(job)
          more ||= jobs.length === free
        }
        this.failures = 0
      } catch (err) {
        if (!this.running) break
        this.failures++
        this.opts.metrics?.workerFailures.inc({ kind: 'pass' })
        this.opts.log.error({ err, failures: this.failures }, 'message worker pass failed')
        await this.sleep(Math.min(this.opts.pollMs * 2 ** this.failures, MAX_BACKOFF_MS))
        continue
      }
      if (!this.running) break
      if (this.inFlight.size >= this.opts.concurrency) await Promise.race([Promise.allSettled([...this.inFlight]), this.sleep(this.opts.pollMs)])
      else if (!more) await this.sleep(this.opts.pollMs)
    }
  }

  private track(job: DeliveryJob): void {
    const p = this.work.send(job).then((d) => {
      this.done.push(d)
      observeDelivery(d, this.opts.metrics, this.opts.log)
    }, (err: unknown) => {
      this.opts.metrics?.workerFailures.inc({ kind: 'send' })
      this.opts.log.error({ err, messageId: job.message.id }, 'message send failed')
    }).finally(() => {
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
