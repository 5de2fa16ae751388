import { sql } from 'drizzle-orm'
import type { Db, Executor } from '../../db/client.js'
import { rows, ts } from '../../db/rows.js'
import type { PiiCipher } from '../../lib/pii.js'
import type { JourneyDefinition } from '../../rules/journey-definition.js'
import { anniversaryTargets, inactiveSince } from '../../rules/journey-schedule.js'
import { enroll, filterSql, pairsSrc, scoresJoin } from './journey-enroll.js'

/**
 * What enrolls customers (docs/automation.md, "Triggers"): outbox events, consumed with this
 * area's own marker `journeys_seen_at` (webhooks use `published_at`), claimed in batches
 * with FOR UPDATE SKIP LOCKED so several processes share them; and scans for audience entry
 * and leave (against a membership snapshot per journey), inactivity and dates, each a
 * journey at a time under that journey's row lock.
 */

export type ActiveJourney = { id: string; version: number; activatedAt: Date; scannedAt: Date | null; definition: JourneyDefinition }

/** The active journeys with their current definitions. */
export async function activeJourneys(ex: Executor, lock?: string): Promise<ActiveJourney[]> {
  const found = await rows<{ id: string; version: number; activated_at: string; scanned_at: string | null; definition: JourneyDefinition }>(ex, sql`
    select j.id, j.current_version as version, j.activated_at, j.scanned_at, v.definition
    from journeys j join journey_versions v on v.journey_id = j.id and v.version = j.current_version
    where j.status = 'active' and j.deleted_at is null ${lock ? sql`and j.id = ${lock}::uuid for update of j skip locked` : sql``}`)
  return found.map((r) => ({ id: r.id, version: r.version, activatedAt: new Date(r.activated_at), scannedAt: r.scanned_at ? new Date(r.scanned_at) : null, definition: r.definition }))
}

type EventRow = { id: string; type: string; entity_type: string; entity_id: string | null; data: Record<string, unknown>; occurred_at: string }

/** The customer an event is about: the customer itself, or `customerId` in its data or in an object of its data (order, task, ticket...). */
export function customerOfEvent(e: { entity_type: string; entity_id: string | null; data: Record<string, unknown> }): string | null {
  if (e.entity_type === 'customer') return e.entity_id
  const direct = e.data.customerId
  if (typeof direct === 'string') return direct
  for (const value of Object.values(e.data)) {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const nested = (value as Record<string, unknown>).customerId
      if (typeof nested === 'string') return nested
    }
  }
  return null
}

function matches(def: JourneyDefinition, activatedAt: Date, e: EventRow): boolean {
  const t = def.trigger
  if (t.type !== 'event' || t.eventType !== e.type || new Date(e.occurred_at) < activatedAt) return false
  if (!t.changedFields?.length) return true
  const changes = e.data.changes
  return Boolean(changes && typeof changes === 'object' && t.changedFields.some((f) => f in (changes as Record<string, unknown>)))
}

/** One batch of unseen outbox events: marked seen, and their customers enrolled in the journeys they trigger, in one transaction. Returns the events taken. */
export async function consumeEvents(db: Db, pii: PiiCipher, now: Date, batch: number): Promise<{ events: number; enrolled: number }> {
  return db.transaction(async (tx) => {
    const events = await rows<EventRow>(tx, sql`
      with claimed as (
        select id from outbox_events where journeys_seen_at is null order by occurred_at limit ${batch} for update skip locked
      )
      update outbox_events o set journeys_seen_at = ${ts(now)} from claimed where o.id = claimed.id
      returning o.id, o.type, o.entity_type, o.entity_id, o.data, o.occurred_at`)
    if (events.length === 0) return { events: 0, enrolled: 0 }
    let enrolled = 0
    for (const j of (await activeJourneys(tx)).filter((x) => x.definition.trigger.type === 'event')) {
      const pairs = events.filter((e) => matches(j.definition, j.activatedAt, e))
        .map((e) => ({ customerId: customerOfEvent(e), eventId: e.id }))
        .filter((p): p is { customerId: string; eventId: string } => p.customerId !== null)
      if (pairs.length > 0) enrolled += await enroll(tx, pii, { journeyId: j.id, version: j.version, definition: j.definition }, pairsSrc(pairs), 'event', now)
    }
    return { events: events.length, enrolled }
  })
}

/** The current audience of an audience trigger into the journey's snapshot, without enrolling anyone (activation's baseline). */
export async function baselineAudience(ex: Executor, pii: PiiCipher, journeyId: string, def: JourneyDefinition, now: Date): Promise<void> {
  if (def.trigger.type !== 'audience') return
  const { where, scores } = filterSql(def.trigger.audience, pii, now)
  await ex.execute(sql`delete from journey_audience_members where journey_id = ${journeyId}::uuid`)
  await ex.execute(sql`insert into journey_audience_members (journey_id, customer_id, since)
    select ${journeyId}::uuid, customers.id, ${ts(now)} from customers ${scoresJoin(scores)} where ${where}`)
}

