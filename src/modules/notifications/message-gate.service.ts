import { uuidv7 } from 'uuidv7'
import type { Executor } from '../../db/client.js'
import { isTimeZone } from '../../config.js'
import { capReason, capWindows, decideCaps, type CapLimits } from '../../rules/frequency-caps.js'
import { renderTemplate } from '../../rules/message-template.js'
import { parseTimeOfDay, QUIET_REASON, quietUntil, type QuietHours } from '../../rules/quiet-hours.js'
import { byCustomerPurpose, consentChannelOf, decidingRecord, latestConsents } from '../consents/consent-state.js'
import { unsubscribeUrl } from '../consents/unsubscribe-token.js'
import type { ServiceDeps } from '../service-deps.js'
import { capCounts, existingDedupe, insertMessages, loadChannels, loadTemplates, lockCustomers, type MessageInsert } from './message-gate.repository.js'
import { preCheck, type Draft } from './message-gate.checks.js'
import { releaseHeld, type HeldRelease } from './message-gate.held.js'
import { loadCustomers, resolveVariables } from './message-variables.js'

/** One message to one customer, as journeys (and any other area) ask for it. */
export type CustomerMessageRequest = {
  customerId: string; templateId: string; channelId?: string | null
  context?: Record<string, string>; dedupeKey: string
  journey?: { journeyId: string; version: number; enrollmentId: string; stepKey: string }
}
export type GateStatus = 'queued' | 'held' | 'capped' | 'blocked' | 'duplicate'
export type GateOutcome = { dedupeKey: string; customerId: string; messageId: string | null; status: GateStatus; reason: string | null; sendAfter?: string | null }

/** Requests per round of statements: a million-row batch is 200 rounds of a constant number of statements. */
const CHUNK = 5000

/**
 * 消息闸门: the single way a customer message is enqueued (docs/guardrails.md). Inside the
 * caller's transaction it records one `messages` row per request with its decision: consent,
 * address, frequency caps (under a per-customer row lock), quiet hours; content rendered.
 */
export class MessageGateService {
  constructor(private readonly deps: ServiceDeps) {}

  get capLimits(): CapLimits {
    const c = this.deps.config
    return { day: c.MESSAGE_CAP_PER_DAY, week: c.MESSAGE_CAP_PER_WEEK, channelDay: c.MESSAGE_CAP_PER_CHANNEL_DAY, channelWeek: c.MESSAGE_CAP_PER_CHANNEL_WEEK }
  }

  get quietHours(): QuietHours {
    return { startMinute: parseTimeOfDay(this.deps.config.QUIET_HOURS_START) ?? 21 * 60, endMinute: parseTimeOfDay(this.deps.config.QUIET_HOURS_END) ?? 9 * 60 }
  }

  /** The customer's zone: attributes.timeZone when it is a valid IANA name, else REPORTING_TIMEZONE. */
  timeZoneOf(zone: string | null): string {
    return zone && isTimeZone(zone) ? zone : this.deps.config.REPORTING_TIMEZONE
  }

  /** The held-messages job's pass as of `now`. */
  releaseHeld(now: Date): Promise<HeldRelease> {
    return releaseHeld(this.deps.db, this.capLimits, this.deps.config.HELD_MESSAGE_MAX_AGE_HOURS, now)
  }

  /**
   * Decides and records each request in `ex`'s transaction; outcomes in request order. Requests
   * are handled in customer-id order so concurrent batches lock customers in the same order.
   */
  async enqueueCustomerMessages(ex: Executor, given: CustomerMessageRequest[], now: Date): Promise<GateOutcome[]> {
    const requests = given.map((r) => ({ ...r, customerId: lower(r.customerId), templateId: lower(r.templateId), channelId: r.channelId ? lower(r.channelId) : null }))
    for (const r of requests) if (typeof r.dedupeKey !== 'string' || r.dedupeKey.length === 0) throw new Error('enqueueCustomerMessages: every request needs a dedupeKey')
    const order = requests.map((_, i) => i).sort((a, b) => (requests[a].customerId < requests[b].customerId ? -1 : requests[a].customerId > requests[b].customerId ? 1 : a - b))
    const out: GateOutcome[] = new Array(requests.length)
    for (let i = 0; i < order.length; i += CHUNK) {
      const at = order.slice(i, i + CHUNK)
      const decided = await this.enqueueChunk(ex, at.map((k) => requests[k]), now)
      at.forEach((k, j) => { out[k] = decided[j] })
    }
    return out
  }

