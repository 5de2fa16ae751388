import fc from 'fast-check'
import { messageGateOf } from '../../src/modules/automation/journey-messages.js'
import { runDueSteps } from '../../src/modules/automation/journey-runner.js'
import { customerOfEvent } from '../../src/modules/automation/journey-triggers.js'
import type { ServiceDeps } from '../../src/modules/service-deps.js'
import { Cmd } from './model-command.js'
import { capHit, HOUR, quietUntil, smsConsent, smsProvider, type AutoModel, type MMessage } from './model-automation.js'
import type { Model } from './model-state.js'
import { ModelFailure, type World } from './model-world.js'

/**
 * Time passes: the model's clock moves on and the engine runs at it, as the worker and jobs
 * would: new outbox events (journey enrollments), due steps until none is left, the held
 * messages' release, and delivery to the fake SMS provider. After each stage the app must
 * have done what the model predicts: who enrolled (each from an event of the journey's type
 * about that customer, in an active journey), which steps ran, each message step's gate
 * decision (consent, caps, quiet hours) in the order the messages were made, the tags, each
 * held message's release, and each sent message received once with the customer's phone and
 * its unsubscribe link.
 */
const fail = (msg: string): never => { throw new ModelFailure(msg) }

export class Drive extends Cmd {
  constructor(readonly minutes: number) { super() }
  check() { return true }
  toString() { return `drive(clock +${this.minutes} min)` }
  async exec(m: Model, w: World) {
    const a = m.auto
    a.clock += this.minutes * 60_000
    const now = new Date(a.clock)
    const services = w.ctx.app.services
    while ((await services.journeyEngine.consumeEvents(now)).events > 0) { /* until every event is seen */ }
    await learnEnrollments(m, w)

    const expected = plannedSteps(a)
    const deps = (services.journeyEngine as unknown as { deps: ServiceDeps }).deps
    // The message step's gate: the engine's own once journeys are wired to it, else the service.
    const gate = messageGateOf(deps) ?? services.messageGate
    const runDeps = { db: deps.db, pii: deps.pii, timeZone: deps.config.REPORTING_TIMEZONE, gate, failed: (err: unknown) => fail(`journey step failed: ${String(err)}`) }
    while ((await runDueSteps(runDeps, now, 50)).ran > 0) { /* until nothing is due */ }
    await checkSteps(m, w, expected)

    const released = await services.messageGate.releaseHeld(now)
    const wantReleased = releaseHeld(a)
    if (released.released !== wantReleased) fail(`releaseHeld released ${released.released}, model ${wantReleased}`)
    for (;;) if ((await services.messageDelivery.deliverDue(now)).length === 0) break
    await checkDelivery(m, w)
  }
}

type EnrollRow = { id: string; journey_id: string; customer_id: string; type: string | null; entity_type: string; entity_id: string | null; data: Record<string, unknown> | null }

async function learnEnrollments(m: Model, w: World): Promise<void> {
  const a = m.auto
  const rows = await w.sql<EnrollRow>(`select e.id::text, e.journey_id::text, e.customer_id::text, o.type, o.entity_type, o.entity_id::text, o.data
    from journey_enrollments e left join outbox_events o on o.id = e.trigger_event_id order by e.id`)
  for (const r of rows) {
    if (a.enrollments.has(r.id)) continue
    const j = a.journeys.get(r.journey_id) ?? fail(`enrollment ${r.id} in a journey the model does not know`)
    if (j.status !== 'active') fail(`customer ${r.customer_id} enrolled in ${j.status} journey ${j.id}`)
    if (r.type !== j.trigger) fail(`enrollment ${r.id} in a journey on ${j.trigger} came from event ${r.type}`)
    if (customerOfEvent({ entity_type: r.entity_type, entity_id: r.entity_id, data: r.data ?? {} }) !== r.customer_id) fail(`enrollment ${r.id}: its event is not about customer ${r.customer_id}`)
    if (j.trigger === 'customer.updated' && !('tags' in ((r.data?.changes as object) ?? {}))) fail(`enrollment ${r.id}: customer.updated without a tags change`)
    a.enrollments.set(r.id, { id: r.id, journeyId: j.id, customerId: r.customer_id, step: 'sms', dueAt: a.clock, status: 'active' })
  }
}

