/**
 * Whether an error means the database cannot be reached or has ended the session, rather
 * than that a statement was wrong: the server is down or restarting, a failover or a DBA
 * terminated the connection, the database does not accept connections, the pool waited too
 * long. Such a failure is the same for any request, so the API answers 503 (retry later),
 * never 500. Drizzle wraps driver errors (`cause`), so the whole chain is looked at.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e = err as Failure | undefined, depth = 0; e && depth < 8; e = e.cause, depth++) {
    if (typeof e !== 'object') return false
    if (typeof e.code === 'string') {
      // SQLSTATE class 08: connection exception; 57P01–57P03: admin or crash shutdown, cannot connect now.
      if (e.code.startsWith('08') || /^57P0[1-3]$/.test(e.code) || NETWORK_CODES.has(e.code)) return true
    }
    // A FATAL error ends the session (e.g. the database does not exist or accepts no connections).
    if (e.severity === 'FATAL' || e.severity === 'PANIC') return true
    if (typeof e.message === 'string' && DRIVER_MESSAGES.some((m) => e!.message!.startsWith(m))) return true
    if (Array.isArray(e.errors) && e.errors.some(isDatabaseUnavailable)) return true
  }
  return false
}

type Failure = { code?: unknown; severity?: unknown; message?: string; cause?: Failure; errors?: unknown[] }

// Socket errors of the connection to the server (AggregateError when every address failed).
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN'])

// node-postgres and pg-pool say these without a code.
const DRIVER_MESSAGES = [
  'Connection terminated',
  'Client has encountered a connection error and is not queryable',
  'timeout exceeded when trying to connect',
  'Cannot use a pool after calling end on the pool'
]
