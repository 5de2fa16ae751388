import { sendWebhook } from '../../webhooks/webhook-send.js'
import { isRetryable, isSuccess } from '../../../rules/webhook-retry.js'
import type { AdapterResult, SendContext } from './types.js'

/**
 * POSTs a JSON body through the webhook sender: the SSRF guard on the address actually
 * connected to, the timeout over the whole exchange, no redirects; the answer is read
 * only when it is text or JSON, and only a short excerpt of it is stored. Never throws.
 */
export async function postJson(url: string, body: unknown, headers: Record<string, string>, ctx: SendContext) {
  return sendWebhook(url, headers, JSON.stringify(body), { timeoutMs: ctx.timeoutMs, allowPrivate: ctx.allowPrivate })
}

/** The answer as JSON, or null when it is not (or was cut at 4,096 characters). */
export function answerJson(answer: string | null): Record<string, unknown> | null {
  if (!answer) return null
  try {
    const v = JSON.parse(answer) as unknown
    return v && typeof v === 'object' && !Array.isArray(v) ? v as Record<string, unknown> : null
  } catch {
    return null
  }
}

// Robot error codes worth trying again: system busy (-1), sent too often (WeCom 45009, DingTalk 130101 and 410100).
const RETRYABLE_ERRCODES: ReadonlySet<number> = new Set([-1, 45009, 130101, 410100])

/**
 * A WeCom or DingTalk robot's answer: success is HTTP 200 with `errcode` 0; another errcode
 * fails the attempt with `errcode errmsg` as the error (retried only when it means busy or
 * too often); HTTP errors follow the webhook rules (5xx, 429, timeouts retried).
 */
export function robotResult(sent: Awaited<ReturnType<typeof sendWebhook>>): AdapterResult {
  const base = { statusCode: sent.statusCode, excerpt: sent.excerpt, latencyMs: sent.latencyMs, providerMessageId: null, retryAfter: sent.retryAfter }
  if (!isSuccess(sent.statusCode)) {
    return { ...base, ok: false, error: sent.error ?? `HTTP ${sent.statusCode}`, retryable: isRetryable(sent.statusCode) }
  }
  const answer = answerJson(sent.answer)
  const errcode = answer ? Number(answer.errcode) : Number.NaN
  if (errcode === 0) return { ...base, ok: true, error: null, retryable: false }
  if (Number.isNaN(errcode)) return { ...base, ok: false, error: 'the robot answered without an errcode', retryable: true }
  return { ...base, ok: false, error: `errcode ${errcode}: ${String(answer?.errmsg ?? '')}`.trim(), retryable: RETRYABLE_ERRCODES.has(errcode) }
}
