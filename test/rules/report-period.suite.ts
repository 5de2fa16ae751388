import t from 'tap'
import fc from 'fast-check'
import {
  addDays, bucketKey, bucketsOf, lastDays, localDateOf, parseLocalDate, previousPeriod, startOfLocalDay, type Bucket
} from '../../src/rules/report-period.js'

// Zones with no DST (China), DST (New York), a 30-minute DST shift (Lord Howe), a 45-minute offset (Kathmandu), UTC.
const zones = ['Asia/Shanghai', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'UTC']
const MIN = Date.UTC(1995, 0, 1)
const MAX = Date.UTC(2035, 0, 1)
const instant = fc.integer({ min: MIN, max: MAX }).map((ms) => new Date(ms))
const zone = fc.constantFrom(...zones)
const bucket = fc.constantFrom<Bucket>('day', 'week', 'month')
const DAY = 86_400_000

t.test('a local day starts at local midnight and holds exactly the instants of that calendar date', async (t) => {
  fc.assert(fc.property(instant, zone, (at, tz) => {
    const date = localDateOf(at, tz)
    const start = startOfLocalDay(date, tz)
    const next = startOfLocalDay(addDays(date, 1), tz)
    return start.getTime() <= at.getTime() && at.getTime() < next.getTime() &&
      JSON.stringify(localDateOf(start, tz)) === JSON.stringify(date) &&
      JSON.stringify(localDateOf(new Date(start.getTime() - 1), tz)) === JSON.stringify(addDays(date, -1))
  }), { numRuns: 2000 })
})

t.test('Asia/Shanghai days are 24 hours starting 16:00 UTC the day before', async (t) => {
  t.equal(startOfLocalDay({ year: 2026, month: 12, day: 1 }, 'Asia/Shanghai').toISOString(), '2026-11-30T16:00:00.000Z')
  t.equal(bucketKey(new Date('2026-11-30T15:59:59.999Z'), 'day', 'Asia/Shanghai'), '2026-11-30')
  t.equal(bucketKey(new Date('2026-11-30T16:00:00.000Z'), 'day', 'Asia/Shanghai'), '2026-12-01')
  t.equal(bucketKey(new Date('2026-12-06T16:00:00.000Z'), 'week', 'Asia/Shanghai'), '2026-12-07', 'Monday 7 December starts a week')
  t.equal(bucketKey(new Date('2026-12-06T15:59:59.000Z'), 'week', 'Asia/Shanghai'), '2026-11-30')
  t.equal(bucketKey(new Date('2026-11-30T16:00:00.000Z'), 'month', 'Asia/Shanghai'), '2026-12-01')
})

t.test('buckets tile the period: contiguous, clipped to it, each instant in the bucket its key names', async (t) => {
  fc.assert(fc.property(instant, fc.integer({ min: 1, max: 400 * DAY }), zone, bucket, fc.array(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), { maxLength: 20 }), (from, length, tz, b, fractions) => {
    const period = { from, to: new Date(from.getTime() + length) }
    const spans = bucketsOf(period, b, tz)
    if (spans.length === 0) return false
    if (spans[0].from.getTime() !== period.from.getTime() || spans.at(-1)!.to.getTime() !== period.to.getTime()) return false
    for (let i = 0; i < spans.length; i++) {
      if (spans[i].from.getTime() >= spans[i].to.getTime()) return false
      if (i > 0 && (spans[i].from.getTime() !== spans[i - 1].to.getTime() || spans[i].key <= spans[i - 1].key)) return false
      if (bucketKey(spans[i].from, b, tz) !== spans[i].key) return false
      if (bucketKey(new Date(spans[i].to.getTime() - 1), b, tz) !== spans[i].key) return false
    }
    for (const f of fractions) {
      const at = new Date(period.from.getTime() + Math.floor(f * length))
      const holding = spans.filter((s) => s.from.getTime() <= at.getTime() && at.getTime() < s.to.getTime())
      if (holding.length !== 1 || holding[0].key !== bucketKey(at, b, tz)) return false
    }
    return true
  }), { numRuns: 600 })
})

t.test('weeks start on Monday, months on the 1st', async (t) => {
  fc.assert(fc.property(instant, zone, (at, tz) => {
    const week = parseLocalDate(bucketKey(at, 'week', tz))!
    const month = parseLocalDate(bucketKey(at, 'month', tz))!
    const day = localDateOf(at, tz)
    return new Date(Date.UTC(week.year, week.month - 1, week.day)).getUTCDay() === 1 && month.day === 1 &&
      month.year === day.year && month.month === day.month
  }), { numRuns: 1000 })
})

t.test('the default period is the last N calendar days, today included; the previous one ends where it starts', async (t) => {
  fc.assert(fc.property(instant, zone, fc.integer({ min: 1, max: 400 }), (now, tz, days) => {
    const period = lastDays(now, days, tz)
    const prev = previousPeriod(period)
    return period.from.getTime() <= now.getTime() && now.getTime() < period.to.getTime() &&
      bucketsOf(period, 'day', tz).length === days &&
      JSON.stringify(localDateOf(period.to, tz)) === JSON.stringify(addDays(localDateOf(now, tz), 1)) &&
      prev.to.getTime() === period.from.getTime() && prev.to.getTime() - prev.from.getTime() === period.to.getTime() - period.from.getTime()
  }), { numRuns: 1000 })
})

t.test('parseLocalDate takes only real calendar dates', async (t) => {
  t.same(parseLocalDate('2024-02-29'), { year: 2024, month: 2, day: 29 })
  t.equal(parseLocalDate('2025-02-29'), null)
  t.equal(parseLocalDate('2025-13-01'), null)
  t.equal(parseLocalDate('2025-1-01'), null)
  t.equal(parseLocalDate('2025-01-01T00:00'), null)
})
