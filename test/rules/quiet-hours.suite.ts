import t from 'tap'
import fc from 'fast-check'
import { defaultQuietHours, isQuietMinute, localMinuteOf, parseTimeOfDay, quietUntil, type QuietHours } from '../../src/rules/quiet-hours.js'

const DAY = 86_400_000
const zones = ['Asia/Shanghai', 'Asia/Tokyo', 'Asia/Kolkata', 'UTC', 'America/New_York', 'Europe/Berlin'] as const
const arbInstant = fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2035, 0, 1) }).map((ms) => new Date(ms))
const arbQuiet = fc.record({ startMinute: fc.integer({ min: 0, max: 1439 }), endMinute: fc.integer({ min: 0, max: 1439 }) })

t.test('the default window is 21:00–09:00 in the given zone', async (t) => {
  const shanghai = (h: number, m = 0) => new Date(Date.UTC(2030, 4, 1, h - 8, m))
  t.equal(quietUntil(shanghai(20, 59), 'Asia/Shanghai'), null, '20:59 may send')
  t.equal(quietUntil(shanghai(21, 0), 'Asia/Shanghai')?.toISOString(), '2030-05-02T01:00:00.000Z', '21:00 waits for 09:00 next day')
  t.equal(quietUntil(shanghai(8, 59), 'Asia/Shanghai')?.toISOString(), '2030-05-01T01:00:00.000Z', '08:59 waits for 09:00 the same day')
  t.equal(quietUntil(shanghai(9, 0), 'Asia/Shanghai'), null, '09:00 may send')
  t.equal(quietUntil(shanghai(12), 'Asia/Tokyo'), null, '13:00 in Tokyo')
  t.equal(quietUntil(new Date('2030-05-01T12:30:00Z'), 'Asia/Tokyo')?.toISOString(), '2030-05-02T00:00:00.000Z', '21:30 in Tokyo → 09:00 Tokyo')
  t.equal(quietUntil(shanghai(23), 'Asia/Shanghai', { startMinute: 600, endMinute: 600 }), null, 'start = end: no quiet hours')
  t.equal(quietUntil(shanghai(13), 'Asia/Shanghai', { startMinute: 720, endMinute: 840 })?.toISOString(), shanghai(14).toISOString(), 'a daytime window')
})

t.test('parseTimeOfDay reads HH:MM only', async (t) => {
  t.equal(parseTimeOfDay('21:00'), 1260)
  t.equal(parseTimeOfDay('09:05'), 545)
  for (const bad of ['9:00', '24:00', '12:60', '', '12:00:00']) t.equal(parseTimeOfDay(bad), null, bad)
})

t.test('property: null exactly outside the window; otherwise a later instant at the window end, within a day', async (t) => {
  fc.assert(fc.property(arbInstant, fc.constantFrom(...zones), arbQuiet, (now, zone, q: QuietHours) => {
    const until = quietUntil(now, zone, q)
    const quiet = isQuietMinute(localMinuteOf(now, zone), q)
    if (!quiet) return until === null
    // A daylight-saving jump may end the window early (null); otherwise the end is ahead, at most a day (+1 h of DST).
    if (until === null) return true
    const wait = until.getTime() - now.getTime()
    return wait > 0 && wait <= DAY + 3_600_000 && !isQuietMinute(localMinuteOf(until, zone), q)
  }), { numRuns: 2000 })
})

t.test('property: in a fixed-offset zone the default window always ends at 09:00 local and the send time is not quiet', async (t) => {
  fc.assert(fc.property(arbInstant, fc.constantFrom('Asia/Shanghai', 'Asia/Kolkata', 'UTC'), (now, zone) => {
    const until = quietUntil(now, zone, defaultQuietHours)
    return until === null ? !isQuietMinute(localMinuteOf(now, zone), defaultQuietHours) : localMinuteOf(until, zone) === 540
  }), { numRuns: 2000 })
})
