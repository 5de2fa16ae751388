import { eq, sql } from 'drizzle-orm'
import type { Database } from '../db/client.js'
import { scoringState } from '../db/schema/index.js'
import { PiiCipher } from '../lib/pii.js'
import { EDGE_LOCK, rebuildAggregates } from '../modules/scoring/scoring.aggregates.js'
import { SCORING_WORK_MEM } from '../modules/scoring/scoring.service.js'
import { copyTarget, copyLine } from './seed-copy.js'
import { dropIndexesOfEmpty, rebuildIndexes, type DroppedIndexes } from './seed-indexes.js'
import { CUSTOMER_COLUMNS, REFERRER_COLUMNS, createdWithinHistory, customerRow, referralCode, referrerRow } from './seed-data.js'
import { IdMaker, IdStore, newRunId } from './seed-ids.js'
import { ORDER_COLUMNS, OrderPlan, REFUND_COLUMNS, activeUntil, orderRows, type Buyer } from './seed-orders.js'
import { Rng } from './seed-random.js'
import { chunked, take, timed } from './seed-chunks.js'
import { seedFunnel, type FunnelCounts } from './seed-funnel.js'
import { seedOrg, type Org } from './seed-org.js'
import { linkCustomerReferrers } from './seed-links.js'

/**
 * Bulk demo and benchmark data (docs/operations.md): referrers, customers credited to
 * some of them, their orders and refunds, loaded by COPY a chunk per transaction, then the
 * per-customer order aggregates rebuilt so scoring sees the orders. Appends: every row is
 * new, named `seed-<run>-…` in its externalId. Expects a migrated database.
 */

export type SeedOptions = {
  customers: number
  orders: number
  referrers?: number
  /** Sales users to add, in teams of about six (a manager each): owners of what follows. */
  users?: number
  /** Campaigns to add over the history, each with costs and an incentive rule. */
  campaigns?: number
  /** Referrals to add (needs referrers), with leads, opportunities, activities and rewards (seed-funnel.ts). */
  referrals?: number
  /** The PRNG seed: the same seed gives the same people, amounts and times (relative to `now`). */
  seed?: number
  /** Rows per COPY chunk (one transaction each). */
  batch?: number
  /** The app's PII master key (config PII_KEY or DATA_DIR/secrets.json), so the API can read what is seeded. */
  piiKey: Buffer
  /** The end of the seeded history (default: now). */
  now?: Date
  runId?: string
  /** Progress lines. */
  log?: (line: string) => void
}

export type SeedSummary = {
  runId: string
  users: number
  campaigns: number
  campaignCosts: number
  funnel: FunnelCounts | null
  referrers: number
  customers: number
  orders: number
  refunds: number
  rows: number
  seconds: number
  rowsPerSecond: number
  /** Seconds per phase: referrers, customers, orders (with refunds), indexes, aggregates, analyze. */
  phases: Record<string, number>
}

export const DEFAULT_SEED = 42
export const DEFAULT_BATCH = 50_000

