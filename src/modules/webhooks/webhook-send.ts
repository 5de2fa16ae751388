import http from 'node:http'
import https from 'node:https'
import { isIP } from 'node:net'
import { guardedLookup, refusalReason, refusedRange } from '../../lib/address-guard.js'
import { excerptOf, isTextAnswer } from './webhook-excerpt.js'

/** What one POST to an endpoint came to: an HTTP status, or an error (timeout, network, SSRF guard). */
export type SendResult = {
  statusCode: number | null
  retryAfter: string | null
  /** What the delivery log keeps of the answer: the start of a text answer only (webhook-excerpt.ts). */
  excerpt: string | null
  /** The start of a text answer, for a caller to read (a robot's errcode); never stored. */
  answer: string | null
  error: string | null
  latencyMs: number
}

export type SendOptions = { timeoutMs: number; allowPrivate: boolean }

// Enough of a text answer for a robot's or SMS provider's JSON reply; only its excerpt is stored.
const ANSWER_CHARS = 4096
// Kept-alive connections: a busy endpoint is not re-dialled (and re-resolved) for every event.
const agents = { http: new http.Agent({ keepAlive: true, maxSockets: 64 }), https: new https.Agent({ keepAlive: true, maxSockets: 64 }) }

/**
 * POSTs one signed body. Redirects are not followed (a 3xx is a failed attempt, retried),
 * the timeout covers connecting, sending and reading the answer, and of the answer only the
 * start of a text/plain or JSON body is read (the stored excerpt is shorter still). Never throws.
 */
export function sendWebhook(url: string, headers: Record<string, string>, body: string, opts: SendOptions): Promise<SendResult> {
  const started = performance.now()
  const target = new URL(url)
  const client = target.protocol === 'https:' ? https : http
  const host = target.hostname.replace(/^\[|\]$/g, '')
  // An IP literal is connected to without a lookup: check it here.
  const range = !opts.allowPrivate && isIP(host) ? refusedRange(host) : null
  if (range) {
    return Promise.resolve({ statusCode: null, retryAfter: null, excerpt: null, answer: null, error: `refused: ${refusalReason(host, host, range)}`, latencyMs: 0 })
  }
  return new Promise((resolve) => {
    let settled = false
    let contentType: string | undefined
    const finish = (r: Omit<SendResult, 'latencyMs' | 'excerpt'>) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      const answer = storable(r.answer)
      resolve({ ...r, answer, excerpt: excerptOf(contentType, answer), error: storable(r.error), latencyMs: Math.round(performance.now() - started) })
    }
    const req = client.request(target, {
      method: 'POST',
      agent: target.protocol === 'https:' ? agents.https : agents.http,
      lookup: guardedLookup(opts.allowPrivate),
      headers: { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'referral-crm-webhooks/1' }
    }, (res) => {
      contentType = headerText(res.headers['content-type']) ?? undefined
      // Any other media type (HTML, images…) is drained unread: it is never kept or shown.
      const text = isTextAnswer(contentType)
      let answer = text ? '' : null
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        if (answer !== null && answer.length < ANSWER_CHARS) answer += chunk.slice(0, ANSWER_CHARS - answer.length)
      })
      res.on('end', () => finish({ statusCode: res.statusCode ?? null, retryAfter: headerText(res.headers['retry-after']), answer, error: null }))
      res.on('error', (err) => finish({ statusCode: res.statusCode ?? null, retryAfter: null, answer, error: err.message }))
      // Cut off mid-answer (the timeout, a reset): a no-op after 'end'.
      res.on('close', () => finish({ statusCode: null, retryAfter: null, answer, error: 'connection closed before the answer ended' }))
    })
    const timer = setTimeout(() => {
      req.destroy(new Error(`timed out after ${opts.timeoutMs} ms`))
    }, opts.timeoutMs)
    req.on('error', (err) => finish({ statusCode: null, retryAfter: null, answer: null, error: err.message }))
    req.end(body)
  })
}

/**
 * Text a receiver chose, made safe to store: PostgreSQL text refuses NUL, and a cut at
 * a number of UTF-16 units may split a surrogate pair (an emoji), which jsonb refuses too.
 */
export function storable(text: string | null): string | null {
  if (text === null) return null
  return text.replace(/\u0000/g, '').replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '')
}

function headerText(value: string | string[] | undefined): string | null {
  if (value === undefined) return null
  return Array.isArray(value) ? value[0] ?? null : value
}
