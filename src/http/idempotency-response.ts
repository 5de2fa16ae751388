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
  if (graphql && failedInside(body)) return null
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

type GraphqlAnswer = { errors?: { extensions?: { code?: unknown } }[] }

function failedInside(body: string): boolean {
  // Cheap test first: most answers name neither code.
  if (!body.includes('"INTERNAL"') && !body.includes('"RATE_LIMITED"')) return false
  try {
    const answer = JSON.parse(body) as GraphqlAnswer
    return answer.errors?.some((e) => e.extensions?.code === 'INTERNAL' || e.extensions?.code === 'RATE_LIMITED') ?? false
  } catch {
    return true
  }
}
