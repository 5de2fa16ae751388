import fp from 'fastify-plugin'
import rateLimit, { normalizeIP } from '@fastify/rate-limit'
import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler, onSendHookHandler } from 'fastify'
import { Counter } from 'prom-client'
import { CrmError } from '../errors.js'
import { RateLimitCounters } from '../db/rate-limit-counters.js'
import { sharedStore } from '../http/rate-limit-store.js'
import type { Actor } from '../modules/auth/actor.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Count this route's client errors per client address (token issuance: brute-force guard); the value names the bucket. */
    limitFailuresPerIp?: string
  }
}

/** A limit: at most `max` per window of `windowSeconds`; `max` 0 turns it off. */
export type Limit = { max: number; windowSeconds: number }

export type RateLimitPluginOptions = {
  /** Requests per token subject (its API key, or its referrer) on every authenticated route, REST and GraphQL alike. */
  perKey: Limit
  /** Failed (4xx) answers per client address on routes marked `limitFailuresPerIp`; a success takes its count back. */
  failuresPerIp: Limit
}

type Limiter = (request: FastifyRequest) => Promise<{ isAllowed: true } | { isAllowed: false; max: number; remaining: number; ttlInSeconds: number; isExceeded: boolean }>

const PRUNE_EVERY_MS = 60_000

/**
 * Rate limits (docs/security.md, "Rate limits"): per key on the authenticated API and per client
 * address on failed token requests, counted in the database so every process shares one window
 * (src/db/rate-limit-counters.ts), with RateLimit-Policy and RateLimit headers
 * (draft-ietf-httpapi-ratelimit-headers) on each counted answer and Retry-After on a 429.
 */
export default fp<RateLimitPluginOptions>(async (app, opts) => {
  const counters = new RateLimitCounters(app.database, () => app.metrics.dbQueries.inc())
  const limited = new Counter({ name: 'rate_limited_requests_total', help: 'Requests refused with 429 by a rate limit, by policy', labelNames: ['policy'], registers: [app.metrics.registry] })
  let lastErrorLog = 0
  // A counter that cannot be written lets the request through (it would fail on the same database
  // anyway, or it is one statement lost), logged at most every 10 s.
  const Store = sharedStore(counters, (err) => {
    if (Date.now() - lastErrorLog < 10_000) return
    lastErrorLog = Date.now()
    app.log.warn({ err }, 'rate-limit counter not updated; request let through')
  })

  let perKey: Limiter | null = null
  let failures: Limiter | null = null
  // Its own scope: the limiters' decorators stay here, apart from the public routes' in-memory ones.
  await app.register(async (scope) => {
    await scope.register(rateLimit, { global: false, store: Store, skipOnError: true })
    if (opts.perKey.max > 0) {
      perKey = scope.createRateLimit({ max: opts.perKey.max, timeWindow: opts.perKey.windowSeconds * 1000, keyGenerator: (r) => `api:${subjectOf(r.actor!)}` })
    }
    if (opts.failuresPerIp.max > 0) {
      failures = scope.createRateLimit({
        max: opts.failuresPerIp.max, timeWindow: opts.failuresPerIp.windowSeconds * 1000,
        keyGenerator: (r) => `failures:${r.routeOptions.config.limitFailuresPerIp}:${normalizeIP(r.ip)}`
      })
    }
  })

  const apply = async (limiter: Limiter, policy: string, request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const result = await limiter(request)
    if (result.isAllowed) return
    const window = policy === 'api' ? opts.perKey.windowSeconds : opts.failuresPerIp.windowSeconds
    append(reply, 'ratelimit-policy', `"${policy}";q=${result.max};w=${window}`)
    append(reply, 'ratelimit', `"${policy}";r=${result.remaining};t=${result.ttlInSeconds}`)
    if (!result.isExceeded) return
    limited.inc({ policy })
    reply.header('retry-after', String(result.ttlInSeconds))
    throw new CrmError('CRM_ERR_RATE_LIMITED', policy === 'api'
      ? `Too many requests for this API key; retry in ${result.ttlInSeconds} s`
      : `Too many failed requests from this address; retry in ${result.ttlInSeconds} s`)
  }

  if (perKey) {
    const limiter: Limiter = perKey
    // After the auth plugin's hook: the actor is known. Public routes and unknown URLs are not counted here.
    app.addHook('onRequest', async (request, reply) => {
      if (!request.actor || request.is404 || request.routeOptions.config?.public === true) return
      await apply(limiter, 'api', request, reply)
    })
  }

  if (failures) {
    const limiter: Limiter = failures
    // Counted before the handler runs, so concurrent guesses cannot outrun the count; a success (or
    // our own 5xx) takes its hit back before the answer leaves.
    const counted = new WeakSet<FastifyRequest>()
    const count: onRequestAsyncHookHandler = async (request, reply) => {
      counted.add(request)
      await apply(limiter, 'auth-failures', request, reply)
    }
    const settle: onSendHookHandler = async (request, reply) => {
      // Refused earlier (a bad bearer token, the per-key limit): nothing was counted to take back.
      if (!counted.has(request) || (reply.statusCode >= 400 && reply.statusCode < 500)) return
      await counters.refund(`failures:${request.routeOptions.config.limitFailuresPerIp}:${normalizeIP(request.ip)}`).catch(() => undefined)
    }
    app.addHook('onRoute', (route) => {
      if (!route.config?.limitFailuresPerIp) return
      route.onRequest = [...toList(route.onRequest), count]
      route.onSend = [...toList(route.onSend), settle]
    })
  }

  if (perKey || failures) {
    const timer = setInterval(() => { counters.prune().catch(() => undefined) }, PRUNE_EVERY_MS)
    timer.unref()
    app.addHook('onClose', async () => { clearInterval(timer) })
  }
}, { name: 'rate-limits', dependencies: ['db', 'metrics', 'auth'] })

/** Whose allowance a request spends: a referrer token's referrer, else the token's API key. */
function subjectOf(actor: Actor): string {
  if (actor.referrerId) return `referrer:${actor.referrerId}`
  if (actor.apiKeyId) return `key:${actor.apiKeyId}`
  // Tokens without a key id are not issued here (only signed by hand with the secret, as tests do).
  return `user:${actor.userId ?? actor.role}`
}

function append(reply: FastifyReply, name: string, value: string): void {
  const existing = reply.getHeader(name)
  reply.header(name, existing ? `${String(existing)}, ${value}` : value)
}

function toList<T>(hooks: T | T[] | undefined): T[] {
  return hooks === undefined ? [] : Array.isArray(hooks) ? hooks : [hooks]
}
