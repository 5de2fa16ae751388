import type { FastifyRequest } from 'fastify'
import { CrmError } from '../errors.js'
import type { Actor } from '../modules/auth/actor.js'
import { asGraphqlBody, extensionKey, graphqlFingerprintBody, isMutation } from './idempotency-graphql.js'
import { idempotencyScope, parseIdempotencyKey, requestFingerprint } from './idempotency-key.js'

/** A request that carries a key the service honours: whose key, which key, which request. */
export type IdempotencyIntent = { scope: string; key: string; requestHash: string; graphql: boolean }

const WRITES: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])
export const GRAPHQL_PATH = '/graphql'
const REST_PREFIX = '/api/v1/'

/**
 * Whether the Idempotency-Key rules apply to this request, and with what; a malformed key
 * is a 400. They apply to authenticated REST writes under /api/v1 and GraphQL mutations.
 * Public routes (the referral form, the token exchange) and anonymous callers have no
 * scope for a key: it is ignored there. So is a key on a read or an unknown route, and on
 * a streamed body (an import), which cannot be fingerprinted without holding it in memory.
 */
export function idempotencyIntent(request: FastifyRequest): IdempotencyIntent | null {
  if (!WRITES.has(request.method) || !request.actor || request.is404 || request.routeOptions.config?.public === true) return null
  const header = request.headers['idempotency-key']
  if (request.routeOptions.url === GRAPHQL_PATH) return graphqlIntent(request, request.actor, header)
  if (header === undefined || !request.url.startsWith(REST_PREFIX)) return null
  const body: unknown = request.body
  if (typeof (body as { pipe?: unknown } | null | undefined)?.pipe === 'function') return null
  const key = parseIdempotencyKey(header)
  const scope = idempotencyScope(request.actor)
  if (!scope) return null
  const ifMatch = request.headers['if-match']
  return { scope, key, graphql: false, requestHash: requestFingerprint({ method: request.method, url: request.url, ifMatch: ifMatch ?? null, body }) }
}

function graphqlIntent(request: FastifyRequest, actor: Actor, header: string | string[] | undefined): IdempotencyIntent | null {
  const body = asGraphqlBody(request.body)
  const fromExtension = body ? extensionKey(body) : undefined
  if (header === undefined && fromExtension === undefined) return null
  if (!body || !isMutation(body)) return null
  if (header !== undefined && fromExtension !== undefined && header !== fromExtension) {
    throw new CrmError('CRM_ERR_VALIDATION', 'The Idempotency-Key header and extensions.idempotencyKey differ: send one key',
      [{ field: 'Idempotency-Key', message: 'differs from extensions.idempotencyKey', code: 'INVALID_IDEMPOTENCY_KEY' }])
  }
  const key = parseIdempotencyKey(header ?? fromExtension)
  const scope = idempotencyScope(actor)
  if (!scope) return null
  return { scope, key, graphql: true, requestHash: requestFingerprint({ method: request.method, url: request.url, body: graphqlFingerprintBody(body) }) }
}

/** The header as OpenAPI shows it on every write it applies to (documentation only: the plugin validates). */
export const idempotencyKeyHeader = {
  type: 'object',
  properties: {
    'idempotency-key': {
      type: 'string', minLength: 1, maxLength: 255,
      description: 'Makes the write safe to retry: a retry with the same key (same caller, same request) gets the first answer back, marked Idempotent-Replayed: true; 422 if the key was used for another request, 409 while the first still runs. Kept IDEMPOTENCY_TTL_HOURS (24 h). docs/idempotency.md'
    }
  }
} as const

/** Whether OpenAPI should show the header on this route: authenticated writes under /api/v1. */
export function documentsIdempotencyKey(url: string, method: string | string[], isPublic: boolean): boolean {
  const methods = Array.isArray(method) ? method : [method]
  return !isPublic && url.startsWith(REST_PREFIX) && methods.some((m) => WRITES.has(m.toUpperCase()))
}
