import t from 'tap'
import fc from 'fast-check'
import { allocateDebit, allocateReturn, available, isLive, lotExpiry, nextExpiry, outstanding, type Lot } from '../../src/rules/points-lots.js'
import { orderPoints, refundedPoints, type EarningRule } from '../../src/rules/points-earning.js'

const DAY = 86_400_000
const NOW = new Date('2026-06-15T04:00:00Z')
const TZ = 'Asia/Shanghai'

const lotArb = fc.record({
  id: fc.uuid(),
  remaining: fc.integer({ min: 0, max: 10_000 }),
  earnedAt: fc.integer({ min: -400, max: 0 }).map((d) => new Date(NOW.getTime() + d * DAY)),
  expiresAt: fc.option(fc.integer({ min: -30, max: 400 }).map((d) => new Date(NOW.getTime() + d * DAY)), { nil: null })
})
const lotsArb = fc.uniqueArray(lotArb, { selector: (l) => l.id, maxLength: 12 })

t.test('expiry: month_end is the end of the Nth month after the month of earning, in the zone; exact keeps the day; 0 never', async (t) => {
  t.equal(lotExpiry(new Date('2026-03-15T10:00:00+08:00'), { months: 12, rounding: 'month_end' }, TZ)!.toISOString(), '2027-03-31T16:00:00.000Z')
  // 1 March 00:30 in Shanghai is still February in UTC: the local month counts.
  t.equal(lotExpiry(new Date('2026-03-01T00:30:00+08:00'), { months: 1, rounding: 'month_end' }, TZ)!.toISOString(), '2026-04-30T16:00:00.000Z')
  t.equal(lotExpiry(new Date('2026-12-20T00:00:00Z'), { months: 2, rounding: 'month_end' }, 'UTC')!.toISOString(), '2027-03-01T00:00:00.000Z')
  t.equal(lotExpiry(new Date('2026-01-31T12:00:00Z'), { months: 1, rounding: 'exact' }, TZ)!.toISOString(), '2026-02-28T12:00:00.000Z')
  t.equal(lotExpiry(NOW, { months: 0, rounding: 'month_end' }, TZ), null)
  fc.assert(fc.property(fc.integer({ min: 0, max: 3650 }), fc.integer({ min: 1, max: 60 }), (d, months) => {
    const earned = new Date(Date.UTC(2024, 0, 1) + d * DAY + 3_600_000)
    const at = lotExpiry(earned, { months, rounding: 'month_end' }, TZ)!
    const exact = lotExpiry(earned, { months, rounding: 'exact' }, TZ)!
    // Later than earning, month_end never before exact, and at most a month after it.
    return at > earned && at >= new Date(exact.getTime() - DAY) && at.getTime() - exact.getTime() <= 32 * DAY
  }))
})

t.test('a debit never takes more than there is, never from a dead lot, and takes first-expiring-first', async (t) => {
  fc.assert(fc.property(lotsArb, fc.integer({ min: 1, max: 50_000 }), (lots, amount) => {
    const d = allocateDebit(lots, amount, NOW)
    const byId = new Map(lots.map((l) => [l.id, l]))
    if (d.taken + d.shortfall !== amount) return false
    if (d.taken !== Math.min(amount, available(lots, NOW))) return false
    for (const a of d.allocations) {
      const lot = byId.get(a.lot)!
      if (!isLive(lot, NOW) || a.amount <= 0 || a.amount > lot.remaining) return false
    }
    // FEFO: every lot taken from, except the last, was emptied; no untouched live lot expires before a used one.
    const used = new Set(d.allocations.map((a) => a.lot))
    const lastExpiry = Math.max(...d.allocations.map((a) => byId.get(a.lot)!.expiresAt?.getTime() ?? Infinity))
    return lots.filter((l) => isLive(l, NOW) && !used.has(l.id)).every((l) => (l.expiresAt?.getTime() ?? Infinity) >= lastExpiry)
  }))
})

