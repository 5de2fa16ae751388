import { sql } from 'drizzle-orm'
import type { Executor } from '../../db/client.js'
import { rows, ts } from '../../db/rows.js'

/**
 * The delivery queue's statements. Fan-out turns unpublished outbox events into one delivery
 * per subscribed, active endpoint and marks the events published, in one statement, so an
 * event is fanned out exactly once however many processes run it (SKIP LOCKED). Claiming
 * leases due deliveries the same way; the lease (`locked_until`) is what a dead worker
 * leaves behind, and the row is due again when it ends.
 */


/** Fans out up to `batch` unpublished events (oldest first); returns how many events it took. */
export async function fanOut(ex: Executor, now: Date, batch: number): Promise<number> {
  const [counted] = await rows<{ n: number }>(ex, sql`
    with ev as (
      select id, type from outbox_events where published_at is null
      order by occurred_at, id limit ${batch} for update skip locked
    ), queued as (
      insert into webhook_deliveries (id, endpoint_id, event_id, event_type, next_attempt_at)
      select crm_uuidv7(), e.id, ev.id, ev.type, ${ts(now)}
      from ev join webhook_endpoints e on e.active and e.deleted_at is null
        and (e.event_types is null or ev.type = any(e.event_types) or split_part(ev.type, '.', 1) || '.*' = any(e.event_types))
      on conflict (endpoint_id, event_id) do nothing
    ), published as (
      update outbox_events o set published_at = ${ts(now)} from ev where o.id = ev.id returning 1
    )
    select count(*)::int as n from published`)
  return Number(counted.n)
}

/** A leased delivery with what its attempt needs: the endpoint's URL and secrets, the event. */
export type Claimed = {
  id: string
  endpointId: string
  step: number
  replayRequestedAt: Date | null
  url: string
  secretEnc: string
  previousSecretEnc: string | null
  previousSecretExpiresAt: Date | null
  failingSince: Date | null
  event: { id: string; type: string; occurredAt: Date; data: unknown }
}

const dateOrNull = (v: unknown) => (v == null ? null : new Date(v as string))

/** Leases up to `limit` due deliveries of active endpoints until `now + leaseMs`. */
export async function claimDue(ex: Executor, now: Date, limit: number, leaseMs: number): Promise<Claimed[]> {
  const found = await rows(ex, sql`
    with due as (
      select d.id from webhook_deliveries d join webhook_endpoints e on e.id = d.endpoint_id
      where d.status = 'pending' and d.next_attempt_at <= ${ts(now)} and (d.locked_until is null or d.locked_until <= ${ts(now)})
        and e.active and e.deleted_at is null
      order by d.next_attempt_at limit ${limit}
      for update of d skip locked
    ), claimed as (
      update webhook_deliveries d set locked_until = ${ts(new Date(now.getTime() + leaseMs))}
      from due where d.id = due.id
      returning d.id, d.endpoint_id, d.event_id, d.step, d.replay_requested_at
    )
    select c.id, c.endpoint_id, c.step, c.replay_requested_at, e.url, e.secret_enc, e.previous_secret_enc, e.previous_secret_expires_at,
      e.failing_since, o.id as event_id, o.type, o.occurred_at, o.data
    from claimed c join webhook_endpoints e on e.id = c.endpoint_id join outbox_events o on o.id = c.event_id`)
  return found.map((r) => ({
    id: String(r.id), endpointId: String(r.endpoint_id), step: Number(r.step), replayRequestedAt: dateOrNull(r.replay_requested_at),
    url: String(r.url), secretEnc: String(r.secret_enc), previousSecretEnc: (r.previous_secret_enc as string | null) ?? null,
    previousSecretExpiresAt: dateOrNull(r.previous_secret_expires_at), failingSince: dateOrNull(r.failing_since),
    event: { id: String(r.event_id), type: String(r.type), occurredAt: new Date(r.occurred_at as string), data: typeof r.data === 'string' ? JSON.parse(r.data) as unknown : r.data }
  }))
}

export type AttemptRecord = {
  claimed: Claimed
  at: Date
  statusCode: number | null
  error: string | null
  latencyMs: number
  excerpt: string | null
  /** What the delivery becomes: pending again at `nextAt` on schedule step `step`, or finished. */
  status: 'pending' | 'succeeded' | 'failed'
  step: number
  nextAt: Date | null
}

