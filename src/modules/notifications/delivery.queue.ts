import { sql } from 'drizzle-orm'
import type { Executor } from '../../db/client.js'
import { rows, ts } from '../../db/rows.js'
import type { ChannelKind, MessageContent } from './adapters/types.js'

/**
 * The message queue's statements (docs/notifications.md, "Delivery"). Claiming leases due
 * queued messages (`locked_until`) with FOR UPDATE SKIP LOCKED, so any number of workers share
 * them and none takes a message another holds; a dead worker leaves only its leases, and the
 * message is due again when they end. The recipient's address comes with the claim, still sealed.
 */
export type ClaimedMessage = {
  id: string
  channelId: string | null
  channelKind: ChannelKind
  recipientKind: 'customer' | 'user' | 'team'
  customerId: string | null
  userId: string | null
  teamId: string | null
  content: MessageContent | null
  step: number
  templateCode: string | null
  phoneEnc: string | null
  emailEnc: string | null
  userEmail: string | null
}

/** Leases up to `limit` due messages until `now + leaseMs`, oldest due first. */
export async function claimDueMessages(ex: Executor, now: Date, limit: number, leaseMs: number): Promise<ClaimedMessage[]> {
  const found = await rows(ex, sql`
    with due as (
      select id from messages
      where status = 'queued' and next_attempt_at <= ${ts(now)} and (locked_until is null or locked_until <= ${ts(now)})
      order by next_attempt_at limit ${limit}
      for update skip locked
    ), claimed as (
      update messages m set locked_until = ${ts(new Date(now.getTime() + leaseMs))}
      from due where m.id = due.id
      returning m.id, m.channel_id, m.channel_kind, m.recipient_kind, m.customer_id, m.user_id, m.team_id, m.content, m.step, m.template_id
    )
    select c.id, c.channel_id, c.channel_kind, c.recipient_kind, c.customer_id, c.user_id, c.team_id, c.content, c.step,
      t.provider_template_code, cu.phone_enc, cu.email_enc, u.email as user_email
    from claimed c
    left join message_templates t on t.id = c.template_id
    left join customers cu on cu.id = c.customer_id and cu.deleted_at is null
    left join users u on u.id = c.user_id and u.deleted_at is null and u.active`)
  return found.map((r) => ({
    id: String(r.id), channelId: (r.channel_id as string | null) ?? null, channelKind: r.channel_kind as ChannelKind,
    recipientKind: r.recipient_kind as ClaimedMessage['recipientKind'], customerId: (r.customer_id as string | null) ?? null,
    userId: (r.user_id as string | null) ?? null, teamId: (r.team_id as string | null) ?? null,
    content: (typeof r.content === 'string' ? JSON.parse(r.content) : r.content) as MessageContent | null, step: Number(r.step),
    templateCode: (r.provider_template_code as string | null) ?? null, phoneEnc: (r.phone_enc as string | null) ?? null,
    emailEnc: (r.email_enc as string | null) ?? null, userEmail: (r.user_email as string | null) ?? null
  }))
}

/** One finished attempt and what the message becomes: sent, queued again at `nextAt` (schedule step `step`), or failed with `reason`. */
export type MessageAttemptRecord = {
  messageId: string
  at: Date
  statusCode: number | null
  error: string | null
  latencyMs: number
  excerpt: string | null
  providerMessageId: string | null
  status: 'sent' | 'queued' | 'failed'
  step: number
  nextAt: Date | null
  reason: string | null
  /** The channel actually used (a message naming none gets the default's id). */
  channelId: string | null
  /** False for a send refused before any attempt (no channel, no address): no attempt row. */
  attempted: boolean
}

/**
 * Records finished attempts in one statement: the attempt rows, and each message's new state
 * with its lease released. A message is only updated while still queued (a lease that ran
 * out and was taken by another worker finds it sent or failed, and changes nothing).
 */
export async function recordMessageAttempts(ex: Executor, records: readonly MessageAttemptRecord[]): Promise<void> {
  if (records.length === 0) return
  const json = JSON.stringify(records.map((a) => ({
    message_id: a.messageId, at: a.at.toISOString(), status_code: a.statusCode, error: a.error, latency_ms: a.latencyMs, excerpt: a.excerpt,
    provider_id: a.providerMessageId, status: a.status, step: a.step, next_at: a.nextAt?.toISOString() ?? null, reason: a.reason,
    channel_id: a.channelId, attempted: a.attempted
  })))
  await ex.execute(sql`
    with r as (
      select * from jsonb_to_recordset(${json}::jsonb) as r(message_id uuid, at timestamptz, status_code int, error text, latency_ms int,
        excerpt text, provider_id text, status text, step int, next_at timestamptz, reason text, channel_id uuid, attempted boolean)
    ), attempt as (
      insert into message_attempts (id, message_id, attempted_at, status_code, error, latency_ms, excerpt)
      select crm_uuidv7(), message_id, at, status_code, error, latency_ms, excerpt from r where attempted
    )
    update messages m set
      status = r.status::message_status, step = r.step, next_attempt_at = r.next_at, locked_until = null,
      attempts = m.attempts + case when r.attempted then 1 else 0 end,
      last_error = r.error, last_status_code = r.status_code, reason = coalesce(r.reason, m.reason),
      provider_message_id = coalesce(r.provider_id, m.provider_message_id),
      sent_at = case when r.status = 'sent' then r.at else m.sent_at end,
      latency_ms = case when r.attempted then r.latency_ms else m.latency_ms end,
      channel_id = coalesce(m.channel_id, r.channel_id), updated_at = now()
    from r where m.id = r.message_id and m.status = 'queued'`)
}
