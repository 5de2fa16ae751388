import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit'
import type { RateLimitCounters } from '../db/rate-limit-counters.js'

// Keys remembered as over their limit, at most: past this the memo starts again (each key then
// costs one more statement to be remembered again).
const MAX_BLOCKED = 10_000

/**
 * @fastify/rate-limit's store over the counters in the database, so every process counts against
 * the same windows. A key found over its limit is remembered here until its window ends: this
 * process refuses it without a statement meanwhile, so a flood costs the database one statement
 * per key and window in each process, not one per request.
 */
export function sharedStore(counters: RateLimitCounters, onError: (err: unknown) => void): FastifyRateLimitStoreCtor {
  const blocked = new Map<string, number>()
  return class SharedStore implements FastifyRateLimitStore {
    incr(key: string, done: (error: Error | null, result?: { current: number; ttl: number }) => void, timeWindow: number, max: number): void {
      const now = Date.now()
      const until = blocked.get(key)
      if (until !== undefined) {
        if (until > now) return done(null, { current: max + 1, ttl: until - now })
        blocked.delete(key)
      }
      counters.hit(key, timeWindow).then((state) => {
        if (state.current > max) {
          if (blocked.size >= MAX_BLOCKED) blocked.clear()
          blocked.set(key, now + state.ttl)
        }
        done(null, state)
      }, (err: Error) => {
        onError(err)
        done(err)
      })
    }

    child(): FastifyRateLimitStore {
      return this
    }
  }
}
