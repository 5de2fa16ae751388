import t from 'tap'
import { forEachDatabase } from '../helper.js'

const SECOND = 1000
const HOUR = 3_600_000

await forEachDatabase(t, async (t, ctx) => {
  const store = ctx.app.services.idempotency
  const answer = { status: 201, headers: { 'content-type': 'application/json' }, body: '{"id":"c1"}' }
  const lockedUntil = async (key: string) =>
    new Date((await ctx.sql<{ locked_until: Date }>('select locked_until from idempotency_keys where key = $1', [key]))[0].locked_until).getTime()

  await t.test('one claim per key: a second is told in flight, another request mismatch; the answer is then replayed', async (t) => {
    const now = new Date()
    const first = await store.claim('key:a', 'k1', 'hash-1', now)
    t.equal(first.kind, 'claimed')
    t.same(await store.claim('key:a', 'k1', 'hash-1', now), { kind: 'in_flight' })
    t.same(await store.claim('key:a', 'k1', 'hash-2', now), { kind: 'mismatch' })
    t.equal((await store.claim('key:b', 'k1', 'hash-2', now)).kind, 'claimed', 'another scope has its own keys')
    if (first.kind !== 'claimed') return
    t.equal(await store.complete(first.claim, answer), true)
    t.same(await store.claim('key:a', 'k1', 'hash-1', now), { kind: 'replay', response: answer })
  })

  await t.test('a running request renews its lock; one that stops is taken over, and its late answer is dropped', async (t) => {
    const start = new Date()
    const first = await store.claim('key:a', 'k2', 'hash', start)
    if (first.kind !== 'claimed') return t.fail('not claimed')
    t.equal(await lockedUntil('k2'), start.getTime() + store.lockMs)
    const later = new Date(start.getTime() + 50 * SECOND)
    t.equal(await store.extend(first.claim, later), true)
    t.equal(await lockedUntil('k2'), later.getTime() + store.lockMs, 'renewed from the time of renewal')
    t.same(await store.claim('key:a', 'k2', 'hash', new Date(later.getTime() + store.lockMs - SECOND)), { kind: 'in_flight' }, 'still held')
    const dead = new Date(later.getTime() + store.lockMs + SECOND)
    const second = await store.claim('key:a', 'k2', 'hash', dead)
    if (second.kind !== 'claimed') return t.fail('not taken over')
    t.equal(await store.complete(first.claim, { ...answer, body: 'late' }), false, 'the first claim no longer owns the key')
    t.equal(await store.extend(first.claim, dead), false)
    await store.release(first.claim)
    t.equal(await store.complete(second.claim, answer), true, 'releasing a lost claim leaves the new one alone')
    t.same(await store.claim('key:a', 'k2', 'hash', dead), { kind: 'replay', response: answer })
  })

  await t.test('past its TTL a record is replaced by the next claim, whatever its request', async (t) => {
    const now = new Date()
    const first = await store.claim('key:a', 'k3', 'hash-1', now)
    if (first.kind !== 'claimed') return t.fail('not claimed')
    await store.complete(first.claim, answer)
    const tomorrow = new Date(now.getTime() + 24 * HOUR + SECOND)
    t.equal((await store.claim('key:a', 'k3', 'hash-2', tomorrow)).kind, 'claimed')
  })

  await t.test('a released key is free at once', async (t) => {
    const now = new Date()
    const first = await store.claim('key:a', 'k4', 'hash-1', now)
    if (first.kind !== 'claimed') return t.fail('not claimed')
    await store.release(first.claim)
    t.equal((await store.claim('key:a', 'k4', 'hash-2', now)).kind, 'claimed')
  })
})
