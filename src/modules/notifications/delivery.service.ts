import { retryAfterMs, retryDelaysMs } from '../../rules/webhook-retry.js'
import type { ServiceDeps } from '../service-deps.js'
import { adapters, type ChannelSettings, type Recipient } from './adapters/index.js'
import { envChannels } from './channels.env.js'
import { resolveChannels, type ResolvedChannel } from './delivery.channels.js'
import { claimDueMessages, recordMessageAttempts, type ClaimedMessage, type MessageAttemptRecord } from './delivery.queue.js'

/** A claimed message with the channel it goes out on (or why none). */
export type DeliveryJob = { message: ClaimedMessage; channel: ResolvedChannel }
/** An attempt finished and not yet recorded, with the channel kind for the metrics. */
export type Delivered = MessageAttemptRecord & { kind: string }

// A lease outlasts a send's timeout: only a dead worker's messages come back early.
const LEASE_MARGIN_MS = 15_000

/**
 * Message delivery (docs/notifications.md, "Delivery"): claims due messages, sends each
 * through its channel's adapter with the recipient's address opened at send time, and
 * records the attempt: sent, retried on the webhook schedule (src/rules/webhook-retry.ts),
 * or failed with its reason. Time is an argument; the worker (src/jobs/message-worker.ts)
 * passes the clock.
 */
export class MessageDeliveryService {
  private readonly fromEnv: Partial<Record<string, ChannelSettings>>

  constructor(private readonly deps: ServiceDeps) {
    this.fromEnv = envChannels(deps.config)
  }

  /** Leases up to `limit` due messages and resolves their channels. */
  async claim(now: Date, limit: number): Promise<DeliveryJob[]> {
    const batch = await claimDueMessages(this.deps.db, now, limit, this.deps.config.MESSAGE_TIMEOUT_MS + LEASE_MARGIN_MS)
    const channels = await resolveChannels(this.deps.db, this.deps.pii, batch, this.fromEnv)
    return batch.map((message, i) => ({ message, channel: channels[i] }))
  }

  /** One attempt at a claimed message; works out what follows. Records nothing, never throws. */
  async send(job: DeliveryJob, at: Date = new Date()): Promise<Delivered> {
    const { message, channel } = job
    const base = { messageId: message.id, at, statusCode: null, excerpt: null, providerMessageId: null, latencyMs: 0, step: message.step, nextAt: null, kind: message.channelKind }
    if (!channel.ok) return { ...base, error: channel.reason, status: 'failed', reason: channel.reason, channelId: null, attempted: false }
    const kind = channel.settings.kind
    const to = this.recipient(message)
    if ((kind === 'sms' && !to.phone) || (kind === 'email' && !to.email)) {
      return { ...base, kind, error: 'no_address', status: 'failed', reason: 'no_address', channelId: channel.id, attempted: false }
    }
    const content = { ...(message.content ?? { text: '' }), ...(message.templateCode && !message.content?.templateCode ? { templateCode: message.templateCode } : {}) }
    let result
    try {
      result = await adapters[kind](channel.settings, to, content, { timeoutMs: this.deps.config.MESSAGE_TIMEOUT_MS, allowPrivate: this.deps.config.WEBHOOK_ALLOW_PRIVATE_URLS, now: at })
    } catch (err) {
      result = { ok: false, statusCode: null, error: (err as Error).message ?? String(err), providerMessageId: null, excerpt: null, latencyMs: 0, retryable: true }
    }
    const common = { ...base, kind, statusCode: result.statusCode, error: result.error, excerpt: result.excerpt, providerMessageId: result.providerMessageId, latencyMs: result.latencyMs, channelId: channel.id, attempted: true }
    if (result.ok) return { ...common, status: 'sent', reason: null }
    if (!result.retryable) return { ...common, status: 'failed', reason: 'rejected' }
    if (message.step >= retryDelaysMs.length) return { ...common, status: 'failed', reason: 'exhausted' }
    const wait = Math.max(retryDelaysMs[message.step], retryAfterMs(result.retryAfter, at) ?? 0)
    return { ...common, status: 'queued', reason: null, step: message.step + 1, nextAt: new Date(at.getTime() + wait) }
  }

  /**
   * Records finished attempts in one statement; should it fail, each on its own, so one bad
   * row cannot hold back the rest. One that still fails is left to its lease (sent again when
   * it ends: at least once). Returns how many could not be recorded.
   */
  async record(done: readonly MessageAttemptRecord[]): Promise<number> {
    let lost = 0
    try {
      await recordMessageAttempts(this.deps.db, done)
    } catch {
      for (const d of done) await recordMessageAttempts(this.deps.db, [d]).catch(() => { lost++ })
    }
    return lost
  }

  /** Claims and sends everything due at `now` (up to `limit`), waiting for the answers: tests and one-shot runs. */
  async deliverDue(now: Date, limit = 100): Promise<Delivered[]> {
    const jobs = await this.claim(now, limit)
    const done = await Promise.all(jobs.map((j) => this.send(j, now)))
    await this.record(done)
    return done
  }

  /** The address opened at send time: a customer's phone and email (sealed), a user's email; robots need none. */
  private recipient(m: ClaimedMessage): Recipient {
    const { pii } = this.deps
    if (m.recipientKind === 'customer') return { phone: m.phoneEnc ? pii.open(m.phoneEnc) : null, email: m.emailEnc ? pii.open(m.emailEnc) : null }
    if (m.recipientKind === 'user') return { email: m.userEmail }
    return {}
  }
}
