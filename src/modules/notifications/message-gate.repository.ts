import { sql } from 'drizzle-orm'
import type { Executor } from '../../db/client.js'
import { rows } from '../../db/rows.js'
import type { CapCounts } from '../../rules/frequency-caps.js'
import type { ChannelKind, MessagePurpose } from '../../rules/message-template.js'

/** The statements of the message gate; each takes a whole batch (ids as one JSON parameter). */
const list = (ids: Iterable<string>) => sql`(select value::uuid from jsonb_array_elements_text(${JSON.stringify([...new Set(ids)])}::jsonb))`

export type GateTemplate = {
  id: string; name: string; channelKind: ChannelKind; purpose: MessagePurpose; format: string; language: string
  subject: string | null; body: string; html: string | null; providerTemplateCode: string | null; variables: string[]; active: boolean
}
export type GateChannel = { id: string; kind: string; active: boolean; isDefault: boolean }

export async function loadTemplates(ex: Executor, ids: Iterable<string>): Promise<Map<string, GateTemplate>> {
  const found = await rows<GateTemplate>(ex, sql`
    select id, name, channel_kind as "channelKind", purpose, format, language, subject, body, html, provider_template_code as "providerTemplateCode", variables, active
    from message_templates where id in ${list(ids)} and deleted_at is null`)
  return new Map(found.map((t) => [t.id, t]))
}

/** The named channels, and the default channel of each kind. */
export async function loadChannels(ex: Executor, ids: Iterable<string>): Promise<{ byId: Map<string, GateChannel>; defaults: Map<string, GateChannel> }> {
  const found = await rows<GateChannel>(ex, sql`
    select id, kind, active, is_default as "isDefault" from notification_channels
    where deleted_at is null and (id in ${list(ids)} or (is_default and active))`)
  return { byId: new Map(found.map((c) => [c.id, c])), defaults: new Map(found.filter((c) => c.isDefault && c.active).map((c) => [c.kind, c])) }
}

/** Messages that already have these dedupe keys: key → id. */
export async function existingDedupe(ex: Executor, keys: readonly string[]): Promise<Map<string, string>> {
  if (keys.length === 0) return new Map()
  const found = await rows<{ id: string; dedupeKey: string }>(ex, sql`
    select id, dedupe_key as "dedupeKey" from messages where dedupe_key in (select value from jsonb_array_elements_text(${JSON.stringify(keys)}::jsonb))`)
  return new Map(found.map((r) => [r.dedupeKey, r.id]))
}

/**
 * Row locks on the customers' contact_locks rows, taken in id order (so two batches cannot
 * deadlock) and held to the end of the caller's transaction: the caps counted after this
 * cannot change under it.
 */
export async function lockCustomers(ex: Executor, customerIds: readonly string[]): Promise<void> {
  if (customerIds.length === 0) return
  await ex.execute(sql`
    insert into contact_locks (customer_id, locked_at)
    select id, now() from ${list(customerIds)} as l(id) order by id
    on conflict (customer_id) do update set locked_at = excluded.locked_at`)
}

/** Each customer's marketing messages (queued, held or sent, or the statuses given) created in the week and the day before `now`, per channel kind. */
export async function capCounts(ex: Executor, customerIds: readonly string[], dayFrom: Date, weekFrom: Date, statuses: readonly string[] = ['queued', 'held', 'sent']): Promise<Map<string, CapCounts>> {
  const out = new Map<string, CapCounts>()
  if (customerIds.length === 0) return out
  const found = await rows<{ customerId: string; channelKind: string; day: number; week: number }>(ex, sql`
    select customer_id as "customerId", channel_kind as "channelKind",
      (count(*) filter (where created_at > ${dayFrom.toISOString()}::timestamptz))::int as day, count(*)::int as week
    from messages
    where customer_id in ${list(customerIds)} and purpose = 'marketing' and status::text in (select value from jsonb_array_elements_text(${JSON.stringify(statuses)}::jsonb))
      and created_at > ${weekFrom.toISOString()}::timestamptz
    group by 1, 2`)
  for (const r of found) {
    const c = out.get(r.customerId) ?? { day: 0, week: 0, channels: {} }
    c.day += r.day
    c.week += r.week
    c.channels[r.channelKind] = { day: r.day, week: r.week }
    out.set(r.customerId, c)
  }
  return out
}

export type MessageInsert = {
  id: string; dedupe_key: string; channel_id: string | null; channel_kind: string; template_id: string; purpose: string
  customer_id: string; language: string; context: Record<string, string>; content: Record<string, unknown> | null
  status: string; reason: string | null; send_after: string | null; next_attempt_at: string | null
  journey_id: string | null; journey_version: number | null; enrollment_id: string | null; step_key: string | null
}

/** One statement for the batch; a dedupe key a concurrent transaction took first is skipped. Returns the ids inserted. */
export async function insertMessages(ex: Executor, values: readonly MessageInsert[], now: Date): Promise<Set<string>> {
  if (values.length === 0) return new Set()
  const at = now.toISOString()
  const inserted = await rows<{ id: string }>(ex, sql`
    insert into messages (id, dedupe_key, channel_id, channel_kind, template_id, purpose, recipient_kind, customer_id, language, context, content,
      status, reason, send_after, next_attempt_at, journey_id, journey_version, enrollment_id, step_key, created_at, updated_at)
    select r.id, r.dedupe_key, r.channel_id, r.channel_kind::channel_kind, r.template_id, r.purpose::message_purpose, 'customer', r.customer_id, r.language,
      r.context, r.content, r.status::message_status, r.reason, r.send_after, r.next_attempt_at, r.journey_id, r.journey_version, r.enrollment_id, r.step_key,
      ${at}::timestamptz, ${at}::timestamptz
    from jsonb_to_recordset(${JSON.stringify(values)}::jsonb) as r(id uuid, dedupe_key text, channel_id uuid, channel_kind text, template_id uuid, purpose text,
      customer_id uuid, language text, context jsonb, content jsonb, status text, reason text, send_after timestamptz, next_attempt_at timestamptz,
      journey_id uuid, journey_version int, enrollment_id uuid, step_key text)
    on conflict (dedupe_key) do nothing
    returning id`)
  return new Set(inserted.map((r) => r.id))
}