  private async enqueueChunk(ex: Executor, requests: CustomerMessageRequest[], now: Date): Promise<GateOutcome[]> {
    const [customers, templates, channels, existing] = [
      await loadCustomers(ex, requests.map((r) => r.customerId).filter(isUuid)),
      await loadTemplates(ex, requests.map((r) => r.templateId).filter(isUuid)),
      await loadChannels(ex, requests.map((r) => r.channelId).filter((id): id is string => !!id && isUuid(id))),
      await existingDedupe(ex, requests.map((r) => r.dedupeKey))
    ]
    const consents = byCustomerPurpose(await latestConsents(ex, customers.keys(), ['marketing', 'service']))
    const drafts: Draft[] = preCheck(requests, { customers, templates, channels, existing }, (customerId, purpose, kind) => {
      const record = decidingRecord(consents.get(`${customerId}:${purpose}`) ?? [], consentChannelOf(kind))
      return purpose === 'marketing' ? record?.granted === true : record?.granted !== false
    })

    // Variables of the drafts still open (missing context blocks the message).
    const open = drafts.filter((d) => d.template && d.customer && !d.status)
    const resolved = await resolveVariables(ex, open.map((d) => ({
      customerId: d.request.customerId, context: d.request.context ?? {}, variables: d.template!.variables, timeZone: this.timeZoneOf(d.customer!.timeZone)
    })), customers)
    open.forEach((d, i) => {
      const r = resolved[i]
      if ('missing' in r) Object.assign(d, { status: 'blocked', reason: 'missing_context' })
      else d.values = r.values
    })

    // Frequency caps: lock the marketing customers, count, decide in order.
    const capped = drafts.filter((d) => !d.status && d.template!.purpose === 'marketing')
    const capIds = [...new Set(capped.map((d) => d.request.customerId))].sort()
    await lockCustomers(ex, capIds)
    const { dayFrom, weekFrom } = capWindows(now)
    const counts = await capCounts(ex, capIds, dayFrom, weekFrom)
    decideCaps(capped.map((d) => ({ customerId: d.request.customerId, channelKind: d.template!.channelKind })), counts, this.capLimits)
      .forEach((hit, i) => { if (hit) Object.assign(capped[i], { status: 'capped', reason: capReason(hit) }) })

    const quiet = this.quietHours
    const inserts: MessageInsert[] = []
    for (const d of drafts) {
      if (!d.status) {
        const until = quietUntil(now, this.timeZoneOf(d.customer!.timeZone), quiet)
        Object.assign(d, until ? { status: 'held', reason: QUIET_REASON, sendAfter: until } : { status: 'queued', reason: null })
      }
      if (d.status === 'duplicate' || !d.template || !d.customer) continue
      d.messageId = uuidv7()
      const values = d.values ? { ...d.values, unsubscribeUrl: unsubscribeUrl(this.deps.config.PUBLIC_BASE_URL, this.deps.pii, d.messageId) } : null
      const j = d.request.journey
      inserts.push({
        id: d.messageId, dedupe_key: d.request.dedupeKey, channel_id: d.channel?.id ?? null, channel_kind: d.template.channelKind,
        template_id: d.template.id, purpose: d.template.purpose, customer_id: d.request.customerId, language: d.template.language,
        context: { customerId: d.request.customerId, ...(d.request.context ?? {}) }, content: values ? renderTemplate(d.template, values) : null,
        status: d.status!, reason: d.reason ?? null, send_after: d.sendAfter?.toISOString() ?? null,
        next_attempt_at: d.status === 'queued' ? now.toISOString() : null,
        journey_id: j?.journeyId ?? null, journey_version: j?.version ?? null, enrollment_id: j?.enrollmentId ?? null, step_key: j?.stepKey ?? null
      })
    }
    const inserted = await insertMessages(ex, inserts, now)
    // A dedupe key a concurrent transaction committed first: that one is the message.
    const lost = drafts.filter((d) => d.messageId && !inserted.has(d.messageId))
    if (lost.length > 0) {
      const winners = await existingDedupe(ex, lost.map((d) => d.request.dedupeKey))
      for (const d of lost) Object.assign(d, { status: 'duplicate', reason: null, messageId: winners.get(d.request.dedupeKey) ?? null })
    }
    for (const d of drafts) if (d.duplicateOf) d.messageId = d.duplicateOf.messageId
    return drafts.map((d) => ({
      dedupeKey: d.request.dedupeKey, customerId: d.request.customerId, messageId: d.messageId ?? null, status: d.status!, reason: d.reason ?? null,
      ...(d.status === 'held' && d.sendAfter ? { sendAfter: d.sendAfter.toISOString() } : {})
    }))
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const lower = (s: unknown): string => (typeof s === 'string' ? s.toLowerCase() : String(s))
const isUuid = (s: unknown): s is string => typeof s === 'string' && UUID.test(s)
