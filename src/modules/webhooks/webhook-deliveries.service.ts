import { and, asc, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm'
import { runAction } from '../../db/action.js'
import { rows, ts } from '../../db/rows.js'
import { Keyset, type PageRequest } from '../../db/paging.js'
import { webhookAttempts, webhookDeliveries, webhookEndpoints } from '../../db/schema/webhooks.js'
import { invalid, notFound } from '../../errors.js'
import { disableAfterMs, failingTooLong, nextStep } from '../../rules/webhook-retry.js'
import { actionContext, systemActor, type Actor } from '../auth/actor.js'
import { authorize } from '../auth/permissions.js'
import { isUuid, parse } from '../common/validate.js'
import type { ServiceDeps } from '../service-deps.js'
import { claimDue, fanOut, oldestUndeliveredSeconds, recordAttempts, type AttemptRecord, type Claimed } from './webhook-queue.js'
import { signingSecrets } from './webhook-secrets.js'
import { sendWebhook } from './webhook-send.js'
import { signedRequest } from './webhook-sign.js'
import { DeliveryFilter } from './webhook-deliveries.schemas.js'

export type WebhookDelivery = Omit<typeof webhookDeliveries.$inferSelect, 'step' | 'lockedUntil' | 'replayRequestedAt' | 'updatedAt'>
export type WebhookAttempt = typeof webhookAttempts.$inferSelect
/** A sent attempt waiting to be recorded, and whether it disables its endpoint. */
export type Sent = AttemptRecord & { disable: 'gone' | 'failing' | null }

const view = {
  id: webhookDeliveries.id, endpointId: webhookDeliveries.endpointId, eventId: webhookDeliveries.eventId, eventType: webhookDeliveries.eventType,
  status: webhookDeliveries.status, attempts: webhookDeliveries.attempts, nextAttemptAt: webhookDeliveries.nextAttemptAt,
  lastAttemptAt: webhookDeliveries.lastAttemptAt, lastStatusCode: webhookDeliveries.lastStatusCode, lastError: webhookDeliveries.lastError,
  createdAt: webhookDeliveries.createdAt
}
// A worker's lease outlasts its attempt's timeout: only a dead worker's rows come back early.
const LEASE_MARGIN_MS = 15_000
const FAN_OUT_BATCH = 500
const PRUNE_BATCH = 5000

/**
 * Webhook deliveries (docs/webhooks.md): fan-out of the outbox, attempts on the retry
 * schedule (src/rules/webhook-retry.ts), listing and replay. Time is an argument, so tests
 * move the clock; the worker (src/jobs/webhook-worker.ts) passes the real one.
 */
export class WebhookDeliveriesService {
  constructor(private readonly deps: ServiceDeps) {}

  /** Turns unpublished outbox events into deliveries; returns how many events it took (at most `dispatchBatch`). */
  async dispatch(now: Date): Promise<number> {
    return fanOut(this.deps.db, now, this.dispatchBatch)
  }

  readonly dispatchBatch = FAN_OUT_BATCH

  claim(now: Date, limit: number): Promise<Claimed[]> {
    return claimDue(this.deps.db, now, limit, this.deps.config.WEBHOOK_TIMEOUT_MS + LEASE_MARGIN_MS)
  }

  /** One attempt at a claimed delivery: sends it and works out what follows; `at` is the clock (also the signature's time). Records nothing. */
  async send(claimed: Claimed, at: Date = new Date()): Promise<Sent> {
    const { config, pii } = this.deps
    const request = signedRequest(claimed.event, signingSecrets(claimed, at, (s) => pii.open(s)), at)
    const sent = await sendWebhook(claimed.url, request.headers, request.body, { timeoutMs: config.WEBHOOK_TIMEOUT_MS, allowPrivate: config.WEBHOOK_ALLOW_PRIVATE_URLS })
    // A replay starts the schedule again.
    const step = nextStep({ statusCode: sent.statusCode, retryAfter: sent.retryAfter }, claimed.replayRequestedAt ? 0 : claimed.step, at)
    return {
      claimed, at, statusCode: sent.statusCode, error: sent.error, latencyMs: sent.latencyMs, excerpt: sent.excerpt,
      status: step.kind === 'retry' ? 'pending' : step.kind, step: step.kind === 'retry' ? step.step : claimed.step, nextAt: step.kind === 'retry' ? step.at : null,
      disable: step.kind === 'failed' && step.reason === 'gone' ? 'gone' : step.kind !== 'succeeded' && failingTooLong(claimed.failingSince, at) ? 'failing' : null
    }
  }

  /**
   * Records finished attempts (one statement for all), then disables the endpoints they
   * condemned (410, or 5 days failing). Should the batch fail, each attempt is recorded on
   * its own, so one bad row cannot hold back the rest; one that still fails is left to its
   * lease (sent again when it ends: at least once). Returns how many could not be recorded.
   */
  async record(attempts: readonly Sent[]): Promise<number> {
    let lost = 0
    try {
      await recordAttempts(this.deps.db, attempts)
    } catch {
      for (const a of attempts) await recordAttempts(this.deps.db, [a]).catch(() => { lost++ })
    }
    for (const a of attempts) {
      if (!a.disable) continue
      // Each on its own: a failed disable must not skip the next (the next failure retries it).
      await this.disable(a.claimed.endpointId, a.disable, a.statusCode, a.at).catch(() => { lost++ })
    }
    return lost
  }

  /** How long the oldest event not yet delivered has waited, in seconds (0: none waits); for the metrics. */
  oldestUndeliveredSeconds(): Promise<number> {
    return oldestUndeliveredSeconds(this.deps.db)
  }

  /** Claims and attempts everything due at `now` (up to `limit`), waiting for the answers: tests and one-shot runs. */
  async deliverDue(now: Date, limit = 100): Promise<number> {
    const claimed = await this.claim(now, limit)
    await this.record(await Promise.all(claimed.map((c) => this.send(c, now))))
    return claimed.length
  }

  /** Sends a delivery again now, whatever its status; the endpoint must be active. */
  async replay(actor: Actor, id: string, now: Date = new Date()): Promise<WebhookDelivery> {
    authorize(actor, 'webhooks', 'write')
    if (!isUuid(id)) throw notFound('Webhook delivery', id)
    return runAction(this.deps.db, actionContext(actor), async ({ tx, audit }) => {
      const [found] = await tx.select({ id: webhookDeliveries.id, active: webhookEndpoints.active, deletedAt: webhookEndpoints.deletedAt })
        .from(webhookDeliveries).innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
        .where(eq(webhookDeliveries.id, id)).for('update', { of: webhookDeliveries })
      if (!found) throw notFound('Webhook delivery', id)
      if (found.deletedAt) throw invalid('id', 'its endpoint was deleted', 'ENDPOINT_DELETED')
      if (!found.active) throw invalid('id', 'its endpoint is disabled: turn it back on (updateWebhookEndpoint active: true) first', 'ENDPOINT_INACTIVE')
      const [row] = await tx.update(webhookDeliveries)
        .set({ status: 'pending', step: 0, nextAttemptAt: now, replayRequestedAt: now, updatedAt: sql`now()` })
        .where(eq(webhookDeliveries.id, id)).returning(view)
      audit({ action: 'webhook_delivery.replayed', entityType: 'webhook_delivery', entityId: id })
      return row
    })
  }

  async get(actor: Actor, id: string): Promise<WebhookDelivery> {
    authorize(actor, 'webhooks', 'read')
    if (!isUuid(id)) throw notFound('Webhook delivery', id)
    const [row] = await this.deps.db.select(view).from(webhookDeliveries).where(eq(webhookDeliveries.id, id))
    if (!row) throw notFound('Webhook delivery', id)
    return row
  }

  /** An endpoint's deliveries, newest first. */
  async list(actor: Actor, endpointId: string, filter: unknown, page: PageRequest) {
    authorize(actor, 'webhooks', 'read')
    const f = parse(DeliveryFilter, filter ?? {})
    if (!isUuid(endpointId)) throw notFound('Webhook endpoint', endpointId)
    // The live endpoint is joined, so a page with rows proves it exists; only an empty page asks.
    const live = and(eq(webhookEndpoints.id, webhookDeliveries.endpointId), isNull(webhookEndpoints.deletedAt))
    const where: SQL[] = [eq(webhookDeliveries.endpointId, endpointId)]
    if (f.status?.length) where.push(inArray(webhookDeliveries.status, f.status))
    if (f.eventType) where.push(eq(webhookDeliveries.eventType, f.eventType))
    if (f.eventId) where.push(eq(webhookDeliveries.eventId, f.eventId))
    const keyset = new Keyset('createdAt', webhookDeliveries.createdAt, webhookDeliveries.id, 'DESC', page)
    const after = keyset.where()
    const found = await this.deps.db.select({ ...view, cursorValue: keyset.cursorValue }).from(webhookDeliveries).innerJoin(webhookEndpoints, live)
      .where(and(...where, ...(after ? [after] : []))).orderBy(...keyset.orderBy()).limit(keyset.limit + 1)
    if (found.length === 0 && !(await this.deps.db.select({ id: webhookEndpoints.id }).from(webhookEndpoints)
      .where(and(eq(webhookEndpoints.id, endpointId), isNull(webhookEndpoints.deletedAt)))).length) {
      throw notFound('Webhook endpoint', endpointId)
    }
    return {
      ...keyset.page(found),
      count: async () => Number((await this.deps.db.select({ n: sql<number>`count(*)::int` }).from(webhookDeliveries).where(and(...where)))[0].n)
    }
  }

  /** The attempts of several deliveries, oldest first (for the attemptLog field). */
  async attemptsOf(actor: Actor, deliveryIds: readonly string[]): Promise<WebhookAttempt[][]> {
    authorize(actor, 'webhooks', 'read')
    const found = deliveryIds.length
      ? await this.deps.db.select().from(webhookAttempts).where(inArray(webhookAttempts.deliveryId, [...deliveryIds])).orderBy(asc(webhookAttempts.attemptedAt), asc(webhookAttempts.id))
      : []
    const byDelivery = new Map<string, WebhookAttempt[]>()
    for (const a of found) byDelivery.set(a.deliveryId, [...(byDelivery.get(a.deliveryId) ?? []), a])
    return deliveryIds.map((id) => byDelivery.get(id) ?? [])
  }

  /**
   * Deletes finished deliveries (succeeded or failed) last touched before the retention and
   * their attempts, in batches so no statement holds many locks. Pending ones are kept.
   */
  async prune(now: Date): Promise<{ deliveries: number }> {
    const before = new Date(now.getTime() - this.deps.config.WEBHOOK_RETENTION_DAYS * 86_400_000)
    let deleted = 0
    for (;;) {
      const gone = await rows(this.deps.db, sql`
        with old as (
          -- Locked, and checked again below: a delivery replayed meanwhile is pending again and stays.
          select id from webhook_deliveries where status <> 'pending' and updated_at < ${ts(before)}
          limit ${PRUNE_BATCH} for update skip locked
        ), attempts as (
          delete from webhook_attempts a using old where a.delivery_id = old.id
        )
        delete from webhook_deliveries d using old where d.id = old.id and d.status <> 'pending' returning 1`)
      deleted += gone.length
      if (gone.length < PRUNE_BATCH) return { deliveries: deleted }
    }
  }

  /** Turns an endpoint off (410 Gone, or 5 days of failures) and says so with webhook_endpoint.disabled. */
  private async disable(endpointId: string, reason: 'gone' | 'failing', statusCode: number | null, at: Date): Promise<void> {
    await runAction(this.deps.db, actionContext(systemActor), async ({ tx, audit, emit }) => {
      // "Failing" is judged on the recorded state, not the claim's: a success recorded since (here or in
      // another process) ended the streak.
      const stillFailing = reason === 'gone' ? undefined
        : sql`${webhookEndpoints.failingSince} <= ${ts(new Date(at.getTime() - disableAfterMs))}`
      const [row] = await tx.update(webhookEndpoints)
        .set({ active: false, disabledReason: reason, disabledAt: at, updatedAt: sql`now()`, version: sql`${webhookEndpoints.version} + 1` })
        .where(and(eq(webhookEndpoints.id, endpointId), eq(webhookEndpoints.active, true), isNull(webhookEndpoints.deletedAt), stillFailing))
        .returning({ id: webhookEndpoints.id, url: webhookEndpoints.url, failingSince: webhookEndpoints.failingSince, version: webhookEndpoints.version })
      if (!row) return
      const data = { id: row.id, url: row.url, reason, lastStatusCode: statusCode, failingSince: row.failingSince?.toISOString() ?? null, disabledAt: at.toISOString(), version: row.version }
      audit({ action: 'webhook_endpoint.disabled', entityType: 'webhook_endpoint', entityId: row.id, changes: { active: { from: true, to: false }, disabledReason: { from: null, to: reason } } })
      emit({ type: 'webhook_endpoint.disabled', entityType: 'webhook_endpoint', entityId: row.id, data })
    })
  }
}
