import t from 'tap'
import fc from 'fast-check'
import {
  aggregateOrders, computeRfm, DAY_MS, orderCounts, recencyDays, rfmWindowProblems, scoreRfm, tieAwareScores,
  type OrderHistory, type RfmAggregate, type RfmOrder
} from '../../src/rules/rfm.js'

const AS_OF = new Date('2030-06-30T12:00:00Z')
const ago = (days: number, ms = 0) => new Date(AS_OF.getTime() - days * DAY_MS - ms)
const paid = (daysAgo: number, amount = 1000, refundedAmount = 0): RfmOrder =>
  ({ paidAt: ago(daysAgo), amount, refundedAmount, status: refundedAmount >= amount ? 'refunded' : 'paid' })

/** The formula as written, O(N²): the reference the fast version must agree with. */
function naiveScores(values: readonly number[], better: 'higher' | 'lower'): number[] {
  const n = values.length
  return values.map((v) => 1 + Math.floor((5 * values.filter((o) => (better === 'higher' ? o < v : o > v)).length) / n))
}

t.test('counts paid orders in the window up to asOf, nets refunds, and leaves out fully refunded ones', async (t) => {
  const history: OrderHistory = {
    customerId: 'c1',
    orders: [paid(10, 5000, 1000), paid(40, 2000), paid(100, 3000, 3000), paid(400, 9000), { ...paid(0, 7000), paidAt: new Date(AS_OF.getTime() + 1) }]
  }
  t.same(aggregateOrders([history], { days: 365 }, AS_OF), [{ customerId: 'c1', lastPaidAt: ago(10), paidOrders: 2, netPaid: 6000 }])
  t.same(aggregateOrders([history], { days: null }, AS_OF), [{ customerId: 'c1', lastPaidAt: ago(10), paidOrders: 3, netPaid: 15000 }])
})

t.test('the window includes both ends: exactly `days` ago and exactly asOf', async (t) => {
  t.ok(orderCounts(paid(30), { days: 30 }, AS_OF))
  t.notOk(orderCounts({ ...paid(30), paidAt: ago(30, 1) }, { days: 30 }, AS_OF))
  t.ok(orderCounts(paid(0), { days: 30 }, AS_OF))
  t.notOk(orderCounts({ ...paid(0, 100, 100), status: 'paid' }, { days: 30 }, AS_OF), 'fully refunded, whatever the status says')
})

t.test('customers without a counted order are not scored', async (t) => {
  const rfm = computeRfm([{ customerId: 'a', orders: [paid(1)] }, { customerId: 'b', orders: [] }, { customerId: 'c', orders: [paid(2, 10, 10)] }], { days: 365 }, AS_OF)
  t.same(rfm.map((x) => x.customerId), ['a'])
  t.same(scoreRfm([{ customerId: 'z', lastPaidAt: AS_OF, paidOrders: 0, netPaid: 0 }], AS_OF), [])
})

t.test('recency is whole days since the last counted order, rounded down', async (t) => {
  t.equal(recencyDays(ago(3), AS_OF), 3)
  t.equal(recencyDays(ago(2, DAY_MS - 1), AS_OF), 2)
  t.equal(recencyDays(AS_OF, AS_OF), 0)
})

t.test('five customers with distinct values score 1 to 5; fewer recency days is better', async (t) => {
  const aggregates: RfmAggregate[] = [1, 2, 3, 4, 5].map((i) => ({ customerId: `c${i}`, lastPaidAt: ago(10 * i), paidOrders: i, netPaid: 100 * i }))
  const rfm = scoreRfm(aggregates, AS_OF)
  t.same(rfm.map((x) => [x.r, x.f, x.m]), [[5, 1, 1], [4, 2, 2], [3, 3, 3], [2, 4, 4], [1, 5, 5]])
  t.same(rfm[0], { customerId: 'c1', recency: 10, frequency: 1, monetary: 100, r: 5, f: 1, m: 1 })
})

t.test('small populations: one customer scores 1, two distinct score 1 and 3, all equal score 1', async (t) => {
  t.same(tieAwareScores([7], 'higher'), [1])
  t.same(tieAwareScores([7, 9], 'higher'), [1, 3])
  t.same(tieAwareScores([4, 4, 4], 'lower'), [1, 1, 1])
  t.same(tieAwareScores([], 'higher'), [])
})

