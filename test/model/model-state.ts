import type { MCoupon } from './model-coupons.js'
import { AutoModel } from './model-automation.js'
/**
 * The in-test model: what the app should hold after the commands so far, and who may see
 * what (src/modules/auth/permissions.ts and reach.ts, restated simply). Commands update it
 * only after the app committed; invariants compare the app against it.
 */
export type Actor = { name: string; role: string; userId: string | null; teamId: string | null; referrerId?: string }

export type MCustomer = { id: string; ownerId: string | null; deleted: boolean; merged: boolean; mergedInto?: string; referrerId: string | null; phone: string; version: number }
export type MReferrer = { id: string; ownerId: string | null; deleted: boolean; code: string; phone: string }
export type MLead = { id: string; ownerId: string | null; status: string; customerId: string | null; referralId: string | null; deleted: boolean; campaignId?: string | null }
/** `amount` in CNY fen; `history`: the stages entered, in order (creation first), as opportunity_stage_history holds them. */
export type MOpportunity = { id: string; ownerId: string | null; customerId: string; stage: string; deleted: boolean; amount: number; history: string[] }
export type MActivity = { id: string; authorId: string | null; customerId: string | null; leadId: string | null; opportunityId: string | null; referrerId: string | null }
export type MTask = { id: string; assigneeId: string | null; status: string }
/**
 * `accepted`: the intake checks let it in (pending_consent or submitted on arrival: the funnel's first step);
 * `submitted`: reached status submitted (submittedAt set: at once, or when consent was given; docs/referrals.md).
 */
export type MReferral = {
  id: string; referrerId: string; status: string; leadId: string | null; consentToken: string | null; phone: string
  campaignId: string | null; accepted: boolean; submitted: boolean
}
/** `campaignId`: the attribution the app fixed when recording it (docs/orders.md). */
export type MOrder = { id: string; customerId: string; amount: number; refunded: number; campaignId: string | null }
export type MRule = { id: string; trigger: 'referral_qualified' | 'referral_converted'; amount: number }
export type MCampaign = { id: string; ownerId: string | null; deleted: boolean }
/** `day`: incurredOn as days from today in REPORTING_TIMEZONE (0 today, -29 the default period's first day). */
export type MCost = { id: string; campaignId: string; amount: number; currency: string; day: number; deleted: boolean }
/** A service ticket; `customerId` follows merges, as the app moves it. */
export type MTicket = { id: string; customerId: string; assigneeId: string | null; status: string }
export type MReward = { id: string; referrerId: string; referralId: string; ruleId: string; amount: number; status: 'pending' | 'approved' | 'paid' }

export type EntityName = 'customers' | 'referrers' | 'leads' | 'opportunities' | 'activities' | 'tasks' | 'referrals' | 'orders' | 'rewards' | 'tickets'

export class Model {
  customers = new Map<string, MCustomer>()
  referrers = new Map<string, MReferrer>()
  leads = new Map<string, MLead>()
  opportunities = new Map<string, MOpportunity>()
  activities = new Map<string, MActivity>()
  tasks = new Map<string, MTask>()
  referrals = new Map<string, MReferral>()
  orders = new Map<string, MOrder>()
  rules = new Map<string, MRule>()
  rewards = new Map<string, MReward>()
  campaigns = new Map<string, MCampaign>()
  costs = new Map<string, MCost>()
  tickets = new Map<string, MTicket>()
  /** Points balance per customer (absent: no account, 0); follows merges like the accounts do. */
  points = new Map<string, number>()
  /** The run's coupon template and its coupons (test/model/model-commands-coupons.ts). */
  couponTemplateId = ''
  coupons = new Map<string, MCoupon>()
  /** Consents, journeys, the engine's clock and the marketing messages (test/model/model-automation.ts). */
  auto = new AutoModel()
  /** Member level rank per customer (absent: the base level, 0); test/model/model-levels.ts. */
  levels = new Map<string, number>()
  /** Per order: the points redeemed to pay for it, each redemption apart (a refund returns each one's share). */
  redeemedFor = new Map<string, number[]>()
  /** Active satisfaction surveys that follow a resolved ticket. */
  surveys = new Map<string, { id: string }>()
  /** `<survey>:<ticket>`: the invitations resolutions must have scheduled (one per survey and ticket). */
  invitations = new Set<string>()
  /** `<survey>:<customer>`: customers already invited (the 30-day cooldown keeps them from a second one). */
  surveyed = new Set<string>()
  /** An activity whose subjects include no customer exists (incremental scoring's known bug). */
  /** Each user's team (null: none). */
  teamOf = new Map<string, string | null>()
  /** Staff users that may own records (transfer targets, owners chosen by managers). */
  owners: string[] = []

  constructor(readonly actors: Actor[]) {
    for (const a of actors) if (a.userId) { this.teamOf.set(a.userId, a.teamId); this.owners.push(a.userId) }
  }

