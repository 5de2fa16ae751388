import type { FastifyBaseLogger } from 'fastify'
import { Counter, Gauge, Histogram, type Registry } from 'prom-client'
import type { Sent } from '../modules/webhooks/webhook-deliveries.service.js'

/** How an attempt came out: a 2xx, another HTTP status, or no answer (timeout, refused connection, address guard). */
export type AttemptOutcome = 'success' | 'http_error' | 'network_error'
const OUTCOMES: readonly AttemptOutcome[] = ['success', 'http_error', 'network_error']

export type WebhookMetrics = {
  attempts: Counter<'outcome'>
  latency: Histogram<'outcome'>
  /** Deliveries given up: retry schedule exhausted, or the endpoint answered 410 Gone. */
  givenUp: Counter
}

export function attemptOutcome(sent: Pick<Sent, 'status' | 'statusCode'>): AttemptOutcome {
  if (sent.status === 'succeeded') return 'success'
  return sent.statusCode === null ? 'network_error' : 'http_error'
}

/**
 * The webhook metrics (docs/operations.md). The backlog gauge is computed at scrape time from
 * the database (`oldestUndelivered`), so every process reports the same figure whether it
 * runs a worker or not; a failed read keeps the last value and is logged.
 */
export function webhookMetrics(registry: Registry, oldestUndelivered: () => Promise<number>, log: FastifyBaseLogger): WebhookMetrics {
  const metrics: WebhookMetrics = {
    attempts: new Counter({ name: 'crm_webhook_attempts_total', help: 'Webhook delivery attempts by outcome (success, http_error, network_error)', labelNames: ['outcome'], registers: [registry] }),
    latency: new Histogram({
      name: 'crm_webhook_attempt_duration_seconds', help: 'Webhook attempt latency (connect to end of answer) by outcome', labelNames: ['outcome'],
      buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: [registry]
    }),
    givenUp: new Counter({ name: 'crm_webhook_deliveries_failed_total', help: 'Webhook deliveries given up (retry schedule exhausted, or 410 Gone)', registers: [registry] })
  }
  for (const outcome of OUTCOMES) metrics.attempts.labels(outcome).inc(0)
  new Gauge({
    name: 'crm_webhook_oldest_undelivered_seconds',
    help: 'Age of the oldest event not yet delivered to an active endpoint (0 when none waits)',
    registers: [registry],
    async collect() {
      try {
        this.set(await oldestUndelivered())
      } catch (err) {
        log.warn({ err: { message: (err as Error)?.message } }, 'could not read the webhook backlog age')
      }
    }
  })
  return metrics
}

/**
 * Counts and times one attempt; a failed one is logged with what identifies it and why it
 * failed (status or error), never the URL, the secret, the payload or the answer's body.
 */
export function observeAttempt(sent: Sent, metrics: WebhookMetrics | undefined, log: FastifyBaseLogger): void {
  const outcome = attemptOutcome(sent)
  metrics?.attempts.labels(outcome).inc()
  metrics?.latency.labels(outcome).observe(sent.latencyMs / 1000)
  if (outcome === 'success') return
  if (sent.status === 'failed') metrics?.givenUp.inc()
  log.warn({
    endpointId: sent.claimed.endpointId, deliveryId: sent.claimed.id, eventId: sent.claimed.event.id, eventType: sent.claimed.event.type,
    outcome, statusCode: sent.statusCode, error: sent.error, latencyMs: sent.latencyMs,
    // pending: retried at nextAttemptAt; failed: given up.
    delivery: sent.status, nextAttemptAt: sent.nextAt?.toISOString() ?? null, endpointDisabled: sent.disable
  }, 'webhook attempt failed')
}
