import { FakeHttpProvider } from '../support/fake-providers.js'
import type { Model } from './model-state.js'
import { ModelFailure, type World } from './model-world.js'

/**
 * Automation in the model (docs/automation.md, guardrails.md, consents.md): marketing consent
 * history, event-triggered journeys (message step, optional wait, tag step), the model's clock
 * the engine runs at, and the marketing SMS messages the gate made, with the status the model
 * predicts for each. The rules restated here: the current consent of a channel is the later of
 * its own latest record and the latest `any` record (latest by occurredAt, a withdrawal winning
 * a tie); caps 1 a day and 3 a week (rolling, by creation time); quiet hours 21:00-09:00 in
 * Asia/Shanghai (UTC+8, no daylight saving); a held message older than 24 h is dropped.
 */
export type MConsent = { customerId: string; channel: 'sms' | 'email' | 'any'; granted: boolean; occurredAt: number }
export type MJourney = { id: string; status: 'active' | 'paused'; trigger: 'order.recorded' | 'customer.updated'; tag: string; wait: boolean }
export type MMessage = { id: string; customerId: string; createdAt: number; status: 'queued' | 'held' | 'capped' | 'blocked' | 'sent' | 'dropped' | 'failed'; reason: string | null; sendAfter: number | null; consentAtCreation: boolean; url?: string }
export type MEnrollment = { id: string; journeyId: string; customerId: string; step: string | null; dueAt: number; status: string }

export class AutoModel {
  consents: MConsent[] = []
  journeys = new Map<string, MJourney>()
  enrollments = new Map<string, MEnrollment>()
  messages = new Map<string, MMessage>()
  /** Messages whose unsubscribe link was followed (a second click records nothing). */
  unsubscribed = new Set<string>()
  channelId = ''
  templateId = ''
  /** The engine's `now`: starts at 10:00 Shanghai time after the real now, only moves forward. */
  clock = startClock(Date.now())
  /** How many fake-provider requests were already matched to sent messages. */
  seenRequests = 0
}

export const DAY = 86_400_000
export const HOUR = 3_600_000
const SHANGHAI = 8 * HOUR

/** 10:00 in Shanghai on the day after `real` (a fixed time of day, so quiet hours are reproducible). */
export function startClock(real: number): number {
  const localMidnight = Math.floor((real + SHANGHAI) / DAY) * DAY - SHANGHAI
  return localMidnight + DAY + 10 * HOUR
}

/** The end of the quiet window `t` is in (09:00 Shanghai), or null outside it. */
export function quietUntil(t: number): number | null {
  const local = (t + SHANGHAI) % DAY
  const midnight = t - local
  if (local >= 21 * HOUR) return midnight + DAY + 9 * HOUR
  if (local < 9 * HOUR) return midnight + 9 * HOUR
  return null
}

/** The customer's current marketing consent on SMS, from the model's history. */
export function smsConsent(a: AutoModel, customerId: string): boolean {
  const latest = (channel: string): MConsent | null => {
    let best: MConsent | null = null
    for (const r of a.consents) {
      if (r.customerId !== customerId || r.channel !== channel) continue
      if (!best || r.occurredAt > best.occurredAt || (r.occurredAt === best.occurredAt && !r.granted)) best = r
    }
    return best
  }
  const own = latest('sms')
  const any = latest('any')
  if (!own || !any) return (own ?? any)?.granted === true
  if (own.occurredAt !== any.occurredAt) return (own.occurredAt > any.occurredAt ? own : any).granted
  return own.granted && any.granted
}

/** Which cap a new marketing message at `t` hits, counting the customer's messages that count (queued, held, sent; `counted`). */
export function capHit(a: AutoModel, customerId: string, t: number, counted: readonly MMessage['status'][] = ['queued', 'held', 'sent']): string | null {
  const mine = [...a.messages.values()].filter((x) => x.customerId === customerId && counted.includes(x.status))
  if (mine.filter((x) => x.createdAt > t - DAY).length >= 1) return 'daily_cap'
  if (mine.filter((x) => x.createdAt > t - 7 * DAY).length >= 3) return 'weekly_cap'
  return null
}

// The fake SMS provider: one per process, started on first use, stopped by the runner.
let provider: FakeHttpProvider | null = null
let providerUrl = ''
export async function smsProvider(): Promise<{ provider: FakeHttpProvider; url: string }> {
  if (!provider) {
    provider = new FakeHttpProvider()
    provider.answer = () => ({ status: 200, body: { messageId: `fake-${provider!.received.length}` } })
    providerUrl = await provider.start()
  }
  return { provider, url: providerUrl }
}
export async function stopSmsProvider(): Promise<void> {
  if (provider) await provider.stop()
  provider = null
}