t.test('a return gives back at most what the debit took, to its lots, forfeiting the shares of lots now expired', async (t) => {
  fc.assert(fc.property(lotsArb, fc.integer({ min: 1, max: 30_000 }), fc.integer({ min: 1, max: 30_000 }), fc.integer({ min: 0, max: 200 }), (lots, amount, back, later) => {
    const d = allocateDebit(lots, amount, NOW)
    const then = new Date(NOW.getTime() + later * DAY)
    const meta = new Map(lots.map((l) => [l.id, { expiresAt: l.expiresAt }]))
    const r = allocateReturn(d.allocations, meta, back, then)
    const given = r.allocations.reduce((s, a) => s + a.amount, 0)
    if (given !== r.returned || r.returned + r.forfeited !== Math.min(back, d.taken)) return false
    const left = outstanding(d.allocations, [r.allocations])
    const leftTotal = left.reduce((s, a) => s + a.amount, 0)
    return leftTotal === d.taken - r.returned && r.allocations.every((a) => {
      const exp = meta.get(a.lot)!.expiresAt
      return exp === null || exp > then
    })
  }))
})

t.test('next expiry: the earliest live expiry and all that goes then', async (t) => {
  const lots: Lot[] = [
    { id: 'a', remaining: 10, earnedAt: NOW, expiresAt: new Date(NOW.getTime() + 5 * DAY) },
    { id: 'b', remaining: 7, earnedAt: NOW, expiresAt: new Date(NOW.getTime() + 5 * DAY) },
    { id: 'c', remaining: 3, earnedAt: NOW, expiresAt: new Date(NOW.getTime() - DAY) },
    { id: 'd', remaining: 9, earnedAt: NOW, expiresAt: null }
  ]
  t.same(nextExpiry(lots, NOW), { amount: 17, at: new Date(NOW.getTime() + 5 * DAY) })
  t.equal(available(lots, NOW), 26, 'the dead lot does not count')
  t.equal(nextExpiry([lots[3]], NOW), null)
})

const rule = (over: Partial<EarningRule>): EarningRule => ({
  id: 'r', name: 'base', kind: 'base', active: true, campaignId: null, currency: 'CNY', points: 1, unitAmount: 100,
  multiplierBp: null, minOrderAmount: null, validFrom: null, validUntil: null, priority: 100, ...over
})

t.test('order points: the first base rule by priority, campaign multipliers, the level multiplier, rounded down once', async (t) => {
  const order = { amount: 12_345, currency: 'CNY', campaignId: 'c1', at: NOW }
  const rules = [rule({ id: 'b2', priority: 200, points: 5 }), rule({ id: 'b1' }), rule({ id: 'm', kind: 'multiplier', campaignId: 'c1', multiplierBp: 15000, points: null, unitAmount: null })]
  t.match(orderPoints(order, rules, 12000), { points: Math.floor(123 * 1.5 * 1.2), baseRuleId: 'b1', multiplierRuleIds: ['m'] })
  t.equal(orderPoints({ ...order, currency: 'USD' }, rules, 10000).points, 0)
  t.equal(orderPoints({ ...order, campaignId: null }, rules, 10000).points, 123)
  t.equal(orderPoints(order, [rule({ validUntil: NOW })], 10000).points, 0, 'validUntil is exclusive')
  fc.assert(fc.property(fc.integer({ min: 0, max: 1e12 }), fc.integer({ min: 1, max: 1e6 }), fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 0, max: 100000 }),
    (amount, unit, points, levelBp) => {
      const p = orderPoints({ amount, currency: 'CNY', campaignId: null, at: NOW }, [rule({ unitAmount: unit, points })], levelBp).points
      return Number.isSafeInteger(p) && p >= 0 && p <= Math.floor(amount / unit) * points * levelBp / 10000 + 1e-6
    }))
})

t.test('refunds take back the refunded share, and the sum over any sequence of refunds is the share of the total', async (t) => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 1e9 }), fc.integer({ min: 1, max: 1e12 }), fc.array(fc.integer({ min: 1, max: 1e12 }), { maxLength: 6 }),
    (earned, amount, parts) => {
      let refunded = 0
      let taken = 0
      for (const p of parts) {
        const next = Math.min(amount, refunded + p)
        taken += refundedPoints(earned, amount, refunded, next)
        refunded = next
      }
      const expected = refunded >= amount ? earned : Number((BigInt(earned) * BigInt(refunded)) / BigInt(amount))
      return taken === expected && taken <= earned
    }))
})