t.test('1,000 customers with identical frequency all get the same F', async (t) => {
  const histories: OrderHistory[] = Array.from({ length: 1000 }, (_, i) => ({ customerId: `c${i}`, orders: [paid(i % 300, 100 + i), paid(5 + (i % 50))] }))
  const rfm = computeRfm(histories, { days: 365 }, AS_OF)
  t.equal(rfm.length, 1000)
  t.same(new Set(rfm.map((x) => x.f)), new Set([1]), 'nobody is strictly worse, so F = 1 for all')
  const withOneMore = computeRfm([...histories, { customerId: 'top', orders: [paid(1), paid(2), paid(3)] }], { days: 365 }, AS_OF)
  t.same(new Set(withOneMore.filter((x) => x.customerId !== 'top').map((x) => x.f)), new Set([1]))
  t.equal(withOneMore.find((x) => x.customerId === 'top')?.f, 5, '1000 of 1001 strictly worse: 1 + floor(5000/1001) = 5')
})

t.test('a window that is not a positive whole number of days is refused', async (t) => {
  t.same(rfmWindowProblems({ days: null }), [])
  t.same(rfmWindowProblems({ days: 90 }), [])
  for (const days of [0, -1, 1.5, Number.NaN]) t.equal(rfmWindowProblems({ days }).length, 1, String(days))
})

// --- properties ---------------------------------------------------------------------

const values = fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 200 })
const better = fc.constantFrom('higher' as const, 'lower' as const)
const goodness = (b: 'higher' | 'lower', v: number) => (b === 'higher' ? v : -v)

t.test('property: the O(N log N) scores equal the formula computed naively', async () => {
  fc.assert(fc.property(fc.array(fc.integer({ min: -1e6, max: 1e6 }), { minLength: 1, maxLength: 300 }), better, (vs, b) => {
    return JSON.stringify(tieAwareScores(vs, b)) === JSON.stringify(naiveScores(vs, b))
  }), { numRuns: 300 })
})

t.test('property: equal values equal scores, scores in 1..5, better never scores lower, worst scores 1', async () => {
  fc.assert(fc.property(values, better, (vs, b) => {
    const s = tieAwareScores(vs, b)
    const worst = Math.min(...vs.map((v) => goodness(b, v)))
    return vs.every((v, i) => s[i] >= 1 && s[i] <= 5 && Number.isInteger(s[i]) &&
      (goodness(b, v) !== worst || s[i] === 1) &&
      vs.every((w, j) => (v === w ? s[i] === s[j] : goodness(b, v) > goodness(b, w) ? s[i] >= s[j] : s[i] <= s[j])))
  }), { numRuns: 300 })
})

t.test('property: a unique best value scores 5 exactly when there are at least five customers', async () => {
  fc.assert(fc.property(values, (vs) => {
    const top = Math.max(...vs) + 1
    const s = tieAwareScores([...vs, top], 'higher')
    return (s[vs.length] === 5) === (vs.length + 1 >= 5)
  }))
})

const arbHistories = fc.array(fc.record({
  customerId: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'),
  orders: fc.array(fc.record({
    daysAgo: fc.integer({ min: -3, max: 500 }), ms: fc.nat(DAY_MS - 1), amount: fc.integer({ min: 1, max: 10_000 }), refundedShare: fc.constantFrom(0, 0, 0.5, 1)
  }).map(({ daysAgo, ms, amount, refundedShare }) => ({ ...paid(daysAgo, amount, Math.floor(amount * refundedShare)), paidAt: ago(daysAgo, ms) })),
  { maxLength: 8 })
}), { maxLength: 12 })

t.test('property: exactly the customers with a counted order are scored, whatever the order of histories and orders', async () => {
  fc.assert(fc.property(arbHistories, fc.constantFrom(30, 365, null), (hs, days) => {
    const window = { days }
    const direct = computeRfm(hs, window, AS_OF)
    const reversed = computeRfm(hs.map((h) => ({ ...h, orders: [...h.orders].reverse() })).reverse(), window, AS_OF)
    const byId = (xs: typeof direct) => JSON.stringify([...xs].sort((x, y) => x.customerId.localeCompare(y.customerId)))
    const counted = new Set<string>(hs.filter((h) => h.orders.some((o) => orderCounts(o, window, AS_OF))).map((h) => h.customerId))
    return byId(direct) === byId(reversed) && direct.length === counted.size && direct.every((x) => counted.has(x.customerId) && x.frequency >= 1 && x.recency >= 0)
  }))
})
