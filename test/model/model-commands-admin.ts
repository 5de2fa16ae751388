import fc from 'fast-check'
import { Cmd, fresh, freshPhone, staffNames, who } from './model-command.js'
import { checkRead, walkList, write, type Expect } from './model-invariants.js'
import { Model, type EntityName } from './model-state.js'
import { E, ModelFailure, type World } from './model-world.js'

/** Incentive rules, reward approval and payment, ownership transfer, CSV import, RFM recompute, reads. */
const UE = 'userErrors { field message code }'
const mode = (rest: boolean, inline: boolean) => rest ? 'REST' : inline ? 'inline' : 'vars'

export class CreateRule extends Cmd {
  constructor(readonly by: string, readonly trigger: 'referral_qualified' | 'referral_converted', readonly amount: number, readonly rest: boolean, readonly inline: boolean) { super() }
  check() { return true }
  toString() { return `createIncentiveRule(by ${this.by}, ${this.trigger}, ${this.amount}, ${mode(this.rest, this.inline)})` }
  async exec(m: Model, w: World) {
    const { a, c } = who(m, w, this.by)
    const expect: Expect = ['sales', 'service'].includes(a.role) ? 'FORBIDDEN' : 'ok'
    const e = (v: string) => this.rest ? v : E(v)
    const input = { name: fresh('奖励 '), trigger: e(this.trigger), calc: e('fixed'), rewardType: e('cash'), amount: this.amount, beneficiary: e('referrer') }
    await write(w, this.toString(), expect,
      () => this.rest ? w.rest(c, 'POST', '/api/v1/incentive-rules', input)
        : w.gql(c, 'mutation', 'createIncentiveRule', { input: { type: 'CreateIncentiveRuleInput!', value: input } }, `{ incentiveRule { id } ${UE} }`, this.inline),
      (d) => {
        const row = this.rest ? d : d.incentiveRule
        m.rules.set(row.id, { id: row.id, trigger: this.trigger, amount: this.amount })
        return { audits: { [row.id]: 1 }, events: { [row.id]: ['incentive_rule.created'] } }
      })
  }
}

export class RewardAction extends Cmd {
  constructor(readonly by: string, readonly pick: number, readonly pay: boolean, readonly rest: boolean, readonly inline: boolean) { super() }
  check(m: Readonly<Model>) { return m.rewards.size > 0 }
  toString() { return `${this.pay ? 'markRewardPaid' : 'approveReward'}(by ${this.by}, reward #${this.pick}, ${mode(this.rest, this.inline)})` }
  async exec(m: Model, w: World) {
    const { a, c } = who(m, w, this.by)
    const reward = Model.pick(m.rewards, this.pick)!
    const roles = this.pay ? ['admin', 'manager', 'integration'] : ['admin', 'manager']
    let expect: Expect = roles.includes(a.role) ? 'ok' : 'FORBIDDEN'
    // Paying a paid reward again: refused or an answer that changes nothing, never a second payment.
    if (expect === 'ok') expect = this.pay ? (reward.status === 'approved' ? 'ok' : reward.status === 'paid' ? 'either' : 'refused') : (reward.status === 'pending' ? 'ok' : 'refused')
    const wasPaid = reward.status === 'paid'
    const ref = fresh('PAY-')
    await write(w, this.toString(), expect,
      () => this.rest ? w.rest(c, 'POST', `/api/v1/rewards/${reward.id}/${this.pay ? 'pay' : 'approve'}`, this.pay ? { payoutReference: ref } : undefined)
        : w.gql(c, 'mutation', this.pay ? 'markRewardPaid' : 'approveReward',
          { id: { type: 'ID!', value: reward.id }, ...(this.pay ? { payoutReference: { type: 'String!', value: ref } } : {}) }, `{ reward { id status } ${UE} }`, this.inline),
      () => {
        if (wasPaid) return { audits: {} }
        reward.status = this.pay ? 'paid' : 'approved'
        return { audits: { [reward.id]: 1 }, ...(this.pay ? {} : { events: { [reward.id]: ['reward.approved'] } }) }
      })
  }
}

