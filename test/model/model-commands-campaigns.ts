import fc from 'fast-check'
import { Cmd, fresh, staffNames, who } from './model-command.js'
import { write, type Expect } from './model-invariants.js'
import { Model, type Actor } from './model-state.js'
import { E, type World } from './model-world.js'

/** Campaigns and their costs (docs/analytics.md, "Campaign performance"): create, delete; record a cost, delete one. */
const UE = 'userErrors { field message code }'
const mode = (rest: boolean, inline: boolean) => rest ? 'REST' : inline ? 'inline' : 'vars'

/** campaigns write (and so costs): all for admin, manager, marketing, integration; none for the rest. */
function campaignWrite(a: Actor, live: boolean): Expect {
  if (!['admin', 'manager', 'marketing', 'integration'].includes(a.role)) return 'FORBIDDEN'
  return live ? 'ok' : 'NOT_FOUND'
}

/** A local date `days` from today in the reporting zone (the app's default, Asia/Shanghai). */
export function localDay(days: number, now = new Date()): string {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(now)
  const d = new Date(`${today}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + days)
  return d.toISOString().slice(0, 10)
}

export class CreateCampaign extends Cmd {
  constructor(readonly by: string, readonly rest: boolean, readonly inline: boolean) { super() }
  check() { return true }
  toString() { return `createCampaign(by ${this.by}, ${mode(this.rest, this.inline)})` }
  async exec(m: Model, w: World) {
    const { a, c } = who(m, w, this.by)
    const input = { name: fresh('活动 '), channel: 'wechat', status: this.rest ? 'active' : E('active') }
    await write(w, this.toString(), campaignWrite(a, true),
      () => this.rest ? w.rest(c, 'POST', '/api/v1/campaigns', input)
        : w.gql(c, 'mutation', 'createCampaign', { input: { type: 'CreateCampaignInput!', value: input } }, `{ campaign { id } ${UE} }`, this.inline),
      (d) => {
        const row = this.rest ? d : d.campaign
        m.campaigns.set(row.id, { id: row.id, ownerId: a.userId, deleted: false })
        return { audits: { [row.id]: 1 }, events: { [row.id]: ['campaign.created'] } }
      })
  }
}

export class DeleteCampaign extends Cmd {
  constructor(readonly by: string, readonly pick: number, readonly rest: boolean, readonly inline: boolean) { super() }
  check(m: Readonly<Model>) { return m.campaigns.size > 0 }
  toString() { return `deleteCampaign(by ${this.by}, campaign #${this.pick}, ${mode(this.rest, this.inline)})` }
  async exec(m: Model, w: World) {
    const { a, c } = who(m, w, this.by)
    const campaign = Model.pick(m.campaigns, this.pick)!
    await write(w, this.toString(), campaignWrite(a, !campaign.deleted),
      () => this.rest ? w.rest(c, 'DELETE', `/api/v1/campaigns/${campaign.id}`)
        : w.gql(c, 'mutation', 'deleteCampaign', { id: { type: 'ID!', value: campaign.id } }, `{ deletedId ${UE} }`, this.inline),
      () => { campaign.deleted = true; return { audits: { [campaign.id]: 1 } } })
  }
}

/** The bad inputs a cost may carry: each is refused with nothing written. */
const badCosts = {
  zero: { amount: 0 },
  negative: { amount: -100 },
  fraction: { amount: 1.5 },
  noDate: { incurredOn: '2026-02-30' },
  blankCategory: { category: '   ' },
  currency: { currency: 'yuan' }
} as const
type Bad = keyof typeof badCosts

export class RecordCost extends Cmd {
  constructor(readonly by: string, readonly pick: number, readonly amount: number, readonly usd: boolean, readonly day: number,
    readonly bad: Bad | null, readonly rest: boolean, readonly inline: boolean) { super() }
  check(m: Readonly<Model>) { return m.campaigns.size > 0 }
  toString() {
    return `recordCampaignCost(by ${this.by}, campaign #${this.pick}, ${this.amount} ${this.usd ? 'USD' : 'CNY'}, day ${this.day}${this.bad ? `, bad ${this.bad}` : ''}, ${mode(this.rest, this.inline)})`
  }
  async exec(m: Model, w: World) {
    const { a, c } = who(m, w, this.by)
    const campaign = Model.pick(m.campaigns, this.pick)!
    let expect = campaignWrite(a, !campaign.deleted)
    // Bad input is refused whoever asks (REST and GraphQL check the shape before the role); nothing is written either way.
    if (this.bad) expect = 'refused'
    const currency = this.usd ? 'USD' : 'CNY'
    const input = { amount: this.amount, currency, category: '广告', incurredOn: localDay(this.day), note: 'model', ...(this.bad ? badCosts[this.bad] : {}) }
    await write(w, this.toString(), expect,
      () => this.rest ? w.rest(c, 'POST', `/api/v1/campaigns/${campaign.id}/costs`, input)
        : w.gql(c, 'mutation', 'recordCampaignCost', { campaignId: { type: 'ID!', value: campaign.id }, input: { type: 'RecordCampaignCostInput!', value: input } },
          `{ cost { id } created ${UE} }`, this.inline),
      (d) => {
        const row = this.rest ? d : d.cost
        m.costs.set(row.id, { id: row.id, campaignId: campaign.id, amount: this.amount, currency, day: this.day, deleted: false })
        return { audits: { [campaign.id]: 1 }, events: { [campaign.id]: ['campaign.cost_recorded'] } }
      })
  }
}

export class DeleteCost extends Cmd {
  constructor(readonly by: string, readonly pick: number, readonly rest: boolean, readonly inline: boolean) { super() }
  check(m: Readonly<Model>) { return m.costs.size > 0 }
  toString() { return `deleteCampaignCost(by ${this.by}, cost #${this.pick}, ${mode(this.rest, this.inline)})` }
  async exec(m: Model, w: World) {
    const { a, c } = who(m, w, this.by)
    const cost = Model.pick(m.costs, this.pick)!
    const campaign = m.campaigns.get(cost.campaignId)!
    await write(w, this.toString(), campaignWrite(a, !cost.deleted && !campaign.deleted),
      () => this.rest ? w.rest(c, 'DELETE', `/api/v1/campaigns/${campaign.id}/costs/${cost.id}`)
        : w.gql(c, 'mutation', 'deleteCampaignCost', { id: { type: 'ID!', value: cost.id } }, `{ deletedId ${UE} }`, this.inline),
      () => { cost.deleted = true; return { audits: { [campaign.id]: 1 } } })
  }
}

const staff = fc.constantFrom(...staffNames)
const io = [fc.boolean(), fc.boolean()] as const
/** Days around the default period's edges: today, its first day (-29), the day before it (-30), tomorrow (+1). */
const costDay = fc.constantFrom(0, 0, -3, -29, -30, 1)
const bad = fc.option(fc.constantFrom(...(Object.keys(badCosts) as Bad[])), { nil: null, freq: 4 })
const createCampaign = fc.tuple(fc.constantFrom('admin', 'manager', 'marketing', 'integration', 'salesA1', 'service'), ...io).map(([b, r, i]) => new CreateCampaign(b, r, i))
/** Creating campaigns is listed twice (picked twice as often), so more sequences have one for referrals, orders and costs to name. */
export const campaignCommands = [
  createCampaign, createCampaign,
  fc.tuple(staff, fc.nat(10), fc.integer({ min: 1, max: 2_000_00 }), fc.boolean(), costDay, bad, ...io)
    .map(([b, p, x, u, d, k, r, i]) => new RecordCost(b, p, x, u, d, k, r, i)),
  fc.tuple(staff, fc.nat(20), ...io).map(([b, p, r, i]) => new DeleteCost(b, p, r, i)),
  fc.tuple(staff, fc.nat(10), ...io).map(([b, p, r, i]) => new DeleteCampaign(b, p, r, i))
]

/**
 * A campaign scene some sequences start with (model-run.ts), so the campaign figures are
 * exercised whatever the seed: the random commands alone seldom chain a campaign, a referral
 * with it, consent, conversion and an order. Each command still checks what it did.
 */
export async function campaignScene(): Promise<Cmd[]> {
  const { CreateReferrer, SubmitReferral, ConfirmConsent } = await import('./model-commands-referrals.js')
  const { MoveLead, ConvertLead, MoveStage } = await import('./model-commands-leads.js')
  const { RecordOrder } = await import('./model-commands-work.js')
  return [
    new CreateCampaign('marketing', false, false),
    new CreateReferrer('salesA1', true, false),
    new SubmitReferral('admin', 0, null, false, true, 0),
    new ConfirmConsent('integration', 0, true, true, false),
    new MoveLead('admin', 0, 'qualified', false, false),
    new ConvertLead('admin', 0, true, true, false),
    new MoveStage('admin', 0, 'won', false, true),
    new RecordOrder('integration', 0, 12_345, true, false, null),
    new RecordCost('manager', 0, 5_000, false, 0, null, false, true)
  ]
}
