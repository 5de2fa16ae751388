import t from 'tap'
import fc from 'fast-check'
import { failingTooLong, isRetryable, maxAttempts, nextStep, retryAfterMs, retryDelaysMs } from '../../src/rules/webhook-retry.js'

const now = new Date('2026-03-01T12:00:00Z')

t.test('the schedule is the Standard Webhooks one', async (t) => {
  t.same(retryDelaysMs.map((ms) => ms / 1000), [5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400])
  t.equal(maxAttempts, 10)
})

t.test('which answers are retried', async (t) => {
  for (const code of [null, 300, 301, 302, 307, 308, 429, 500, 502, 503, 504, 599]) t.ok(isRetryable(code), `${code} retried`)
  for (const code of [400, 401, 403, 404, 409, 410, 422]) t.notOk(isRetryable(code), `${code} not retried`)
  t.same(nextStep({ statusCode: 410 }, 0, now), { kind: 'failed', reason: 'gone' })
  t.same(nextStep({ statusCode: 404 }, 3, now), { kind: 'failed', reason: 'rejected' })
  t.same(nextStep({ statusCode: 201 }, 9, now), { kind: 'succeeded' })
  t.same(nextStep({ statusCode: 500 }, 9, now), { kind: 'failed', reason: 'exhausted' })
})

t.test('Retry-After', async (t) => {
  t.equal(retryAfterMs('120', now), 120_000)
  t.equal(retryAfterMs(' 7 ', now), 7000)
  t.equal(retryAfterMs(new Date(now.getTime() + 90_000).toUTCString(), now), 90_000)
  t.equal(retryAfterMs(new Date(now.getTime() - 90_000).toUTCString(), now), 0, 'a date in the past is now')
  t.equal(retryAfterMs('999999999', now), 86_400_000, 'capped at 24 h')
  t.equal(retryAfterMs('soon', now), null)
  t.equal(retryAfterMs('-5', now), null)
  t.equal(retryAfterMs(null, now), null)
})

t.test('property: a retry is never sooner than the schedule or Retry-After, and each failure moves one step', async (t) => {
  fc.assert(fc.property(
    fc.integer({ min: 0, max: retryDelaysMs.length - 1 }),
    fc.oneof(fc.constant(null), fc.constantFrom(300, 302, 429, 500, 503, 599)),
    fc.option(fc.integer({ min: 0, max: 200_000 }), { nil: undefined }),
    (step, statusCode, after) => {
      const next = nextStep({ statusCode, retryAfter: after === undefined ? null : String(after) }, step, now)
      if (next.kind !== 'retry') return false
      const wait = next.at.getTime() - now.getTime()
      return next.step === step + 1 && wait >= retryDelaysMs[step] && wait >= Math.min((after ?? 0) * 1000, 86_400_000) && wait <= 86_400_000
    }
  ))
})

t.test('property: following the schedule through, a delivery gets exactly ten attempts over about 75.6 hours', async (t) => {
  fc.assert(fc.property(fc.array(fc.constantFrom(null, 302, 429, 500, 503), { minLength: 10, maxLength: 10 }), (codes) => {
    let step = 0
    let clock = now
    let attempts = 0
    for (const code of codes) {
      attempts++
      const next = nextStep({ statusCode: code }, step, clock)
      if (next.kind === 'failed') return attempts === 10 && next.reason === 'exhausted' && clock.getTime() - now.getTime() === retryDelaysMs.reduce((a, b) => a + b, 0)
      if (next.kind !== 'retry') return false
      step = next.step
      clock = next.at
    }
    return false
  }))
})

t.test('five days of failures disable an endpoint', async (t) => {
  t.notOk(failingTooLong(null, now))
  t.notOk(failingTooLong(new Date(now.getTime() - 5 * 86_400_000 + 1), now))
  t.ok(failingTooLong(new Date(now.getTime() - 5 * 86_400_000), now))
})
