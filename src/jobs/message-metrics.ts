import type { FastifyBaseLogger } from 'fastify'
import { Counter, Histogram, type Registry } from 'prom-client'
import type { Delivered } from '../modules/notifications/delivery.service.js'

export type MessageMetrics = {
  sent: Counter<'kind'>
  failed: Counter<'kind' | 'reason'>
  attempts: Counter<'kind' | 'outcome'>
  latency: Histogram<'kind'>
  staffEnqueued: Counter
  /** The worker's own failures: a pass (database down), recording attempts, a send that threw. */
  workerFailures: Counter<'kind'>
}

const KINDS = ['wecom_robot', 'dingtalk_robot', 'sms', 'email'] as const

/** The message delivery metrics (docs/notifications.md, "Metrics"), per channel kind. */
export function messageMetrics(registry: Registry): MessageMetrics {
  const m: MessageMetrics = {
    sent: new Counter({ name: 'crm_messages_sent_total', help: 'Messages delivered, by channel kind', labelNames: ['kind'], registers: [registry] }),
    failed: new Counter({ name: 'crm_messages_failed_total', help: 'Messages given up, by channel kind and reason (rejected, exhausted, no_address, channel_inactive, no_channel)', labelNames: ['kind', 'reason'], registers: [registry] }),
    attempts: new Counter({ name: 'crm_message_attempts_total', help: 'Message send attempts by channel kind and outcome (success, retry, failed)', labelNames: ['kind', 'outcome'], registers: [registry] }),
    latency: new Histogram({
      name: 'crm_message_attempt_duration_seconds', help: 'Message send latency by channel kind', labelNames: ['kind'],
      buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: [registry]
    }),
    staffEnqueued: new Counter({ name: 'crm_staff_notifications_enqueued_total', help: 'Staff notification messages enqueued from outbox events', registers: [registry] }),
    workerFailures: new Counter({ name: 'crm_message_worker_failures_total', help: 'Message worker failures by kind (pass, record, send), each also logged with its error', labelNames: ['kind'], registers: [registry] })
  }
  for (const kind of KINDS) { m.sent.labels(kind).inc(0); m.attempts.labels(kind, 'success').inc(0) }
  return m
}

/**
 * Counts and times one attempt; a failed one (retried or given up) is logged with what
 * identifies it and why, never the address, the content or the provider's answer.
 */
export function observeDelivery(d: Delivered, metrics: MessageMetrics | undefined, log: FastifyBaseLogger): void {
  const outcome = d.status === 'sent' ? 'success' : d.status === 'queued' ? 'retry' : 'failed'
  metrics?.attempts.labels(d.kind, outcome).inc()
  if (d.attempted) metrics?.latency.labels(d.kind).observe(d.latencyMs / 1000)
  if (d.status === 'sent') { metrics?.sent.labels(d.kind).inc(); return }
  if (d.status === 'failed') metrics?.failed.labels(d.kind, d.reason ?? 'unknown').inc()
  log.warn({
    messageId: d.messageId, channelId: d.channelId, kind: d.kind, outcome, statusCode: d.statusCode, error: d.error,
    reason: d.reason, latencyMs: d.latencyMs, nextAttemptAt: d.nextAt?.toISOString() ?? null
  }, 'message attempt failed')
}
