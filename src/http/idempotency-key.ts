import { createHash } from 'node:crypto'
import { CrmError } from '../errors.js'
import type { Actor } from '../modules/auth/actor.js'
import { canonicalJson } from '../lib/canonical-json.js'

/** 1–255 printable ASCII characters, not starting or ending with a space (a UUID is the usual choice). */
const KEY_SYNTAX = /^[\x21-\x7E](?:[\x20-\x7E]{0,253}[\x21-\x7E])?$/

const badKey = (message: string) =>
  new CrmError('CRM_ERR_VALIDATION', `Idempotency-Key ${message}`, [{ field: 'Idempotency-Key', message, code: 'INVALID_IDEMPOTENCY_KEY' }])

/** A client's key checked for syntax; anything else is a 400 naming the header. */
export function parseIdempotencyKey(value: unknown): string {
  if (typeof value !== 'string') throw badKey('must be a string')
  if (!KEY_SYNTAX.test(value)) throw badKey('must be 1 to 255 printable ASCII characters')
  return value
}

/**
 * Whose key it is: the referrer of a referrer token, else the API key behind the token,
 * else its user. Two callers never share a key space; null when the caller has none of
 * these (then the key cannot be scoped and is ignored).
 */
export function idempotencyScope(actor: Actor): string | null {
  if (actor.referrerId) return `referrer:${actor.referrerId}`
  if (actor.apiKeyId) return `key:${actor.apiKeyId}`
  if (actor.userId) return `user:${actor.userId}`
  return null
}

/** What makes two requests "the same request": everything that changes what the write does. */
export type RequestShape = {
  method: string
  /** Path and query string as sent. */
  url: string
  /** Optimistic concurrency: the same body against another version is another request. */
  ifMatch?: string | null
  body: unknown
}

/** sha256 (hex) of the request's method, URL, If-Match and canonical body. */
export function requestFingerprint(shape: RequestShape): string {
  const text = canonicalJson([shape.method.toUpperCase(), shape.url, shape.ifMatch ?? null, shape.body ?? null])
  return createHash('sha256').update(text).digest('hex')
}
