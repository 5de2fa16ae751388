import fc from 'fast-check'
import { Cmd, fresh, staffNames, who } from './model-command.js'
import { write, type Expect } from './model-invariants.js'
import { Model } from './model-state.js'
import { Json, type World } from './model-world.js'
import type { MJourney } from './model-automation.js'

/**
 * Journeys (docs/automation.md): create and activate an event-triggered journey (on
 * `order.recorded`, or `customer.updated` with the tags changed) whose steps are a marketing
 * SMS through the gate, an optional one-hour wait and a tag; pause and resume it. Campaign
 * writers (admin, manager, marketing, integration) may; sales and service get FORBIDDEN.
 * An illegal move (pause a paused journey, activate an active one) is refused with nothing written.
 */
const UE = 'userErrors { field message code }'
const JOURNEY = `{ journey { id status currentVersion } ${UE} }`
const mode = (rest: boolean, inline: boolean) => rest ? 'REST' : inline ? 'inline' : 'vars'
const writers = new Set(['admin', 'manager', 'marketing', 'integration'])

export class CreateJourney extends Cmd {
  constructor(readonly by: string, readonly onOrder: boolean, readonly wait: boolean, readonly rest: boolean, readonly inline: boolean) { super() }
  check(m: Readonly<Model>) { return m.auto.journeys.size < 4 }
  toString() { return `createJourney(by ${this.by}, on ${this.onOrder ? 'order.recorded' : 'customer.updated tags'}, sms${this.wait ? ', wait 1h' : ''}, tag, ${mode(this.rest, this.inline)})` }
  async exec(m: Model, w: World) {
    const { a, c } = who(m, w, this.by)
    const expect: Expect = writers.has(a.role) ? 'ok' : 'FORBIDDEN'
    const tag = fresh('journey-tag-')
    const trigger = this.onOrder ? { type: 'event', eventType: 'order.recorded' } : { type: 'event', eventType: 'customer.updated', changedFields: ['tags'] }
    const steps = [
      { key: 'sms', type: 'message', templateId: m.auto.templateId },
      ...(this.wait ? [{ key: 'wait', type: 'wait', minutes: 60 }] : []),
      { key: 'tag', type: 'tag', add: [tag] }
    ]
    const input = { name: fresh('模型旅程 '), trigger, steps }
    const made = await write(w, this.toString(), expect,
      () => this.rest ? w.rest(c, 'POST', '/api/v1/journeys', input)
        : w.gql(c, 'mutation', 'createJourney', { input: { type: 'CreateJourneyInput!', value: { ...input, trigger: new Json(trigger), steps: steps.map((s) => new Json(s)) } } }, JOURNEY, this.inline),
      (d) => {
        const j = this.rest ? d : d.journey
        if (j.status !== 'draft') throw new Error(`${this}: a new journey is ${j.status}`)
        return { audits: { [j.id]: 1 }, events: { [j.id]: ['journey.created'] } }
      })
    if (made.kind !== 'ok') return
    const id: string = this.rest ? made.data.id : made.data.journey.id
    const model: MJourney = { id, status: 'paused', trigger: this.onOrder ? 'order.recorded' : 'customer.updated', tag, wait: this.wait }
    m.auto.journeys.set(id, model)
    // A draft is not in the model's journeys until active; the model treats draft like paused (nothing runs).
    await transition(m, w, this.by, model, 'activate', this.rest, this.inline, `${this} (activate)`)
  }
}

async function transition(m: Model, w: World, by: string, j: MJourney, op: 'activate' | 'pause', rest: boolean, inline: boolean, label: string): Promise<void> {
  const { a, c } = who(m, w, by)
  let expect: Expect = writers.has(a.role) ? 'ok' : 'FORBIDDEN'
  if (expect === 'ok' && (op === 'activate') === (j.status === 'active')) expect = 'refused'
  const field = op === 'activate' ? 'activateJourney' : 'pauseJourney'
  await write(w, label, expect,
    () => rest ? w.rest(c, 'POST', `/api/v1/journeys/${j.id}/${op === 'activate' ? 'activation' : 'pause'}`, {})
      : w.gql(c, 'mutation', field, { id: { type: 'ID!', value: j.id } }, JOURNEY, inline),
    (d) => {
      const status = rest ? d.status : d.journey.status
      const want = op === 'activate' ? 'active' : 'paused'
      if (status !== want) throw new Error(`${label}: the journey is ${status}, not ${want}`)
      j.status = want
      return { audits: { [j.id]: 1 }, events: { [j.id]: [`journey.${op === 'activate' ? 'activated' : 'paused'}`] } }
    })
}

export class PauseOrResumeJourney extends Cmd {
  constructor(readonly by: string, readonly pick: number, readonly op: 'activate' | 'pause', readonly rest: boolean, readonly inline: boolean) { super() }
  check(m: Readonly<Model>) { return m.auto.journeys.size > 0 }
  toString() { return `${this.op === 'pause' ? 'pause' : 'resume'}Journey(by ${this.by}, journey #${this.pick}, ${mode(this.rest, this.inline)})` }
  async exec(m: Model, w: World) {
    await transition(m, w, this.by, Model.pick(m.auto.journeys, this.pick)!, this.op, this.rest, this.inline, this.toString())
  }
}

const staff = fc.constantFrom(...staffNames)
const io = [fc.boolean(), fc.boolean()] as const
export const journeyCommands = [
  fc.tuple(fc.constantFrom('admin', 'marketing', 'marketing', 'manager', 'integration', 'salesA1', 'service'), fc.boolean(), fc.boolean(), ...io)
    .map(([b, o, wt, r, i]) => new CreateJourney(b, o, wt, r, i)),
  fc.tuple(staff, fc.nat(10), fc.constantFrom('activate' as const, 'pause' as const), ...io).map(([b, p, op, r, i]) => new PauseOrResumeJourney(b, p, op, r, i))
]
