import { isUtf8 } from 'node:buffer'
import type { FastifyReply } from 'fastify'
import type { StoredResponse } from '../modules/idempotency/idempotency.service.js'

/** The headers a replay repeats: what a client reads from a write's answer. */
const KEPT_HEADERS = ['content-type', 'location', 'etag'] as const

/** Marks an answer that was stored, not computed now. */
export const REPLAYED_HEADER = 'idempotent-replayed'

// Answers that say "try again": storing them would refuse the retry they invite.
const TRANSIENT = new Set([408, 425, 429])

/**
 * The answer to store for replays, or null when the key should be released instead: a
 * 5xx or transient status, a GraphQL answer whose errors include INTERNAL or RATE_LIMITED
 * (GraphQL reports those inside a 200), or a body that is not text (a stream).
 */
export function storableResponse(reply: FastifyReply, payload: unknown, graphql: boolean): StoredResponse | null {
  const status = reply.statusCode
  if (status >= 500 || TRANSIENT.has(status)) return null
  const body = payload === undefined || payload === null ? ''
    : typeof payload === 'string' ? payload
      : Buffer.isBuffer(payload) && isUtf8(payload) ? payload.toString('utf8') : null
  if (body === null) return null
  if (graphql ? failedInside(body) : status === 409 && concurrentChange(body)) return null
  const headers: Record<string, string> = {}
  for (const name of KEPT_HEADERS) {
    const value = reply.getHeader(name)
    if (value !== undefined) headers[name] = String(value)
  }
  return { status, headers, body }
}

/** Sends the stored answer as it was, marked as a replay. */
export function sendReplay(reply: FastifyReply, response: StoredResponse): void {
  reply.code(response.status).headers(response.headers).header(REPLAYED_HEADER, 'true').send(response.body)
}

type Coded = { code?: unknown }
type GraphqlAnswer = { data?: Record<string, { userErrors?: Coded[] } | null> | null; errors?: { extensions?: { code?: unknown; fields?: Coded[] } }[] }

const CONCURRENT = 'CONCURRENT_CHANGE'

/** A GraphQL answer reporting a failure worth retrying: INTERNAL, RATE_LIMITED, or a deadlock's CONCURRENT_CHANGE. */
function failedInside(body: string): boolean {
  // Cheap test first: most answers name none of the codes.
  if (!body.includes('"INTERNAL"') && !body.includes('"RATE_LIMITED"') && !body.includes(`"${CONCURRENT}"`)) return false
  try {
    const answer = JSON.parse(body) as GraphqlAnswer
    if (answer.errors?.some((e) => e.extensions?.code === 'INTERNAL' || e.extensions?.code === 'RATE_LIMITED' || e.extensions?.fields?.some((f) => f.code === CONCURRENT))) return true
    return Object.values(answer.data ?? {}).some((p) => p?.userErrors?.some((u) => u.code === CONCURRENT) ?? false)
  } catch {
    return true
  }
}

/** A REST problem answer for a deadlock or serialization failure (http/problem.ts): the retry may well succeed. */
function concurrentChange(body: string): boolean {
  if (!body.includes(`"${CONCURRENT}"`)) return false
  try {
    const problem = JSON.parse(body) as { code?: unknown; errors?: Coded[] }
    return problem.code === 'CRM_ERR_CONFLICT' && (problem.errors?.some((e) => e.code === CONCURRENT) ?? false)
  } catch {
    return false
  }
}
