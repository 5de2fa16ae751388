/**
 * What a log line or a stored record may say about an error thrown in the background (a job,
 * a scoring run). A query wrapper's message repeats the whole statement and its parameters,
 * which can be long and may hold values from the data; the database's own error under it
 * (its SQLSTATE code and message) says what went wrong without them.
 */
type ErrorLike = { name?: unknown; message?: unknown; code?: unknown; cause?: unknown; stack?: unknown }

const MAX_CHARS = 500
const isSqlState = (code: unknown): code is string => typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)

/** The database error somewhere in the cause chain, or the error itself. */
function innermost(err: unknown): ErrorLike {
  let e = err as ErrorLike | undefined
  for (let depth = 0; e && depth < 5; depth++) {
    if (isSqlState(e.code)) return e
    e = e.cause as ErrorLike | undefined
  }
  return (err ?? {}) as ErrorLike
}

/** "23502: null value in column …", or the error's message; one line, at most 500 characters. */
export function errorSummary(err: unknown): string {
  const e = innermost(err)
  const message = typeof e.message === 'string' ? e.message : String(err)
  const text = (isSqlState(e.code) ? `${e.code}: ${message}` : message).replace(/\s+/g, ' ').trim()
  return text.length > MAX_CHARS ? `${text.slice(0, MAX_CHARS - 1)}…` : text
}

/** The error as a log line's `err`: its type, the summary, the SQLSTATE if any, and the stack frames without the message line. */
export function loggableError(err: unknown): { type: string; message: string; code?: string; stack?: string } {
  const outer = (err ?? {}) as ErrorLike
  const code = innermost(err).code
  const frames = typeof outer.stack === 'string' ? outer.stack.split('\n').filter((l) => l.startsWith('    at ')).join('\n') : undefined
  return {
    type: typeof outer.name === 'string' ? outer.name : typeof err,
    message: errorSummary(err),
    ...(isSqlState(code) ? { code } : {}),
    ...(frames ? { stack: frames } : {})
  }
}
