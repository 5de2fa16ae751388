import t from 'tap'
import fc from 'fast-check'
import { systemActor } from '../../../src/modules/auth/actor.js'
import { DAY_MS } from '../../../src/rules/rfm.js'
import { forEachDatabase, type TestApp } from '../../helper.js'
import { expected, histograms, load, recompute, stored, wipe } from './scoring-support.js'

/**
 * The nightly run reads only the rows that can have changed (scoring.candidates.ts) and keeps
 * its histograms by difference. Held here to the pure rules, night after night, through
 * every kind of write that moves the aggregates, with the clock going forward by hours or
 * weeks: whatever it skipped must already have been right. A window shorter than the
 * lifecycle thresholds makes unscored buyers cross from at risk to churned on their own.
 */
const AS_OF = new Date('2031-03-15T08:30:00Z')
const LIFECYCLE = { loyalMinPaidOrders: 2, atRiskDays: 60, churnedDays: 150, engagedDays: 90, detractorDays: 90 }
const WINDOW = 90

const history = fc.array(fc.array(fc.record({
  daysAgo: fc.oneof(fc.integer({ min: 0, max: 300 }), fc.double({ min: 0, max: 300, noNaN: true }), fc.constantFrom(90, 89.99, 60, 150)),
  amount: fc.oneof(fc.integer({ min: 1, max: 200_000 }), fc.constantFrom(1000, 5000)),
  refund: fc.constantFrom('none' as const, 'none' as const, 'part' as const, 'all' as const)
}), { maxLength: 5 }), { minLength: 3, maxLength: 20 })

type Change =
  | { kind: 'order'; who: number; daysAgo: number; amount: number }
  | { kind: 'refund'; which: number; all: boolean }
  | { kind: 'delete'; who: number }
  | { kind: 'merge'; who: number; into: number }
  | { kind: 'newcomer'; daysAgo: number; amount: number }
const change: fc.Arbitrary<Change> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('order' as const), who: fc.nat(), daysAgo: fc.oneof(fc.double({ min: 0, max: 2, noNaN: true }), fc.double({ min: 0, max: 120, noNaN: true })), amount: fc.integer({ min: 1, max: 300_000 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('refund' as const), which: fc.nat(), all: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), who: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('merge' as const), who: fc.nat(), into: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('newcomer' as const), daysAgo: fc.double({ min: 0, max: 3, noNaN: true }), amount: fc.integer({ min: 1, max: 300_000 }) }) }
)
// Hours to weeks between runs (and now and then a second run at the same moment).
const night = fc.record({ laterDays: fc.oneof(fc.constantFrom(0, 1), fc.double({ min: 0.01, max: 3, noNaN: true }), fc.integer({ min: 1, max: 45 })), changes: fc.array(change, { maxLength: 8 }) })

async function apply(ctx: TestApp, c: Change, now: Date, live: string[]): Promise<void> {
  const pick = (i: number) => live[i % live.length]
  if (c.kind === 'order' || c.kind === 'newcomer') {
    const customerId = c.kind === 'order' ? pick(c.who) : (await ctx.app.services.customers.create(systemActor, { name: 'Newcomer' })).id
    if (c.kind === 'newcomer') live.push(customerId)
    await ctx.app.services.orders.record(systemActor, { customerId, amount: { amount: c.amount, currency: 'CNY' }, paidAt: new Date(now.getTime() - c.daysAgo * DAY_MS).toISOString() }, now)
  } else if (c.kind === 'refund') {
    const open = await ctx.sql<{ id: string; left: number }>(`select o.id::text as id, (o.amount - o.refunded_amount)::float8 as left from orders o join customers c on c.id = o.customer_id
      where c.deleted_at is null and c.merged_into_id is null and o.refunded_amount < o.amount order by o.id`)
    if (open.length === 0) return
    const o = open[c.which % open.length]
    await ctx.app.services.orders.refund(systemActor, { orderId: o.id, amount: { amount: c.all ? o.left : Math.max(1, Math.floor(o.left / 2)), currency: 'CNY' } }, now)
  } else if (c.kind === 'delete') {
    if (live.length <= 2) return
    const [id] = live.splice(c.who % live.length, 1)
    await ctx.app.services.customers.delete(systemActor, id)
  } else {
    if (live.length <= 2) return
    const into = pick(c.into)
    const who = pick(c.who)
    if (who === into) return
    await ctx.app.services.ownership.mergeCustomers(systemActor, into, { mergedIds: [who] })
    live.splice(live.indexOf(who), 1)
  }
}

await forEachDatabase(t, async (t, ctx) => {
  await t.test('night after night of orders, refunds, deletes, merges and newcomers, each nightly run agrees with the rules and keeps its histograms exact', async (t) => {
    let nights = 0
    await fc.assert(fc.asyncProperty(history, fc.array(night, { minLength: 1, maxLength: 4 }), async (generated, nightsOf) => {
      await wipe(ctx)
      const live = await load(ctx, generated, AS_OF)
      await recompute(ctx, 'rebuild', AS_OF)
      let now = AS_OF
      for (const n of nightsOf) {
        now = new Date(now.getTime() + n.laterDays * DAY_MS)
        for (const c of n.changes) await apply(ctx, c, now, live)
        const run = await recompute(ctx, 'incremental', now)
        const want = await expected(ctx, now, WINDOW, LIFECYCLE)
        t.same(await stored(ctx), want, `night ${nights}: ${n.laterDays} days on, ${n.changes.length} changes`)
        t.equal(run.scored, want.filter((r) => r.r !== null).length, 'scored count')
        const h = await histograms(ctx)
        t.same(h.kept, h.counted, 'kept histograms')
        nights++
      }
    }), { numRuns: Number(process.env.NIGHTLY_RUNS ?? 12), seed: Number(process.env.NIGHTLY_SEED ?? 20261202) })
    t.ok(nights >= 12)
  })
}, { SCORING_CONFIG: JSON.stringify({ rfmWindowDays: WINDOW, lifecycle: LIFECYCLE }) })