/**
 * Records attempts in one statement, however many: the attempt rows, each delivery's new
 * state (lease released) and each endpoint's failing streak (started by a failure, ended by
 * a success, the batch's latest attempt deciding). A replay asked for while an attempt ran is
 * kept: that delivery stays pending for it.
 */
export async function recordAttempts(ex: Executor, records: readonly AttemptRecord[]): Promise<void> {
  if (records.length === 0) return
  const rows = JSON.stringify(records.map((a) => ({
    delivery_id: a.claimed.id, endpoint_id: a.claimed.endpointId, at: a.at.toISOString(), status_code: a.statusCode, error: a.error,
    latency_ms: a.latencyMs, excerpt: a.excerpt, trigger: a.claimed.replayRequestedAt ? 'replay' : 'schedule', status: a.status, step: a.step,
    next_at: a.nextAt?.toISOString() ?? null, replayed: a.claimed.replayRequestedAt?.toISOString() ?? null, ok: a.status === 'succeeded'
  })))
  await ex.execute(sql`
    with r as (
      select * from jsonb_to_recordset(${rows}::jsonb) as r(delivery_id uuid, endpoint_id uuid, at timestamptz, status_code int, error text,
        latency_ms int, excerpt text, trigger text, status text, step int, next_at timestamptz, replayed timestamptz, ok boolean)
    ), attempt as (
      insert into webhook_attempts (id, delivery_id, attempted_at, status_code, error, latency_ms, response_excerpt, trigger)
      select crm_uuidv7(), delivery_id, at, status_code, error, latency_ms, excerpt, trigger from r
    ), delivery as (
      update webhook_deliveries d set
        status = case when d.replay_requested_at is distinct from r.replayed then 'pending' else r.status end,
        step = case when d.replay_requested_at is distinct from r.replayed then 0 else r.step end,
        next_attempt_at = case when d.replay_requested_at is distinct from r.replayed then d.replay_requested_at else r.next_at end,
        replay_requested_at = case when d.replay_requested_at is distinct from r.replayed then d.replay_requested_at end,
        attempts = d.attempts + 1, locked_until = null, last_attempt_at = r.at, last_status_code = r.status_code, last_error = r.error,
        updated_at = now()
      from r where d.id = r.delivery_id
    ), outcome as (
      -- Per endpoint, the batch's latest attempt decides: a success ends the streak; failures after
      -- the last success start one (or continue the one already running).
      select endpoint_id, (array_agg(ok order by at desc, ok desc))[1] as ok, max(at) filter (where ok) as last_success from r group by endpoint_id
    ), streak as (
      select o.endpoint_id, case when o.ok then null
        when o.last_success is null then coalesce(e.failing_since, (select min(at) from r where r.endpoint_id = o.endpoint_id))
        else (select min(at) from r where r.endpoint_id = o.endpoint_id and not r.ok and r.at > o.last_success) end as failing_since
      from outcome o join webhook_endpoints e on e.id = o.endpoint_id
    )
    update webhook_endpoints e set failing_since = s.failing_since
    from streak s where e.id = s.endpoint_id and e.failing_since is distinct from s.failing_since`)
}

/**
 * Seconds since the oldest event not yet delivered occurred (0 when none waits): an event not
 * yet fanned out (the outbox's partial index on unpublished events), or a pending delivery of
 * an active endpoint (one probe per endpoint into the partial index on pending deliveries).
 * A disabled endpoint's deliveries wait for it to be turned back on and are not counted; a
 * replayed delivery counts from its event's time. Cheap enough to ask at every scrape.
 */
export async function oldestUndeliveredSeconds(ex: Executor): Promise<number> {
  const [found] = await rows<{ age: number | string | null }>(ex, sql`
    select extract(epoch from now() - least(
      (select min(occurred_at) from outbox_events where published_at is null),
      (select min(x.occurred_at) from webhook_endpoints e cross join lateral (
        select o.occurred_at from webhook_deliveries d join outbox_events o on o.id = d.event_id
        where d.endpoint_id = e.id and d.status = 'pending' order by d.created_at limit 1
      ) x where e.active and e.deleted_at is null)
    ))::float8 as age`)
  return Math.max(0, Number(found?.age ?? 0))
}