export class TransferOwnership extends Cmd {
  constructor(readonly by: string, readonly from: number, readonly to: number, readonly rest: boolean, readonly inline: boolean) { super() }
  check() { return true }
  toString() { return `transferOwnership(by ${this.by}, user #${this.from} → user #${this.to}, ${mode(this.rest, this.inline)})` }
  async exec(m: Model, w: World) {
    const { a, c } = who(m, w, this.by)
    const from = m.owners[this.from % m.owners.length]
    let to = m.owners[this.to % m.owners.length]
    if (to === from) to = m.owners[(this.to + 1) % m.owners.length]
    const expect: Expect = ['admin', 'manager'].includes(a.role) ? 'ok' : 'FORBIDDEN'
    const input = { fromUserId: from, toUserId: to }
    await write(w, this.toString(), expect,
      () => this.rest ? w.rest(c, 'POST', '/api/v1/ownership/transfer', input)
        : w.gql(c, 'mutation', 'transferOwnership', { input: { type: 'TransferOwnershipInput!', value: input } }, `{ transferred { customers leads opportunities tasks } ${UE} }`, this.inline),
      () => {
        for (const x of m.customers.values()) if (x.ownerId === from && !x.deleted && !x.merged) x.ownerId = to
        for (const x of m.leads.values()) if (x.ownerId === from && !x.deleted && !['converted', 'disqualified'].includes(x.status)) x.ownerId = to
        for (const x of m.opportunities.values()) if (x.ownerId === from && !x.deleted && !['won', 'lost'].includes(x.stage)) x.ownerId = to
        for (const x of m.tasks.values()) if (x.assigneeId === from && x.status === 'open') x.assigneeId = to
        for (const x of m.referrers.values()) if (x.ownerId === from && !x.deleted) x.ownerId = to
        return { audits: {}, others: 'allowed' }
      })
  }
}

export class ImportCustomers extends Cmd {
  constructor(readonly by: string, readonly rows: number) { super() }
  check() { return true }
  toString() { return `import customers CSV(by ${this.by}, ${this.rows} rows)` }
  async exec(m: Model, w: World) {
    const { a, c } = who(m, w, this.by)
    const expect: Expect = a.role === 'marketing' ? 'FORBIDDEN' : 'ok'
    const ext = Array.from({ length: this.rows }, () => fresh('EXT-'))
    const csv = `externalId,name,phone,region\n${ext.map((e) => `${e},导入 ${e},${freshPhone()},北京`).join('\n')}\n`
    await write(w, this.toString(), expect,
      () => w.rest(c, 'POST', '/api/v1/import/customers', csv, { 'content-type': 'text/csv' }),
      async (d) => {
        if (d.created !== this.rows || d.rejected !== 0) throw new ModelFailure(`${this}: report ${JSON.stringify(d)}`)
        const rows = await w.sql<{ id: string; owner_id: string | null }>('select id::text, owner_id::text from customers where external_id = any($1)', [ext])
        const audits: Record<string, number> = {}
        for (const r of rows) {
          if (r.owner_id !== a.userId) throw new ModelFailure(`${this}: imported customer owned by ${r.owner_id}, expected the importer ${a.userId}`)
          m.customers.set(r.id, { id: r.id, ownerId: r.owner_id, deleted: false, merged: false, referrerId: null, phone: '', version: 1 })
          audits[r.id] = 1
        }
        return { audits }
      })
  }
}

/**
 * Scoring: INCREMENTAL, snapshot the stored scores, REBUILD, compare. They must agree (issue 15:
 * incremental equals a rebuild on the same data).
 */
