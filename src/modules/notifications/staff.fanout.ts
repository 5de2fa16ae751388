import { and, arrayOverlaps, eq, inArray, isNull, sql } from 'drizzle-orm'
import type { Db, Tx } from '../../db/client.js'
import { rows, ts } from '../../db/rows.js'
import { messages, notificationChannels } from '../../db/schema/messages.js'
import { notificationSubscriptions as subs } from '../../db/schema/notification-subscriptions.js'
import { users } from '../../db/schema/users.js'
import { isUuid } from '../common/validate.js'
import { concernOf, staffContent, staffEventTypes, type CustomerLabel, type StaffEvent } from './staff.texts.js'

export const FAN_OUT_BATCH = 200

type Sub = { id: string; userId: string | null; teamId: string | null; channelId: string; kind: string; eventTypes: string[]; scope: string }

/**
 * Turns new staff-relevant outbox events into messages, one transaction per batch
 * (docs/notifications.md, "Staff notifications"). The events are claimed with FOR UPDATE
 * SKIP LOCKED on this consumer's own marker (`staff_notified_at`, never the webhooks'
 * `published_at`) and marked in the same transaction as their messages are inserted: each
 * event is fanned out once however many processes run this, and an event committed late
 * (its occurred_at is its transaction's start) is still found, unlike with a time cursor.
 * `dedupe_key = staff:<event>:<subscription>` makes a second insert impossible anyway.
 * Events older than STAFF_NOTIFY_MAX_AGE_HOURS are marked without a message.
 */
export async function fanOutStaffEvents(db: Db, now: Date, maxAgeMs: number): Promise<{ events: number; messages: number; full: boolean }> {
  return db.transaction(async (tx) => {
    const found = await rows<{ id: string; type: string; entity_id: string | null; data: unknown; occurred_at: string | Date }>(tx, sql`
      select id, type, entity_id, data, occurred_at from outbox_events
      where staff_notified_at is null and type in (${sql.join(staffEventTypes.map((t) => sql`${t}`), sql`, `)})
      order by occurred_at limit ${FAN_OUT_BATCH} for update skip locked`)
    if (found.length === 0) return { events: 0, messages: 0, full: false }
    await tx.execute(sql`update outbox_events set staff_notified_at = ${ts(now)} where id in (${sql.join(found.map((e) => sql`${e.id}::uuid`), sql`, `)})`)
    const fresh = found.filter((e) => now.getTime() - new Date(e.occurred_at).getTime() <= maxAgeMs).map((e): StaffEvent => ({
      id: e.id, type: e.type as StaffEvent['type'], entityId: e.entity_id, data: (typeof e.data === 'string' ? JSON.parse(e.data) : e.data) as Record<string, unknown>
    }))
    const inserted = await enqueue(tx, fresh, now)
    return { events: found.length, messages: inserted, full: found.length === FAN_OUT_BATCH }
  })
}

async function enqueue(tx: Tx, events: StaffEvent[], now: Date): Promise<number> {
  const concerned = events.map((e) => ({ event: e, concern: concernOf(e) })).filter((x) => x.concern !== null)
  if (concerned.length === 0) return 0
  const types = [...new Set(concerned.map((x) => x.event.type))]
  const found: Sub[] = await tx.select({
    id: subs.id, userId: subs.userId, teamId: subs.teamId, channelId: subs.channelId, kind: notificationChannels.kind, eventTypes: subs.eventTypes, scope: subs.scope
  }).from(subs).innerJoin(notificationChannels, and(eq(notificationChannels.id, subs.channelId), isNull(notificationChannels.deletedAt), eq(notificationChannels.active, true)))
    .where(and(isNull(subs.deletedAt), arrayOverlaps(subs.eventTypes, types)))
  if (found.length === 0) return 0
  // Staff names for the texts, and every user's team for the `team` scope: one query.
  const userIds = new Set<string>(found.flatMap((s) => (s.userId ? [s.userId] : [])))
  for (const x of concerned) for (const id of x.concern!.userIds) userIds.add(id)
  const known = userIds.size ? await tx.select({ id: users.id, name: users.name, teamId: users.teamId }).from(users)
    .where(inArray(users.id, [...userIds].filter(isUuid))) : []
  const byId = new Map(known.map((u) => [u.id, u]))
  const name = (id: unknown) => (typeof id === 'string' && byId.get(id)?.name) || '-'
  const customer = await taskCustomers(tx, concerned.map((x) => x.event))
  const values: (typeof messages.$inferInsert)[] = []
  for (const { event, concern } of concerned) {
    const teams = new Set([...concern!.teamIds, ...concern!.userIds.map((u) => byId.get(u)?.teamId).filter((t): t is string => !!t)])
    for (const s of found) {
      if (!s.eventTypes.includes(event.type)) continue
      const subscriberTeam = s.teamId ?? byId.get(s.userId!)?.teamId ?? null
      const reaches = s.scope === 'all' || (s.scope === 'mine' && s.userId !== null && concern!.userIds.includes(s.userId))
        || (s.scope === 'team' && subscriberTeam !== null && teams.has(subscriberTeam))
      if (!reaches) continue
      values.push({
        dedupeKey: `staff:${event.id}:${s.id}`, channelId: s.channelId, channelKind: s.kind as typeof messages.$inferInsert['channelKind'],
        purpose: 'staff', recipientKind: s.userId ? 'user' : 'team', userId: s.userId, teamId: s.teamId,
        context: { eventId: event.id, entityId: event.entityId }, content: staffContent(event, name, customer), status: 'queued', nextAttemptAt: now,
        eventId: event.id, eventType: event.type, createdAt: now, updatedAt: now
      })
    }
  }
  if (values.length === 0) return 0
  const inserted = await tx.insert(messages).values(values).onConflictDoNothing({ target: messages.dedupeKey }).returning({ id: messages.id })
  return inserted.length
}

/** The customers of the batch's task.created events (a journey's "notify owner" task): name and masked phone, one query. */
async function taskCustomers(tx: Tx, events: StaffEvent[]): Promise<CustomerLabel> {
  const ids = [...new Set(events.filter((e) => e.type === 'task.created').map((e) => (e.data.task as { customerId?: unknown } | undefined)?.customerId).filter((id): id is string => typeof id === 'string' && isUuid(id)).map((id) => id.toLowerCase()))]
  if (ids.length === 0) return () => null
  const found = await rows<{ id: string; name: string; phone_masked: string | null }>(tx, sql`
    select id::text as id, name, phone_masked from customers where id in (${sql.join(ids.map((id) => sql`${id}::uuid`), sql`, `)}) and deleted_at is null`)
  const byId = new Map(found.map((c) => [c.id, c.phone_masked ? `${c.name} (${c.phone_masked})` : c.name]))
  return (id) => (typeof id === 'string' ? byId.get(id.toLowerCase()) ?? null : null)
}