/** The steps that must run now: for each active enrollment of an active journey, its due steps until a wait or the end. */
function plannedSteps(a: AutoModel): string[] {
  const out: string[] = []
  for (const e of a.enrollments.values()) {
    const j = a.journeys.get(e.journeyId)!
    while (j.status === 'active' && e.status === 'active' && e.dueAt <= a.clock) {
      out.push(`${e.id}:${e.step}`)
      if (e.step === 'sms') e.step = j.wait ? 'wait' : 'tag'
      else if (e.step === 'wait') { e.step = 'tag'; e.dueAt = a.clock + HOUR }
      else { e.step = null; e.status = 'completed' }
    }
  }
  return out.sort()
}

type RunRow = { id: string; enrollment_id: string; step_key: string; outcome: string; reason: string | null; detail: { messageId?: string | null } | null }
const seenRuns = new WeakMap<AutoModel, Set<string>>()

async function checkSteps(m: Model, w: World, expected: string[]): Promise<void> {
  const a = m.auto
  const seen = seenRuns.get(a) ?? new Set<string>()
  seenRuns.set(a, seen)
  const runs = (await w.sql<RunRow>('select id::text, enrollment_id::text, step_key, outcome::text, reason, detail from journey_step_runs order by id')).filter((r) => !seen.has(r.id))
  runs.forEach((r) => seen.add(r.id))
  const got = runs.map((r) => `${r.enrollment_id}:${r.step_key}`).sort()
  if (JSON.stringify(got) !== JSON.stringify(expected)) fail(`step runs: app ran ${JSON.stringify(got)}, model expected ${JSON.stringify(expected)}`)
  // Each message step's gate decision, in the order the messages were made (uuidv7 ids).
  const sms = runs.filter((r) => r.step_key === 'sms').sort((x, y) => String(x.detail?.messageId ?? '').localeCompare(String(y.detail?.messageId ?? '')))
  for (const r of sms) {
    const e = a.enrollments.get(r.enrollment_id)!
    const cust = m.customers.get(e.customerId) ?? fail(`customer ${e.customerId} is not in the model`)
    const live = !cust.deleted && !cust.merged
    const id = r.detail?.messageId ?? null
    if (!live) {
      if (r.outcome !== 'blocked' || r.reason !== 'unknown_customer' || id) fail(`step run ${r.id} for a deleted or merged customer: ${r.outcome}/${r.reason} message ${id}`)
      continue
    }
    if (!id) fail(`message step run ${r.id} (${r.outcome}/${r.reason}) made no message`)
    const consent = smsConsent(a, cust.id)
    const hit = cust.phone && consent ? capHit(a, cust.id, a.clock) : null
    const until = quietUntil(a.clock)
    const want: Pick<MMessage, 'status' | 'reason'> = !cust.phone ? { status: 'blocked', reason: 'no_address' }
      : !consent ? { status: 'blocked', reason: 'no_consent' }
      : hit ? { status: 'capped', reason: hit }
      : until ? { status: 'held', reason: 'quiet_hours' } : { status: 'queued', reason: null }
    const outcome = want.status === 'queued' ? 'completed' : want.status
    if (r.outcome !== outcome || (r.reason ?? null) !== want.reason) fail(`message step for customer ${cust.id} at ${new Date(a.clock).toISOString()}: app ${r.outcome}/${r.reason}, model ${outcome}/${want.reason} (consent ${consent})`)
    a.messages.set(id!, { id: id!, customerId: cust.id, createdAt: a.clock, ...want, sendAfter: want.status === 'held' ? until : null, consentAtCreation: consent })
  }
  // The tag step: its tag is on each live customer whose tag step ran now.
  const tagged = runs.filter((r) => r.step_key === 'tag').map((r) => a.enrollments.get(r.enrollment_id)!)
    .filter((e) => { const c = m.customers.get(e.customerId)!; return !c.deleted && !c.merged })
  if (tagged.length) {
    const tags = new Map((await w.sql<{ id: string; tags: string[] }>('select id::text, tags from customers where id = any($1::uuid[])', [tagged.map((e) => e.customerId)])).map((r) => [r.id, r.tags]))
    for (const e of tagged) {
      const tag = a.journeys.get(e.journeyId)!.tag
      if (!tags.get(e.customerId)?.includes(tag)) fail(`customer ${e.customerId} went through journey ${e.journeyId}'s tag step but has no tag ${tag}`)
    }
  }
}