  /** The n-th record (modulo) of a map, or undefined when it is empty. */
  static pick<T>(map: Map<string, T>, n: number, where: (t: T) => boolean = () => true): T | undefined {
    const list = [...map.values()].filter(where)
    return list.length ? list[n % list.length] : undefined
  }

  /** reach.ts `team`: the owner is the caller or a team mate. */
  inTeam(a: Actor, ownerId: string | null): boolean {
    if (!ownerId || !a.userId) return false
    return ownerId === a.userId || (a.teamId !== null && this.teamOf.get(ownerId) === a.teamId)
  }

  /** Whether `a` may read one record (live or not; lists add `live`). permissions.ts restated. */
  forbidden(a: Actor, entity: EntityName): boolean {
    if (entity === 'rewards') return a.role === 'sales' || a.role === 'service'
    if (entity === 'referrers' || entity === 'referrals') return false
    return a.role === 'referrer'
  }

  canRead(a: Actor, entity: EntityName, id: string): boolean {
    if (this.forbidden(a, entity)) return false
    const r = a.role
    switch (entity) {
      case 'customers': {
                const c = this.customers.get(id)!
        return r === 'sales' ? this.inTeam(a, c.ownerId) : true
      }
      case 'referrers':
        return r === 'referrer' ? id === a.referrerId : true
      case 'leads': case 'opportunities': {
                const owner = entity === 'leads' ? this.leads.get(id)!.ownerId : this.opportunities.get(id)!.ownerId
        return r === 'sales' ? this.inTeam(a, owner) : true
      }
      case 'tasks': {
                const t = this.tasks.get(id)!
        if (r === 'sales') return this.inTeam(a, t.assigneeId)
        if (r === 'marketing') return t.assigneeId !== null && t.assigneeId === a.userId
        return true
      }
      case 'activities': {
                if (r !== 'sales') return true
        const x = this.activities.get(id)!
        if (x.authorId && x.authorId === a.userId) return true
        const owners = [
          x.customerId ? this.customers.get(x.customerId)?.ownerId : null,
          x.leadId ? this.leads.get(x.leadId)?.ownerId : null,
          x.opportunityId ? this.opportunities.get(x.opportunityId)?.ownerId : null,
          x.referrerId ? this.referrers.get(x.referrerId)?.ownerId : null
        ]
        return owners.some((o) => this.inTeam(a, o ?? null))
      }
      case 'referrals': {
        const x = this.referrals.get(id)!
        if (r === 'referrer') return x.referrerId === a.referrerId
        if (r !== 'sales') return true
        const leadOwner = x.leadId ? this.leads.get(x.leadId)?.ownerId ?? null : null
        return this.inTeam(a, leadOwner) || this.inTeam(a, this.referrers.get(x.referrerId)?.ownerId ?? null)
      }
      case 'tickets': {
        // Sales read the tickets of customers they may see; a manager's team reach is the tickets assigned
        // or queued to the team (the model's manager has no team, so none); the others read every ticket.
        if (r === 'manager') return false
        return r === 'sales' ? this.inTeam(a, this.customers.get(this.tickets.get(id)!.customerId)?.ownerId ?? null) : true
      }
      case 'orders': {
                const o = this.orders.get(id)!
        return r === 'sales' ? this.inTeam(a, this.customers.get(o.customerId)?.ownerId ?? null) : true
      }
      case 'rewards': {
                if (r === 'referrer') return this.rewards.get(id)!.referrerId === a.referrerId
        return true
      }
    }
  }

  /**
   * The customer an id names for loyalty writes: a merged-away id resolves to its survivor
   * (src/modules/orders/orders.recording.ts resolveCustomer, by design), any other to itself.
   */
  holder(id: string): MCustomer {
    let c = this.customers.get(id)!
    for (let hops = 0; c.merged && c.mergedInto && hops < 20; hops++) c = this.customers.get(c.mergedInto)!
    return c
  }

  /** Whether the record is in lists at all (not deleted or merged away). */
  live(entity: EntityName, id: string): boolean {
    switch (entity) {
      case 'customers': { const c = this.customers.get(id)!; return !c.deleted && !c.merged }
      case 'referrers': return !this.referrers.get(id)!.deleted
      case 'leads': return !this.leads.get(id)!.deleted
      case 'opportunities': return !this.opportunities.get(id)!.deleted
      default: return true
    }
  }

  ids(entity: EntityName): string[] {
    return [...(this[entity] as Map<string, unknown>).keys()]
  }

  /** What `a` should find in the entity's list: exactly this set, or FORBIDDEN. */
  visible(a: Actor, entity: EntityName): Set<string> | 'forbidden' {
    if (this.forbidden(a, entity)) return 'forbidden'
    return new Set(this.ids(entity).filter((id) => this.live(entity, id) && this.canRead(a, entity, id)))
  }

  /** Reward sums per referrer and status, as the ledger should hold them. */
  ledger(): Map<string, number> {
    const sums = new Map<string, number>()
    for (const r of this.rewards.values()) {
      const k = `${r.referrerId}/${r.status}`
      sums.set(k, (sums.get(k) ?? 0) + r.amount)
    }
    return sums
  }
}
