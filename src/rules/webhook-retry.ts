/**
 * What happens after a webhook attempt (docs/webhooks.md, Retries). The schedule is the
 * Standard Webhooks one: the first attempt at once, then retries 5 s, 5 min, 30 min, 2 h,
 * 5 h, 10 h, 14 h, 20 h and 24 h after the previous failure; after the tenth failure the
 * delivery has failed. Timeouts, network errors, 3xx, 429 and 5xx are retried, a
 * `Retry-After` answer postpones the retry to at least then; 410 Gone stops the delivery
 * and disables the endpoint; other answers below 200 or from 400 fail the delivery at once.
 * An endpoint failing without a success for `disableAfterMs` (5 days) is disabled.
 */

const SECOND = 1000
const MINUTE = 60 * SECOND
const HOUR = 60 * MINUTE

/** Delay before retry n (index 0 = the wait after the first failure). */
export const retryDelaysMs: readonly number[] = [5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR, 14 * HOUR, 20 * HOUR, 24 * HOUR]
export const maxAttempts = retryDelaysMs.length + 1
export const disableAfterMs = 5 * 24 * HOUR
/** A Retry-After further out than this is capped: a consumer cannot park a delivery for ever. */
export const maxRetryAfterMs = 24 * HOUR

/** An attempt's outcome: an HTTP status, or none (timeout, refused, reset, DNS, SSRF guard). */
export type AttemptOutcome = { statusCode: number | null; retryAfter?: string | null }

export type NextStep =
  | { kind: 'succeeded' }
  | { kind: 'retry'; at: Date; step: number }
  | { kind: 'failed'; reason: 'exhausted' | 'rejected' | 'gone' }

export function isSuccess(statusCode: number | null): boolean {
  return statusCode !== null && statusCode >= 200 && statusCode < 300
}

export function isRetryable(statusCode: number | null): boolean {
  if (statusCode === null) return true
  return (statusCode >= 300 && statusCode < 400) || statusCode === 429 || statusCode >= 500
}

/**
 * Retry-After as milliseconds from `now`: delay-seconds or an HTTP date; null when absent or
 * unreadable; never negative, at most maxRetryAfterMs.
 */
export function retryAfterMs(value: string | null | undefined, now: Date): number | null {
  if (value == null) return null
  const text = value.trim()
  let ms: number
  if (/^\d+$/.test(text)) ms = Number(text) * SECOND
  else {
    // An HTTP date names its day or month; Date.parse alone would read "-5" as a year.
    const at = /[a-z]/i.test(text) ? Date.parse(text) : Number.NaN
    if (Number.isNaN(at)) return null
    ms = at - now.getTime()
  }
  return Math.min(Math.max(ms, 0), maxRetryAfterMs)
}

/** `step` = failures so far on the current schedule (0 before the first attempt). */
export function nextStep(outcome: AttemptOutcome, step: number, now: Date): NextStep {
  if (isSuccess(outcome.statusCode)) return { kind: 'succeeded' }
  if (outcome.statusCode === 410) return { kind: 'failed', reason: 'gone' }
  if (!isRetryable(outcome.statusCode)) return { kind: 'failed', reason: 'rejected' }
  if (step >= retryDelaysMs.length) return { kind: 'failed', reason: 'exhausted' }
  const wait = Math.max(retryDelaysMs[step], retryAfterMs(outcome.retryAfter, now) ?? 0)
  return { kind: 'retry', at: new Date(now.getTime() + wait), step: step + 1 }
}

/** Whether an endpoint failing since `failingSince` is disabled by a failure at `now`. */
export function failingTooLong(failingSince: Date | null, now: Date): boolean {
  return failingSince !== null && now.getTime() - failingSince.getTime() >= disableAfterMs
}
