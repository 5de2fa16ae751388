import t from 'tap'
import fc from 'fast-check'
import { systemActor } from '../../../src/modules/auth/actor.js'
import { DAY_MS } from '../../../src/rules/rfm.js'
import { forEachDatabase } from '../../helper.js'
import { expected, load, recompute, stored, wipe, type GenOrder } from './scoring-support.js'

const AS_OF = new Date('2031-03-15T08:30:00Z')

const order = fc.record({
  // Whole and fractional days, both sides of the 365-day edge, a few up to a day ahead.
  daysAgo: fc.oneof(fc.integer({ min: 0, max: 800 }), fc.double({ min: -0.9, max: 800, noNaN: true }), fc.constantFrom(365, 364.99, 365.01, 180, 0)),
  amount: fc.oneof(fc.integer({ min: 1, max: 200_000 }), fc.constantFrom(1000, 5000)),
  refund: fc.constantFrom<GenOrder['refund']>('none', 'none', 'none', 'part', 'all')
})
const customers = fc.array(fc.array(order, { maxLength: 6 }), { minLength: 1, maxLength: 25 })

await forEachDatabase(t, async (t, ctx) => {
  await t.test('the stored scores, segments, tiers and stages are what the pure rules give, on random order histories', async (t) => {
    let runs = 0
    await fc.assert(fc.asyncProperty(customers, async (generated) => {
      await wipe(ctx)
      await load(ctx, generated, AS_OF)
      await recompute(ctx, 'rebuild', AS_OF)
      t.same(await stored(ctx), await expected(ctx, AS_OF, 365), 'rebuild')
      runs++
    }), { numRuns: 25, seed: 20261123 })
    t.equal(runs, 25)
  })

  await t.test('kept up by recordOrder and refundOrder, an incremental run days later moves the window edge and agrees with the rules', async (t) => {
    await fc.assert(fc.asyncProperty(customers, fc.integer({ min: 1, max: 40 }), async (generated, laterDays) => {
      await wipe(ctx)
      const ids = await load(ctx, generated, AS_OF)
      await recompute(ctx, 'rebuild', AS_OF)
      const later = new Date(AS_OF.getTime() + laterDays * DAY_MS)
      // New and back-dated orders through the service (the aggregates' maintenance), one refunded.
      const a = await ctx.app.services.orders.record(systemActor, { customerId: ids[0], amount: { amount: 7777, currency: 'CNY' }, paidAt: new Date(later.getTime() - 2 * DAY_MS).toISOString() }, later)
      await ctx.app.services.orders.record(systemActor, { customerId: ids[ids.length - 1], amount: { amount: 1234, currency: 'CNY' }, paidAt: new Date(later.getTime() - 364.5 * DAY_MS).toISOString() }, later)
      await ctx.app.services.orders.refund(systemActor, { orderId: a.order.id, amount: { amount: 7777, currency: 'CNY' } }, later)
      await recompute(ctx, 'incremental', later)
      t.same(await stored(ctx), await expected(ctx, later, 365), `incremental ${laterDays} days later`)
    }), { numRuns: 10, seed: 7 })
  })

  await t.test('1,000 customers with the same frequency all get the same F', async (t) => {
    await wipe(ctx)
    await ctx.sql(`insert into customers (id, name) select gen_random_uuid(), 'Tie ' || i from generate_series(1, 1000) i`)
    await ctx.sql(`insert into orders (id, customer_id, amount, paid_at)
      select gen_random_uuid(), c.id, 1000 + (row_number() over ())::int, $1::timestamptz - ((row_number() over ()) % 300) * interval '1 day'
      from customers c cross join generate_series(1, 2)`, [AS_OF])
    const run = await recompute(ctx, 'rebuild', AS_OF)
    t.equal(run.scored, 1000)
    t.same(await ctx.sql('select f, count(*)::int as n from customer_scores group by f'), [{ f: 1, n: 1000 }])
    const spread = await ctx.sql<{ n: number }>('select count(distinct m)::int as n from customer_scores')
    t.equal(spread[0].n, 5, 'distinct amounts still spread over five M scores')
  })
})