/** The held-messages pass restated: due ones in (send_after, id) order dropped (older than 24 h), blocked (no consent), capped (queued and sent counted) or queued. */
function releaseHeld(a: AutoModel): number {
  let released = 0
  const due = [...a.messages.values()].filter((x) => x.status === 'held' && x.sendAfter! <= a.clock)
    .sort((x, y) => (x.sendAfter! - y.sendAfter!) || x.id.localeCompare(y.id))
  for (const msg of due) {
    const hit = capHit(a, msg.customerId, a.clock, ['queued', 'sent'])
    if (msg.createdAt < a.clock - 24 * HOUR) Object.assign(msg, { status: 'dropped', reason: 'held_too_long' })
    else if (!smsConsent(a, msg.customerId)) Object.assign(msg, { status: 'blocked', reason: 'no_consent' })
    else if (hit) Object.assign(msg, { status: 'capped', reason: hit })
    else { Object.assign(msg, { status: 'queued', reason: 'quiet_hours' }); released++ }
  }
  return released
}

/** Every queued message went out: sent (a deleted customer's may fail), each received once by the fake provider with the phone and its unsubscribe link. */
async function checkDelivery(m: Model, w: World): Promise<void> {
  const a = m.auto
  const queued = [...a.messages.values()].filter((x) => x.status === 'queued')
  if (queued.length === 0) return
  const rows = new Map((await w.sql<{ id: string; status: string; reason: string | null }>(`select id::text, status::text, reason from messages where id = any($1::uuid[])`, [queued.map((x) => x.id)])).map((r) => [r.id, r]))
  const { provider } = await smsProvider()
  const fresh = provider.received.slice(a.seenRequests)
  a.seenRequests = provider.received.length
  let sent = 0
  for (const msg of queued) {
    const row = rows.get(msg.id)!
    const cust = m.customers.get(msg.customerId)!
    const live = !cust.deleted && !cust.merged
    if (row.status !== 'sent' && (live || row.status !== 'failed')) fail(`message ${msg.id} was due but is ${row.status}/${row.reason}`)
    msg.status = row.status as MMessage['status']
    if (row.status === 'failed') { msg.reason = row.reason; continue }
    sent++
    const got = fresh.filter((r) => String((r.json as { params?: { unsubscribeUrl?: string } })?.params?.unsubscribeUrl ?? '').includes(`/unsubscribe/${msg.id}.`))
    if (got.length !== 1) fail(`message ${msg.id} reached the SMS provider ${got.length} times`)
    const body = got[0].json as { to: string; templateCode: string; params: { unsubscribeUrl: string } }
    if (body.to !== cust.phone || body.templateCode !== 'SMS_MODEL') fail(`message ${msg.id} went to ${body.to} (${body.templateCode}), not ${cust.phone}`)
    msg.url = body.params.unsubscribeUrl
  }
  if (fresh.length !== sent) fail(`the SMS provider got ${fresh.length} requests for ${sent} sent messages`)
}

export const engineCommands = [
  fc.constantFrom(0, 30, 61, 180, 660, 1440, 1500).map((min) => new Drive(min)),
  fc.constantFrom(0, 61, 1440).map((min) => new Drive(min))
]

/**
 * A run may start here (random commands seldom chain so far). At 10:00: customer #0 with SMS
 * consent gets journey 1's SMS (on order.recorded; sent), #1 without is blocked; journey 1's
 * tags trigger journey 2 (customer.updated tags, then a wait): #0 capped, #1 (consent given
 * meanwhile) sent; #0 unsubscribes through its link; at 22:31 a new customer with consent
 * orders: held, journey 2's SMS capped, released and sent at 09:31.
 */
export async function automationScene(): Promise<Cmd[]> {
  const { CreateCustomer } = await import('./model-commands-customers.js')
  const { RecordOrder } = await import('./model-commands-work.js')
  const { RecordConsent, Unsubscribe } = await import('./model-commands-consents.js')
  const { CreateJourney } = await import('./model-commands-journeys.js')
  return [
    new CreateCustomer('admin', null, true, false),
    new CreateCustomer('admin', null, false, true),
    new RecordConsent('service', 0, 'sms', true, 30, 'none', false, false),
    new CreateJourney('marketing', true, false, false, false),
    new CreateJourney('admin', false, true, true, false),
    new RecordOrder('admin', 0, 10_000, true, false),
    new RecordOrder('admin', 1, 10_000, false, true),
    new Drive(0),
    new RecordConsent('admin', 1, 'any', true, 1, 'none', true, false),
    new Drive(30),
    new Unsubscribe(0, false),
    new Drive(61),
    new Drive(660),
    new CreateCustomer('integration', null, true, false),
    new RecordConsent('integration', 2, 'sms', true, 0, 'none', false, true),
    new RecordOrder('admin', 2, 5_000, false, false),
    new Drive(0),
    new Drive(0),
    new Drive(660)
  ]
}