/** Seeds the database; see SeedOptions. Returns what it wrote and how fast. */
export async function seed(database: Database, options: SeedOptions): Promise<SeedSummary> {
  const started = performance.now()
  const seedValue = options.seed ?? DEFAULT_SEED
  const batch = options.batch ?? DEFAULT_BATCH
  const referrers = options.referrers ?? 0
  const users = options.users ?? 0
  const campaigns = options.campaigns ?? 0
  const referrals = options.referrals ?? 0
  const { customers, orders } = options
  for (const [name, value] of Object.entries({ customers, orders, referrers, users, campaigns, referrals, batch })) {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a whole number >= 0, got ${value}`)
  }
  if (batch < 1) throw new RangeError('batch must be at least 1')
  if (orders > 0 && customers === 0) throw new RangeError('orders need customers: give --customers too')
  if (referrals > 0 && referrers === 0) throw new RangeError('referrals need referrers: give --referrers too')
  if (campaigns > 10_000) throw new RangeError('campaigns: at most 10000')

  const runId = options.runId ?? newRunId()
  const now = (options.now ?? new Date()).getTime()
  const log = options.log ?? (() => {})
  const pii = new PiiCipher(options.piiKey)
  const ids = new IdMaker()
  const phases: Record<string, number> = {}
  // Referrals and leads point at each other: their load skips foreign-key checks, which takes a superuser.
  if (referrals > 0) {
    const [role] = await database.raw('select rolsuper from pg_roles where rolname = current_user', [])
    if (!role?.rolsuper) throw new RangeError('seeding referrals loads without foreign-key checks, which needs a superuser role')
  }
  // Into empty tables the load goes without their secondary indexes, rebuilt after it (seed-indexes.ts).
  const dropped: DroppedIndexes = await dropIndexesOfEmpty(database, referrals > 0 ? [...LOADED_TABLES, ...FUNNEL_TABLES] : LOADED_TABLES)
  if (dropped.tables.length) log(`secondary indexes of ${dropped.tables.join(', ')} (empty) dropped for the load: ${dropped.definitions.length}`)
  let rebuilt = false
  const target = await copyTarget(database, referrals > 0)
  try {
    let org: Org | null = null
    phases.org = await timed(() => target.transaction(async (copy) => { org = await seedOrg(copy, { users, campaigns, runId, now, seed: seedValue, ids }) }))
    const owners = (await database.raw(`select id from users where deleted_at is null and active and role in ('sales', 'manager') order by id`, []))
      .map((r) => String(r.id))
    const ownerRng = new Rng(seedValue, 'owners')
    const ownerIndex = () => { const r = ownerRng.next(); return owners.length ? Math.floor(r * owners.length) : -1 }
    const ownerFor = () => { const i = ownerIndex(); return i >= 0 ? owners[i] : null }

    // Referrers: ids and start dates kept, so customers are credited only to one who existed then.
    const referrerIds = new IdStore(referrers)
    const referrerSince = new Float64Array(referrers)
    const referrerRng = new Rng(seedValue, 'referrers')
    phases.referrers = await chunked(target, 'referrers', referrers, batch, log, (copy, from, to) => copy('referrers', REFERRER_COLUMNS, (function* () {
      for (let i = from; i < to; i++) {
        const id = ids.next()
        const row = referrerRow(referrerRng, { id, externalId: `seed-${runId}-r${i + 1}`, now, ownerId: ownerFor(), pii, code: referralCode(runId, i) })
        referrerIds.set(i, id)
        referrerSince[i] = row.createdAt
        yield copyLine(row.values)
      }
    })()))

    // Customers: the little that orders need stays in flat arrays (~50 bytes a customer).
    const customerIds = new IdStore(customers)
    const customerSince = new Float64Array(customers)
    const customerReferrer = new Int32Array(customers).fill(-1)
    const customerOwner = new Int32Array(customers).fill(-1)
    const customerReferral = new IdStore(referrals > 0 ? customers : 0)
    const linked: number[] = []
    const customerRng = new Rng(seedValue, 'customers')
    const creditRng = new Rng(seedValue, 'credit')
    // About 12% of the referrals end in a customer: that many of the credited customers came by one.
    const linkRng = new Rng(seedValue, 'link')
    const linkShare = customers > 0 ? Math.min(1, (0.12 * referrals) / (0.25 * customers)) : 0
    phases.customers = await chunked(target, 'customers', customers, batch, log, (copy, from, to) => copy('customers', [...CUSTOMER_COLUMNS, 'referred_by_referral_id'], (function* () {
      for (let i = from; i < to; i++) {
        const id = ids.next()
        const createdAt = createdWithinHistory(customerRng, now)
        const credited = referrers > 0 && creditRng.chance(0.25) ? creditedReferrer(creditRng, referrerSince, createdAt) : -1
        const owner = ownerIndex()
        const row = customerRow(customerRng, {
          id, externalId: `seed-${runId}-c${i + 1}`, now, ownerId: owner >= 0 ? owners[owner] : null, pii, createdAt,
          referrerId: credited >= 0 ? referrerIds.get(credited) : null
        })
        let referral: string | null = null
        if (credited >= 0 && linkShare > 0 && linkRng.chance(linkShare) && linked.length < referrals) {
          referral = ids.next()
          customerReferral.set(i, referral)
          linked.push(i)
        }
        customerIds.set(i, id)
        customerSince[i] = createdAt
        customerReferrer[i] = credited
        customerOwner[i] = owner
        yield copyLine([...row.values, referral])
      }
    })()))

    const customerCampaign = new Int16Array(customers).fill(-1)
    const wonAt = new Float64Array(customers)
    let funnel: FunnelCounts | null = null
    if (referrals > 0) {
      const leadOwners = org!.teams.flat().length ? org!.teams.flat() : owners
      const result = await seedFunnel(target, {
        total: referrals, batch, runId, now, seed: seedValue, ids, pii, org: org!, owners: leadOwners, customerOwners: owners, log,
        referrers: { ids: referrerIds, since: referrerSince },
        customers: { ids: customerIds, since: customerSince, referrer: customerReferrer, owner: customerOwner, referral: customerReferral, linked: Int32Array.from(linked), campaign: customerCampaign, wonAt }
      })
      phases.referrals = result.seconds
      funnel = result.counts
    }

    // Orders, customer by customer; a chunk's refunds are copied in the chunk's transaction.
    const plan = new OrderPlan(new Rng(seedValue, 'plan'), customerSince, now, orders)
    const orderRng = new Rng(seedValue, 'orders')
    let refunds = 0
    let pendingRefunds: string[] = []
    let orderNo = 0
    const allOrders = (function* () {
      for (let c = 0; c < customers; c++) {
        const count = plan.countFor(c)
        if (count === 0) continue
        const linkedHere = referrals > 0 && customerReferral.get(c).charCodeAt(0) !== 0
        const campaign = customerCampaign[c]
        const buyer: Buyer = {
          // A customer whose referral was won buys after the win.
          id: customerIds.get(c), createdAt: Math.max(customerSince[c], wonAt[c]), spend: plan.spend[c],
          referrerId: customerReferrer[c] >= 0 ? referrerIds.get(customerReferrer[c]) : null,
          referralId: linkedHere ? customerReferral.get(c) : null,
          campaignId: campaign >= 0 ? org!.campaigns[campaign].id : null
        }
        const until = activeUntil(orderRng, buyer, now)
        for (let k = 0; k < count; k++) {
          orderNo++
          const rows = orderRows(orderRng, buyer, k, until, now, {
            orderId: ids.next(), externalId: `seed-${runId}-o${orderNo}`, refundId: () => ids.next(), refundExternalId: `seed-${runId}-f${orderNo}`
          })
          if (rows.refund) { pendingRefunds.push(copyLine(rows.refund)); refunds++ }
          yield copyLine(rows.order)
        }
      }
    })()
    phases.orders = await chunked(target, 'orders', orders, batch, log, async (copy, from, to) => {
      await copy('orders', ORDER_COLUMNS, take(allOrders, to - from))
      const lines = pendingRefunds
      pendingRefunds = []
      await copy('order_refunds', REFUND_COLUMNS, lines)
    })

    target.release()
    phases.indexes = await timed(() => rebuildIndexes(database, dropped))
    rebuilt = true
    if (dropped.definitions.length) log(`secondary indexes rebuilt in ${phases.indexes.toFixed(1)} s`)

    phases.aggregates = await timed(() => database.db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(${EDGE_LOCK})`)
      await tx.execute(sql.raw(`set local work_mem = '${SCORING_WORK_MEM}'`))
      // Keep the RFM window's edge where it stands (-infinity, i.e. (null, null), until a recompute moves it).
      const [edge] = await tx.select({ unbounded: sql<boolean>`${scoringState.windowFrom} = '-infinity'::timestamptz`, from: scoringState.windowFrom, days: scoringState.windowDays })
        .from(scoringState).where(eq(scoringState.id, 1))
      if (!edge || edge.unbounded) await rebuildAggregates(tx, null, null)
      else await rebuildAggregates(tx, edge.from, edge.days)
    }))
    log(`aggregates rebuilt in ${phases.aggregates.toFixed(1)} s`)
    // Fresh statistics, so the first queries after a big load get sensible plans.
    // Customer-kind referrers become customers too (only when the run made both).
    if (referrers > 0 && customers > 0) phases.links = await timed(() => linkCustomerReferrers(database, runId))
    phases.analyze = await timed(() => database.raw(`analyze ${[...LOADED_TABLES, 'customer_scores', ...(referrals > 0 ? FUNNEL_TABLES : [])].join(', ')}`, []))

    const seconds = (performance.now() - started) / 1000
    const madeOrg = org as Org | null
    const funnelRows = funnel ? funnel.referrals + funnel.leads + funnel.opportunities + funnel.stageChanges + funnel.activities + funnel.rewards : 0
    const rows = referrers + customers + orders + refunds + users + campaigns + (madeOrg?.costs ?? 0) + funnelRows
    return {
      runId, users, campaigns, campaignCosts: madeOrg?.costs ?? 0, funnel, referrers, customers, orders, refunds, rows, seconds,
      rowsPerSecond: Math.round(rows / seconds), phases
    }
  } finally {
    if (!rebuilt) {
      target.release()
      // A failed load still gets its indexes back: what was committed stays, indexed.
      await rebuildIndexes(database, dropped).catch((err) => log(`rebuilding the dropped indexes failed: ${String(err)}; they are in migrations/`))
    }
  }
}

const LOADED_TABLES = ['referrers', 'customers', 'orders', 'order_refunds']
const FUNNEL_TABLES = ['referrals', 'leads', 'opportunities', 'opportunity_stage_history', 'activities', 'rewards']

/** A referrer for a customer who arrived at `createdAt`: early referrers bring most, and only one already there counts. */
function creditedReferrer(rng: Rng, since: Float64Array, createdAt: number): number {
  for (let attempt = 0; attempt < 3; attempt++) {
    const index = Math.floor(since.length * Math.pow(rng.next(), 2.5))
    if (since[index] <= createdAt) return index
  }
  return -1
}
