import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type } from '@sinclair/typebox'
import { CrmError } from '../errors.js'

/** The problem+json shape, for OpenAPI. */
export const ProblemSchema = Type.Object({
  type: Type.String(), title: Type.String(), status: Type.Integer(), code: Type.String(), detail: Type.String(),
  errors: Type.Optional(Type.Array(Type.Object({ field: Type.Union([Type.String(), Type.Null()]), message: Type.String(), code: Type.String(), existingId: Type.Optional(Type.String()) }))),
  instance: Type.Optional(Type.String())
}, { $id: 'Problem' })

/** Error responses every authenticated route may give, for OpenAPI. */
export const errorResponses = {
  400: Type.Ref('Problem'), 401: Type.Ref('Problem'), 403: Type.Ref('Problem'), 404: Type.Ref('Problem'),
  409: Type.Ref('Problem'), 412: Type.Ref('Problem'), 422: Type.Ref('Problem'), 429: Type.Ref('Problem')
}

/** `If-Match: 3`, `"3"` or `W/"3"` → 3; absent → undefined; anything else → 400. */
export function ifMatchVersion(request: FastifyRequest): number | undefined {
  const header = request.headers['if-match']
  if (header === undefined) return undefined
  const m = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(String(header))
  if (!m) throw new CrmError('CRM_ERR_VALIDATION', 'If-Match must carry the record version, e.g. If-Match: "3"', [{ field: 'If-Match', message: 'is not a version', code: 'INVALID' }])
  return Number(m[1])
}

/** Sets ETag from the record version, so a client can send it back as If-Match. */
export function withEtag<T extends { version: number }>(reply: FastifyReply, record: T): T {
  reply.header('etag', `"${record.version}"`)
  return record
}

/** A version from If-Match, or from the body's expectedVersion, or none. */
export function expectedVersionOf(request: FastifyRequest, body: { expectedVersion?: number }): number | undefined {
  return ifMatchVersion(request) ?? body.expectedVersion
}

/** `{ data, nextCursor }` for REST lists. */
export function listBody<T>(page: { rows: T[]; hasNextPage: boolean; endCursor: string | null }) {
  return { data: page.rows, nextCursor: page.hasNextPage ? page.endCursor : null }
}

export const listResponse = <T extends import('@sinclair/typebox').TSchema>(item: T) =>
  Type.Object({ data: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) })