export class RecomputeAndCompare extends Cmd {
  constructor(readonly by: string, readonly rest: boolean, readonly inline: boolean) { super() }
  check() { return true }
  toString() { return `recomputeRfm INCREMENTAL then REBUILD and compare(by ${this.by}, ${mode(this.rest, this.inline)})` }
  async exec(m: Model, w: World) {
    const { a, c } = who(m, w, this.by)
    const allowed = ['admin', 'manager', 'marketing', 'integration'].includes(a.role)
    const run = (mode: string) => this.rest ? w.rest(c, 'POST', '/api/v1/rfm/recompute', { mode: mode.toLowerCase() })
      : w.gql(c, 'mutation', 'recomputeRfm', { input: { type: 'RecomputeRfmInput', value: { mode: E(mode) } } }, `{ run { id } ${UE} }`, this.inline)
    const incremental = await run('INCREMENTAL')
    if (!allowed) {
      if (incremental.kind !== 'refused' || incremental.code !== 'FORBIDDEN') throw new ModelFailure(`${this}: expected FORBIDDEN, got ${JSON.stringify(incremental)}`)
      return
    }
    if (incremental.kind !== 'ok') throw new ModelFailure(`${this}: INCREMENTAL ${incremental.detail}`)
    const snapshot = async () => JSON.stringify(await w.sql('select customer_id, paid_orders, net_paid, last_paid_at, frequency, monetary, r, f, m, segment from customer_scores order by customer_id'))
    const afterIncremental = await snapshot()
    const rebuild = await run('REBUILD')
    if (rebuild.kind !== 'ok') throw new ModelFailure(`${this}: REBUILD ${rebuild.detail}`)
    const afterRebuild = await snapshot()
    if (afterIncremental !== afterRebuild) throw new ModelFailure(`${this}: incremental scores differ from a rebuild:\n${afterIncremental.slice(0, 1500)}\n---\n${afterRebuild.slice(0, 1500)}`)
  }
}

const entities: EntityName[] = ['customers', 'referrers', 'leads', 'opportunities', 'activities', 'tasks', 'referrals', 'orders', 'rewards']

/** Reads: a whole list walked in small pages, or one record by id, as any caller (referrer tokens too). */
export class ReadCheck extends Cmd {
  constructor(readonly caller: number, readonly entity: EntityName, readonly size: number, readonly one: number | null, readonly rest: boolean) { super() }
  check() { return true }
  toString() { return `${this.one === null ? `walk ${this.entity} by ${this.size}` : `read ${this.entity} #${this.one}`}(caller #${this.caller}, ${this.rest ? 'REST' : 'GraphQL'})` }
  async exec(m: Model, w: World) {
    const a = m.actors[this.caller % m.actors.length]
    const c = w.caller(a.name)
    if (this.one === null) return walkList(w, m, c, a, this.entity, this.size, this.rest)
    const ids = m.ids(this.entity)
    if (ids.length) await checkRead(w, m, c, a, this.entity, ids[this.one % ids.length], this.rest)
  }
}

const staff = fc.constantFrom(...staffNames)
const io = [fc.boolean(), fc.boolean()] as const
export const adminCommands = [
  fc.tuple(fc.constantFrom('admin', 'manager', 'marketing', 'integration', 'salesA1', 'service'), fc.constantFrom('referral_qualified', 'referral_converted') as fc.Arbitrary<'referral_qualified' | 'referral_converted'>,
    fc.integer({ min: 1, max: 500_00 }), ...io).map(([b, t, x, r, i]) => new CreateRule(b, t, x, r, i)),
  fc.tuple(staff, fc.nat(30), fc.boolean(), ...io).map(([b, p, pay, r, i]) => new RewardAction(b, p, pay, r, i)),
  fc.tuple(staff, fc.nat(10), fc.nat(10), ...io).map(([b, f, t, r, i]) => new TransferOwnership(b, f, t, r, i)),
  fc.tuple(fc.constantFrom('admin', 'manager', 'integration', 'salesA1', 'salesB1', 'marketing', 'service'), fc.integer({ min: 1, max: 4 })).map(([b, n]) => new ImportCustomers(b, n)),
  fc.tuple(staff, ...io).map(([b, r, i]) => new RecomputeAndCompare(b, r, i))
]
export const readCommands = [
  fc.tuple(fc.nat(30), fc.constantFrom(...entities), fc.integer({ min: 1, max: 5 }), fc.option(fc.nat(40), { nil: null }), fc.boolean())
    .map(([c, e, s, o, r]) => new ReadCheck(c, e, s, o, r))
]
