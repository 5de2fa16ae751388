import fp from 'fastify-plugin'
import jwt from '@fastify/jwt'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { CrmError } from '../errors.js'
import { roles, type Actor } from '../modules/auth/actor.js'
import { actorFromClaims, type TokenClaims } from '../modules/auth/tokens.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated caller; null on public routes called without a token. */
    actor: Actor | null
  }
  interface FastifyContextConfig {
    /** Route needs no token (health, metrics, docs, token exchange, public forms). */
    public?: boolean
  }
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: TokenClaims
    user: TokenClaims
  }
}

export type AuthPluginOptions = {
  secret: string
  issuer: string
  audience: string
  ttlSeconds: number
  /** Whether an API key is still valid; checked at most once per keyStatusTtlMs per key. */
  keyIsActive: (apiKeyId: string) => Promise<boolean>
  /** Whether a referrer may still use its tokens (active, not deleted); cached like key status. */
  referrerIsActive: (referrerId: string) => Promise<boolean>
  /** How long a key's status is cached per process: the longest a revoked key's tokens still work. Default 30 s. */
  keyStatusTtlMs?: number
}

// Static assets of the docs and GraphiQL pages are public without route config.
const PUBLIC_PREFIXES = ['/docs', '/graphiql']

/**
 * Verifies the bearer token on every request (HS256 only, our issuer and audience,
 * exp required) and sets request.actor. Any bad token is a 401, never a 500.
 */
export default fp<AuthPluginOptions>(async (app, opts) => {
  await app.register(jwt, {
    secret: opts.secret,
    sign: { algorithm: 'HS256', iss: opts.issuer, aud: opts.audience, expiresIn: opts.ttlSeconds },
    verify: { algorithms: ['HS256'], allowedIss: opts.issuer, allowedAud: opts.audience, requiredClaims: ['exp', 'iss', 'aud', 'sub', 'role'] }
  })

  const keyStatusTtlMs = opts.keyStatusTtlMs ?? 30_000
  // One cache for keys ("k:<id>") and referrers ("r:<id>"): both stop a token within the same window.
  const status = new Map<string, { active: boolean; checkedAt: number }>()
  async function cachedStatus(cacheKey: string, check: () => Promise<boolean>): Promise<boolean> {
    const cached = status.get(cacheKey)
    if (cached && Date.now() - cached.checkedAt < keyStatusTtlMs) return cached.active
    const active = await check()
    if (status.size > 10_000) status.clear()
    status.set(cacheKey, { active, checkedAt: Date.now() })
    return active
  }
  const keyActive = (kid: string) => cachedStatus(`k:${kid}`, () => opts.keyIsActive(kid))
  const referrerActive = (rid: string) => cachedStatus(`r:${rid}`, () => opts.referrerIsActive(rid))

  app.decorateRequest('actor', null)
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    // An unknown route answers 404 to anyone: the route list is public in /openapi.json anyway.
    const isPublic = request.routeOptions.config?.public === true || request.is404 || PUBLIC_PREFIXES.some((p) => request.url.startsWith(p))
    if (isPublic) {
      // A stale or foreign token must not block a public call (such as fetching a new token).
      if (request.headers.authorization) request.actor = await authenticate(request).catch(() => null)
      return
    }
    try {
      request.actor = await authenticate(request)
    } catch (err) {
      reply.header('www-authenticate', request.headers.authorization ? 'Bearer error="invalid_token"' : 'Bearer')
      throw err
    }
  })

  // Tokens already verified, by their exact text, until they expire: verifying is
  // deterministic, so this skips hashing, decoding and claim checks on every request.
  const verified = new Map<string, TokenClaims & { exp: number }>()
  async function verify(request: FastifyRequest, header: string): Promise<TokenClaims & { exp: number }> {
    let claims: TokenClaims
    try {
      claims = await request.jwtVerify<TokenClaims>()
    } catch {
      throw new CrmError('CRM_ERR_UNAUTHENTICATED', 'The access token is malformed, expired or not for this service')
    }
    if (!isClaims(claims)) throw new CrmError('CRM_ERR_UNAUTHENTICATED', 'The access token is missing claims')
    if (verified.size >= 10_000) verified.clear()
    verified.set(header, claims as TokenClaims & { exp: number })
    return claims as TokenClaims & { exp: number }
  }

  async function authenticate(request: FastifyRequest): Promise<Actor> {
    const header = request.headers.authorization
    if (!header) throw new CrmError('CRM_ERR_UNAUTHENTICATED', 'Send Authorization: Bearer <accessToken> (POST /api/v1/auth/token issues one)')
    if (!/^Bearer\s+\S+$/i.test(header)) throw new CrmError('CRM_ERR_UNAUTHENTICATED', 'The Authorization header must be "Bearer <accessToken>"')
    const claims = verified.get(header) ?? await verify(request, header)
    if (claims.exp * 1000 <= Date.now()) {
      verified.delete(header)
      throw new CrmError('CRM_ERR_UNAUTHENTICATED', 'The access token is malformed, expired or not for this service')
    }
    if (claims.kid && !(await keyActive(claims.kid))) throw new CrmError('CRM_ERR_UNAUTHENTICATED', 'The API key behind this token was revoked or expired')
    // A referrer token ends with its referrer: suspended, archived or deleted referrers are out.
    if (claims.role === 'referrer' && !(await referrerActive(claims.rid!))) throw new CrmError('CRM_ERR_UNAUTHENTICATED', 'The referrer behind this token is no longer active')
    return actorFromClaims(claims, request.id)
  }
}, { name: 'auth' })

const ROLES: ReadonlySet<string> = new Set(roles)
function isClaims(c: TokenClaims): boolean {
  return typeof c.sub === 'string' && ROLES.has(c.role) && (c.role !== 'referrer' || typeof c.rid === 'string')
}

/** The caller, or 401: for handlers on routes that need a token. */
export function requireActor(request: FastifyRequest): Actor {
  if (!request.actor) throw new CrmError('CRM_ERR_UNAUTHENTICATED', 'Authentication required')
  return request.actor
}
