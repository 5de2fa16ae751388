import type { FastifyError } from 'fastify'
import { isDatabaseUnavailable } from '../db/unavailable.js'
import { CrmError, errorCatalog, type ErrorCode, type FieldError } from '../errors.js'
import { ajvFieldErrors, type AjvIssue } from '../i18n/schema-errors.js'

/** RFC 9457 problem details, with our stable `code` and per-field `errors`. */
export type Problem = {
  type: string
  title: string
  status: number
  code: ErrorCode
  detail: string
  errors?: FieldError[]
  instance?: string
}

const statusCodes: Partial<Record<number, ErrorCode>> = {
  400: 'CRM_ERR_VALIDATION', 401: 'CRM_ERR_UNAUTHENTICATED', 403: 'CRM_ERR_FORBIDDEN', 404: 'CRM_ERR_NOT_FOUND',
  409: 'CRM_ERR_CONFLICT', 412: 'CRM_ERR_STALE_VERSION', 413: 'CRM_ERR_PAYLOAD_TOO_LARGE', 415: 'CRM_ERR_UNSUPPORTED_MEDIA_TYPE',
  422: 'CRM_ERR_INVALID_TRANSITION', 429: 'CRM_ERR_RATE_LIMITED',
  503: 'CRM_ERR_UNAVAILABLE'
}

type PgError = { code?: string; detail?: string; constraint?: string; column?: string; cause?: PgError }

function pgCause(err: unknown): PgError | null {
  const e = err as PgError
  if (typeof e?.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) return e
  if (e?.cause) return pgCause(e.cause)
  return null
}

/**
 * Maps anything thrown to a CrmError. Client mistakes that slip past validation
 * (a malformed value the database rejects, a reference to a missing row) stay 4xx.
 */
export function toCrmError(err: unknown): CrmError {
  if (err instanceof CrmError) return err
  const fe = err as FastifyError & { validation?: AjvIssue[]; validationContext?: string }
  if (fe?.validation) return new CrmError('CRM_ERR_VALIDATION', 'The request is invalid', ajvFieldErrors(fe.validation, fe.validationContext))
  if (typeof fe?.code === 'string' && /^(FST_JWT|FAST_JWT)/.test(fe.code)) {
    return new CrmError('CRM_ERR_UNAUTHENTICATED', 'The access token is missing, malformed, expired or not for this service')
  }
  // Before the SQLSTATE mapping: an unreachable database is never the client's fault, nor ours.
  if (isDatabaseUnavailable(err)) return new CrmError('CRM_ERR_DATABASE_UNAVAILABLE', 'The database is unavailable; retry shortly')
  const pgErr = pgCause(err)
  if (pgErr?.code) {
    if (pgErr.code === '23505') return new CrmError('CRM_ERR_CONFLICT', 'A record with the same unique value already exists', [{ field: constraintField(pgErr.constraint), message: 'is already taken', code: 'TAKEN' }])
    if (pgErr.code === '23503') return new CrmError('CRM_ERR_VALIDATION', 'A referenced record does not exist', [{ field: constraintField(pgErr.constraint), message: 'refers to a record that does not exist', code: 'UNKNOWN_REFERENCE' }])
    if (pgErr.code.startsWith('22')) return new CrmError('CRM_ERR_VALIDATION', 'A value is out of range or malformed', [{ field: pgErr.column ?? null, message: 'is out of range or malformed', code: 'MALFORMED' }])
    if (pgErr.code === '40001' || pgErr.code === '40P01') {
      // CONCURRENT_CHANGE: transient, so an Idempotency-Key is released for the retry this invites (http/idempotency-response.ts).
      return new CrmError('CRM_ERR_CONFLICT', 'A concurrent change conflicted with this one; retry', [{ field: null, message: 'retry the request', code: 'CONCURRENT_CHANGE' }])
    }
  }
  const status = typeof fe?.statusCode === 'number' ? fe.statusCode : 500
  if (status >= 400 && status < 500) {
    return new CrmError(statusCodes[status] ?? 'CRM_ERR_VALIDATION', fe.message)
  }
  if (status === 503) return new CrmError('CRM_ERR_UNAVAILABLE', 'The service is temporarily unavailable')
  return new CrmError('CRM_ERR_INTERNAL', 'An internal error occurred')
}

export function toProblem(err: CrmError, instance?: string): Problem {
  const entry = errorCatalog[err.code]
  return {
    type: `https://referral-crm.dev/problems/${err.code.toLowerCase().replace(/_/g, '-')}`,
    title: entry.title,
    status: entry.status,
    code: err.code,
    detail: err.message,
    ...(err.fieldErrors.length > 0 ? { errors: err.fieldErrors } : {}),
    ...(instance ? { instance } : {})
  }
}

// Unique index names follow `<table>_<column>_uq`; say the column, not the index.
function constraintField(constraint?: string): string | null {
  if (!constraint) return null
  const m = /^[a-z]+s_(.+?)_(uq|fkey|idx)$/.exec(constraint) ?? /^[a-z_]+?_([a-z_]+)_[a-z]+_id_fk$/.exec(constraint)
  return m ? m[1].replace(/_([a-z])/g, (_s, c: string) => c.toUpperCase()) : constraint
}
