/**
 * The service's error codes: one list, each with its HTTP status and GraphQL
 * extensions.code. Services throw CrmError; the edges map it, exhaustively.
 */
export const errorCatalog = {
  CRM_ERR_VALIDATION: { status: 400, graphql: 'BAD_USER_INPUT', title: 'Invalid input', userError: true },
  CRM_ERR_UNAUTHENTICATED: { status: 401, graphql: 'UNAUTHENTICATED', title: 'Authentication required', userError: false },
  CRM_ERR_FORBIDDEN: { status: 403, graphql: 'FORBIDDEN', title: 'Not allowed', userError: false },
  CRM_ERR_NOT_FOUND: { status: 404, graphql: 'NOT_FOUND', title: 'Not found', userError: false },
  CRM_ERR_CONFLICT: { status: 409, graphql: 'CONFLICT', title: 'Conflict', userError: true },
  CRM_ERR_STALE_VERSION: { status: 412, graphql: 'CONFLICT', title: 'Version mismatch', userError: true },
  CRM_ERR_INVALID_TRANSITION: { status: 422, graphql: 'BAD_USER_INPUT', title: 'Not allowed in the current state', userError: true },
  // Well-formed but unusable, e.g. a webhook URL that does not resolve or points at a private network.
  CRM_ERR_UNPROCESSABLE: { status: 422, graphql: 'BAD_USER_INPUT', title: 'Cannot be used', userError: true },
  // Idempotency-Key (docs/idempotency.md): the key was first used for another request; or its first request is still running.
  CRM_ERR_IDEMPOTENCY_KEY_REUSED: { status: 422, graphql: 'BAD_USER_INPUT', title: 'Idempotency-Key already used for another request', userError: false },
  CRM_ERR_IDEMPOTENCY_KEY_IN_FLIGHT: { status: 409, graphql: 'CONFLICT', title: 'A request with this Idempotency-Key is still running', userError: false },
  CRM_ERR_PAYLOAD_TOO_LARGE: { status: 413, graphql: 'BAD_USER_INPUT', title: 'Request body too large', userError: false },
  CRM_ERR_REQUEST_TIMEOUT: { status: 408, graphql: 'BAD_USER_INPUT', title: 'Request timeout', userError: false },
  CRM_ERR_UNSUPPORTED_MEDIA_TYPE: { status: 415, graphql: 'BAD_USER_INPUT', title: 'Unsupported content type', userError: false },
  CRM_ERR_RATE_LIMITED: { status: 429, graphql: 'RATE_LIMITED', title: 'Too many requests', userError: false },
  CRM_ERR_UNAVAILABLE: { status: 503, graphql: 'INTERNAL', title: 'Service unavailable', userError: false },
  // The database is unreachable or ended the session (failover, restart): retry after Retry-After. GraphQL: INTERNAL with reason DATABASE_UNAVAILABLE.
  CRM_ERR_DATABASE_UNAVAILABLE: { status: 503, graphql: 'INTERNAL', title: 'Database unavailable', userError: false },
  CRM_ERR_INTERNAL: { status: 500, graphql: 'INTERNAL', title: 'Internal error', userError: false }
} as const satisfies Record<string, { status: number; graphql: GraphqlCode; title: string; userError: boolean }>

/** GraphQL `extensions.reason` beside the code, where the code alone (e.g. INTERNAL) would hide a retryable cause. */
export const graphqlReason: Partial<Record<ErrorCode, string>> = { CRM_ERR_DATABASE_UNAVAILABLE: 'DATABASE_UNAVAILABLE' }

/** Seconds a client should wait before retrying, sent as Retry-After with these errors. */
export const retryAfterSeconds: Partial<Record<ErrorCode, number>> = { CRM_ERR_DATABASE_UNAVAILABLE: 2 }

export type GraphqlCode = 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND' | 'BAD_USER_INPUT' | 'CONFLICT' | 'RATE_LIMITED' | 'INTERNAL'
export type ErrorCode = keyof typeof errorCatalog

/** One problem with one input field; `field` is a dotted path such as `phone` or `input.phone`. */
export type FieldError = { field: string | null; message: string; code: string; existingId?: string }

export class CrmError extends Error {
  readonly code: ErrorCode
  readonly fieldErrors: FieldError[]
  constructor(code: ErrorCode, message: string, fieldErrors: FieldError[] = []) {
    super(message)
    this.name = 'CrmError'
    this.code = code
    this.fieldErrors = fieldErrors
  }

  get status(): number { return errorCatalog[this.code].status }
}

export const notFound = (entity: string, id?: string) =>
  new CrmError('CRM_ERR_NOT_FOUND', id ? `${entity} ${id} not found` : `${entity} not found`)

export const invalid = (field: string, message: string, code = 'INVALID') =>
  new CrmError('CRM_ERR_VALIDATION', `${field}: ${message}`, [{ field, message, code }])

export const forbidden = (message = 'This action is not allowed for your role') =>
  new CrmError('CRM_ERR_FORBIDDEN', message)

export const staleVersion = (entity: string, expected: number, actual: number) =>
  new CrmError('CRM_ERR_STALE_VERSION', `${entity} is at version ${actual}, not ${expected}`,
    [{ field: 'expectedVersion', message: `current version is ${actual}`, code: 'STALE_VERSION' }])

/** Postgres unique violation (23505) on an index whose name says which field collided. */
export function uniqueViolation(err: unknown): { constraint: string } | null {
  const e = err as { code?: string; constraint?: string; cause?: { code?: string; constraint?: string } }
  const src = e?.code === '23505' ? e : e?.cause?.code === '23505' ? e.cause : null
  return src ? { constraint: src.constraint ?? '' } : null
}
