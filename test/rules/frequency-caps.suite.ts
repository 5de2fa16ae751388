import t from 'tap'
import fc from 'fast-check'
import { capHit, capWindows, countOne, decideCaps, defaultCapLimits, emptyCounts, type CapCounts, type CapLimits } from '../../src/rules/frequency-caps.js'

t.test('defaults: one marketing message a day, three a week, across channels and per channel', async (t) => {
  const c0 = emptyCounts()
  t.equal(capHit(c0, 'sms', defaultCapLimits), null)
  const c1 = countOne(c0, 'sms')
  t.match(capHit(c1, 'email', defaultCapLimits), { cap: 'daily_cap', limit: 1, count: 1 }, 'across channels')
  const week: CapCounts = { day: 0, week: 3, channels: { sms: { day: 0, week: 3 } } }
  t.match(capHit(week, 'email', defaultCapLimits), { cap: 'weekly_cap' })
  const perChannel: CapLimits = { day: 5, week: 10, channelDay: 1, channelWeek: 2 }
  t.match(capHit(c1, 'sms', perChannel), { cap: 'channel_daily_cap' })
  t.equal(capHit(c1, 'email', perChannel), null, 'another channel is free')
  t.same(capWindows(new Date('2030-01-08T00:00:00Z')), { dayFrom: new Date('2030-01-07T00:00:00Z'), weekFrom: new Date('2030-01-01T00:00:00Z') })
})

t.test('a batch counts its own accepted messages in order, per customer', async (t) => {
  const items = [{ customerId: 'a', channelKind: 'sms' }, { customerId: 'b', channelKind: 'sms' }, { customerId: 'a', channelKind: 'email' }]
  t.same(decideCaps(items, new Map(), defaultCapLimits).map((h) => h?.cap ?? null), [null, null, 'daily_cap'])
})

const arbLimits = fc.record({ day: fc.integer({ min: 0, max: 5 }), week: fc.integer({ min: 0, max: 10 }), channelDay: fc.integer({ min: 0, max: 5 }), channelWeek: fc.integer({ min: 0, max: 10 }) })
const arbItems = fc.array(fc.record({ customerId: fc.constantFrom('a', 'b', 'c'), channelKind: fc.constantFrom('sms', 'email') }), { maxLength: 60 })

t.test('property: what passes never exceeds any limit, and a capped message had a full cap', async (t) => {
  fc.assert(fc.property(arbItems, arbLimits, (items, limits) => {
    const hits = decideCaps(items, new Map(), limits)
    const passed = items.filter((_, i) => hits[i] === null)
    for (const id of ['a', 'b', 'c']) {
      const mine = passed.filter((p) => p.customerId === id)
      if (mine.length > Math.min(limits.day, limits.week)) return false
      for (const k of ['sms', 'email']) if (mine.filter((p) => p.channelKind === k).length > Math.min(limits.channelDay, limits.channelWeek)) return false
    }
    return hits.every((h) => h === null || h.count >= h.limit)
  }), { numRuns: 1000 })
})

t.test('property: as many pass as the tightest limit allows (greedy is optimal for one customer and channel)', async (t) => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 50 }), arbLimits, (n, limits) => {
    const items = Array.from({ length: n }, () => ({ customerId: 'a', channelKind: 'sms' }))
    const passed = decideCaps(items, new Map(), limits).filter((h) => h === null).length
    return passed === Math.min(n, limits.day, limits.week, limits.channelDay, limits.channelWeek)
  }))
})
