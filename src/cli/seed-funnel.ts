import type { PiiCipher } from '../lib/pii.js'
import { chunked } from './seed-chunks.js'
import type { CopyTarget } from './seed-copy.js'
import { DAY_MS, createdWithinHistory } from './seed-data.js'
import type { IdMaker, IdStore } from './seed-ids.js'
import { campaignAt, type Org } from './seed-org.js'
import { Rng } from './seed-random.js'
import {
  ACTIVITY_COLUMNS, convertedReferral, LEAD_COLUMNS, newLines, OPPORTUNITY_COLUMNS, openReferral, REFERRAL_COLUMNS, REWARD_COLUMNS,
  STAGE_COLUMNS, type Context, type ReferralInput
} from './seed-referrals.js'

/**
 * The referral phase: first one referral for each customer the customer phase linked to
 * one (its lead converted into that customer), in customer order, then the rest of
 * `--referrals` (pending, rejected, submitted, qualified) from referrers who existed when
 * they submitted. A chunk of referrals and everything that followed them is one
 * transaction. Records, per customer, the campaign and when the referral was won, for the
 * orders that follow.
 */

export type Customers = {
  ids: IdStore
  since: Float64Array
  referrer: Int32Array
  owner: Int32Array
  /** The referral that brought the customer (set by the customer phase), if `linked`. */
  referral: IdStore
  linked: Int32Array
  /** Set here: the customer's referral's campaign index (or -1) and when it was won (0 when not). */
  campaign: Int16Array
  wonAt: Float64Array
}

export type FunnelInput = {
  total: number
  batch: number
  runId: string
  now: number
  seed: number
  ids: IdMaker
  pii: PiiCipher
  org: Org
  referrers: { ids: IdStore; since: Float64Array }
  customers: Customers
  /** Possible owners (ids) of leads that did not become customers. */
  owners: string[]
  /** What `customers.owner` indexes: a converted lead's owner is its customer's. */
  customerOwners: string[]
  log: (line: string) => void
}

export type FunnelCounts = { referrals: number; leads: number; opportunities: number; stageChanges: number; activities: number; rewards: number; byStatus: Record<string, number> }

export async function seedFunnel(target: CopyTarget, f: FunnelInput): Promise<{ seconds: number; counts: FunnelCounts }> {
  const { customers: c, referrers, org, now } = f
  const linkedRng = new Rng(f.seed, 'funnel-converted')
  const openRng = new Rng(f.seed, 'funnel-open')
  const pickRng = new Rng(f.seed, 'funnel-pick')
  const counts: FunnelCounts = { referrals: 0, leads: 0, opportunities: 0, stageChanges: 0, activities: 0, rewards: 0, byStatus: {} }
  const campaignOf = (index: number) => (index < 0 ? null : { id: org.campaigns[index].id, ruleId: org.campaigns[index].ruleId, reward: org.campaigns[index].reward })
  const defaultRule = { id: org.defaultRuleId, reward: 10_000 }
  const K = c.linked.length
  const seconds = await chunked(target, 'referrals', f.total, f.batch, f.log, async (copy, from, to) => {
    const lines = newLines()
    const ctx: Context = { runId: f.runId, now, ids: f.ids, pii: f.pii, lines }
    for (let i = from; i < to; i++) {
      let status: string
      if (i < K) {
        const customer = c.linked[i]
        const r = c.referrer[customer]
        const T = c.since[customer]
        // Worked for days to weeks before the lead converted; never before the referrer joined.
        const submittedAt = Math.max(referrers.since[r], T - (2 + -Math.log(1 - linkedRng.next()) * 14) * DAY_MS)
        const campaign = campaignAt(linkedRng, org, submittedAt, now)
        c.campaign[customer] = campaign
        const input: ReferralInput = {
          index: i, referralId: c.referral.get(customer), referrerId: referrers.ids.get(r), submittedAt, campaign: campaignOf(campaign), defaultRule,
          owner: c.owner[customer] >= 0 ? f.customerOwners[c.owner[customer]] : null, customer: { id: c.ids.get(customer), createdAt: T }
        }
        const wonAt = convertedReferral(linkedRng, input, ctx)
        c.wonAt[customer] = wonAt ?? 0
        status = wonAt === null ? 'qualified' : 'converted'
      } else {
        const r = skewedIndex(pickRng, referrers.since.length)
        const drawn = createdWithinHistory(openRng, now)
        const submittedAt = drawn >= referrers.since[r] ? drawn : referrers.since[r] + openRng.next() * (now - referrers.since[r])
        const campaign = campaignAt(openRng, org, submittedAt, now)
        status = openReferral(openRng, {
          index: i, referralId: f.ids.next(), referrerId: referrers.ids.get(r), submittedAt, campaign: campaignOf(campaign), defaultRule,
          owner: f.owners.length ? f.owners[Math.floor(pickRng.next() * f.owners.length)] : null, customer: null
        }, ctx)
      }
      counts.byStatus[status] = (counts.byStatus[status] ?? 0) + 1
    }
    // Parents first, as the foreign keys read (they are not checked during the load, see seed-copy.ts).
    counts.referrals += await copy('referrals', REFERRAL_COLUMNS, lines.referrals)
    counts.leads += await copy('leads', LEAD_COLUMNS, lines.leads)
    counts.opportunities += await copy('opportunities', OPPORTUNITY_COLUMNS, lines.opportunities)
    counts.stageChanges += await copy('opportunity_stage_history', STAGE_COLUMNS, lines.stages)
    counts.activities += await copy('activities', ACTIVITY_COLUMNS, lines.activities)
    counts.rewards += await copy('rewards', REWARD_COLUMNS, lines.rewards)
  })
  return { seconds, counts }
}

/** Early referrers bring most referrals (as they bring most customers). */
function skewedIndex(rng: Rng, size: number): number {
  return Math.floor(size * Math.pow(rng.next(), 2.5))
}