/** Per run: the default SMS channel (the fake provider) and a marketing SMS template with the unsubscribe link. */
export async function createAutomationFixtures(w: World, m: Model): Promise<void> {
  const { provider: p, url } = await smsProvider()
  m.auto.seenRequests = p.received.length
  const admin = w.caller('admin').token
  const ch = await w.ctx.gql(admin, 'mutation($i: CreateNotificationChannelInput!) { createNotificationChannel(input: $i) { notificationChannel { id } userErrors { field message } } }',
    { i: { name: '模型短信', kind: 'sms', isDefault: true, config: { url: `${url}/sms`, signName: '推荐CRM' }, secrets: { apiKey: 'model-key' } } })
  m.auto.channelId = ch.data?.createNotificationChannel?.notificationChannel?.id
  if (!m.auto.channelId) throw new Error(`createNotificationChannel failed: ${JSON.stringify(ch)}`)
  const tpl = await w.ctx.gql(admin, 'mutation($i: CreateMessageTemplateInput!) { createMessageTemplate(input: $i) { template { id } userErrors { field message } } }',
    { i: { key: 'model-care', name: '模型关怀', channelKind: 'sms', purpose: 'marketing', providerTemplateCode: 'SMS_MODEL', body: '{{customer.name}}您好，关怀问候。退订 {{unsubscribeUrl}}' } })
  m.auto.templateId = tpl.data?.createMessageTemplate?.template?.id
  if (!m.auto.templateId) throw new Error(`createMessageTemplate failed: ${JSON.stringify(tpl)}`)
}

const fail = (msg: string): never => { throw new ModelFailure(msg) }

/**
 * The automation invariants after every command (a few cheap statements): the app's marketing
 * messages are the model's, each with the status it predicts; a message queued, held or sent
 * had the customer's consent when made and (queued, held) still has it; no customer holds more
 * than the caps allow in any rolling window; every capped, blocked, dropped or failed message
 * has a reason; enrollments unique per journey and customer (no re-entry); step runs unique
 * per (enrollment, seq) and per (enrollment, step).
 */
export async function checkAutomation(w: World, m: Model): Promise<void> {
  const a = m.auto
  // Messages and enrollments come only from journeys: nothing to compare before the first.
  if (!a.templateId || a.journeys.size === 0) return
  const msgs = await w.sql<{ id: string; customer_id: string; status: string; reason: string | null; created_at: string }>(
    `select id::text, customer_id::text, status::text, reason, created_at from messages where purpose = 'marketing' order by id`)
  if (msgs.length !== a.messages.size) fail(`messages: app holds ${msgs.length} marketing messages, model ${a.messages.size}`)
  const perCustomer = new Map<string, number[]>()
  for (const r of msgs) {
    const want = a.messages.get(r.id) ?? fail(`message ${r.id} is not in the model`)
    if (r.status !== want.status || (r.reason ?? null) !== want.reason) fail(`message ${r.id}: app ${r.status}/${r.reason}, model ${want.status}/${want.reason}`)
    if (['capped', 'blocked', 'dropped', 'failed'].includes(r.status) && !r.reason) fail(`message ${r.id} is ${r.status} without a reason`)
    if (['queued', 'held', 'sent'].includes(r.status)) {
      if (!want.consentAtCreation) fail(`message ${r.id} is ${r.status} but the customer had no SMS marketing consent when it was made`)
      if (r.status !== 'sent' && !smsConsent(a, r.customer_id)) fail(`message ${r.id} is still ${r.status} after the customer's consent went`)
      perCustomer.set(r.customer_id, [...(perCustomer.get(r.customer_id) ?? []), new Date(r.created_at).getTime()])
    }
  }
  for (const [customer, times] of perCustomer) {
    times.sort((x, y) => x - y)
    for (let i = 0; i < times.length; i++) {
      if (i > 0 && times[i] - times[i - 1] < DAY) fail(`customer ${customer}: two marketing messages within 24 h (${new Date(times[i - 1]).toISOString()}, ${new Date(times[i]).toISOString()})`)
      if (i >= 3 && times[i] - times[i - 3] < 7 * DAY) fail(`customer ${customer}: four marketing messages within 7 days`)
    }
  }
  const [dups] = await w.sql<{ enrol: number; seq: number; step: number }>(`select
    (select count(*) from (select 1 from journey_enrollments group by journey_id, customer_id having count(*) > 1) x)::int as enrol,
    (select count(*) from (select 1 from journey_step_runs group by enrollment_id, seq having count(*) > 1) x)::int as seq,
    (select count(*) from (select 1 from journey_step_runs group by enrollment_id, step_key having count(*) > 1) x)::int as step`)
  if (dups.enrol || dups.seq || dups.step) fail(`journeys: ${dups.enrol} customers enrolled twice in a journey, ${dups.seq} step runs repeated per seq, ${dups.step} steps run twice`)
}