/** How often the inactivity and date scans look again (they look at whole days). */
const DAILY_SCAN_EVERY_MS = 60 * 60_000

/** One scan of one journey (audience, inactivity, date), under its row lock; returns how many it enrolled. */
async function scanJourney(db: Db, pii: PiiCipher, journeyId: string, now: Date, timeZone: string): Promise<number> {
  return db.transaction(async (tx) => {
    const [j] = await activeJourneys(tx, journeyId)
    if (!j) return 0
    const t = j.definition.trigger
    if (t.type === 'event') return 0
    if (t.type !== 'audience' && j.scannedAt && Math.abs(now.getTime() - j.scannedAt.getTime()) < DAILY_SCAN_EVERY_MS) return 0
    const target = { journeyId: j.id, version: j.version, definition: j.definition }
    let n = 0
    if (t.type === 'audience') {
      const { where, scores } = filterSql(t.audience, pii, now)
      n = await enroll(tx, pii, target, sql`
        with cur as (select customers.id from customers ${scoresJoin(scores)} where ${where}),
        gone as (
          delete from journey_audience_members m where m.journey_id = ${j.id}::uuid and not exists (select 1 from cur where cur.id = m.customer_id)
          returning m.customer_id),
        came as (
          insert into journey_audience_members (journey_id, customer_id, since) select ${j.id}::uuid, cur.id, ${ts(now)} from cur
          on conflict (journey_id, customer_id) do nothing returning customer_id),
        src as (select customer_id, null::uuid as event_id from ${t.on === 'enter' ? sql`came` : sql`gone`})`, `audience_${t.on}`, now)
    } else if (t.type === 'inactivity') {
      const since = inactiveSince(now, timeZone, t.days)
      const quiet = t.measure === 'order'
        ? sql`not exists (select 1 from orders o where o.customer_id = customers.id and o.paid_at >= ${ts(since)})`
        : filterSql({ lastActivityBefore: since.toISOString() }, pii, now).where
      n = await enroll(tx, pii, target, sql`with src as (
        select customers.id as customer_id, null::uuid as event_id from customers
        where customers.deleted_at is null and customers.created_at < ${ts(since)} and ${quiet})`, 'inactivity', now)
    } else {
      const targets = anniversaryTargets(now, timeZone, t.daysBefore)
      const day = (col: ReturnType<typeof sql>) => sql.join(targets.map((d) => sql`(extract(month from ${col}) = ${d.month} and extract(day from ${col}) = ${d.day})`), sql` or `)
      const src = t.field === 'birthday'
        ? sql`select customers.id as customer_id, null::uuid as event_id from customers where customers.deleted_at is null and customers.birthday is not null and (${day(sql`customers.birthday`)})`
        : sql`select f.customer_id, null::uuid as event_id from (
            select o.customer_id, (min(o.paid_at) at time zone ${timeZone})::date as first from orders o group by o.customer_id) f
          where f.first <= ((${ts(now)} at time zone ${timeZone})::date + ${t.daysBefore}::int - interval '1 year')::date and (${day(sql`f.first`)})`
      n = await enroll(tx, pii, target, sql`with src as (${src})`, `date_${t.field}`, now)
    }
    await tx.execute(sql`update journeys set scanned_at = ${ts(now)} where id = ${j.id}::uuid`)
    return n
  })
}

/** Enrollments by one scan from which the table's statistics are refreshed at once, not left to autovacuum. */
export const ANALYZE_AFTER = 10_000

/** The scans of every active journey with a scanned trigger; a failure of one is reported and the rest go on. */
export async function scanAll(db: Db, pii: PiiCipher, now: Date, timeZone: string, failed: (err: unknown, item: Record<string, unknown>) => void): Promise<{ journeys: number; enrolled: number }> {
  const list = (await activeJourneys(db)).filter((j) => j.definition.trigger.type !== 'event')
  let enrolled = 0
  for (const j of list) {
    try {
      const n = await scanJourney(db, pii, j.id, now, timeZone)
      enrolled += n
      // Fresh statistics before the runner claims them: planned on the counts of before a mass
      // enrollment, the claim bitmap-scans and sorts the whole due set for each batch (docs/performance.md).
      if (n >= ANALYZE_AFTER) await db.execute(sql`analyze journey_enrollments`)
    } catch (err) {
      failed(err, { journeyId: j.id })
    }
  }
  return { journeys: list.length, enrolled }
}
