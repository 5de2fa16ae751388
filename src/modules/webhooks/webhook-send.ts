import http from 'node:http'
import https from 'node:https'
import { isIP } from 'node:net'
import { guardedLookup, isPrivateAddress } from './webhook-url.js'

/** What one POST to an endpoint came to: an HTTP status, or an error (timeout, network, SSRF guard). */
export type SendResult = {
  statusCode: number | null
  retryAfter: string | null
  excerpt: string | null
  error: string | null
  latencyMs: number
}

export type SendOptions = { timeoutMs: number; allowPrivate: boolean }

const EXCERPT_CHARS = 1024
// Kept-alive connections: a busy endpoint is not re-dialled (and re-resolved) for every event.
const agents = { http: new http.Agent({ keepAlive: true, maxSockets: 64 }), https: new https.Agent({ keepAlive: true, maxSockets: 64 }) }

/**
 * POSTs one signed body. Redirects are not followed (a 3xx is a failed attempt, retried),
 * the timeout covers connecting, sending and reading the answer, and only the first 1,024
 * characters of the answer are kept. Never throws.
 */
export function sendWebhook(url: string, headers: Record<string, string>, body: string, opts: SendOptions): Promise<SendResult> {
  const started = performance.now()
  const target = new URL(url)
  const client = target.protocol === 'https:' ? https : http
  const host = target.hostname.replace(/^\[|\]$/g, '')
  // An IP literal is connected to without a lookup: check it here.
  if (!opts.allowPrivate && isIP(host) && isPrivateAddress(host)) {
    return Promise.resolve({ statusCode: null, retryAfter: null, excerpt: null, error: `refused: ${host} is a private address`, latencyMs: 0 })
  }
  return new Promise((resolve) => {
    let settled = false
    const finish = (r: Omit<SendResult, 'latencyMs'>) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resolve({ ...r, excerpt: storable(r.excerpt), error: storable(r.error), latencyMs: Math.round(performance.now() - started) })
    }
    const req = client.request(target, {
      method: 'POST',
      agent: target.protocol === 'https:' ? agents.https : agents.http,
      lookup: guardedLookup(opts.allowPrivate),
      headers: { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'referral-crm-webhooks/1' }
    }, (res) => {
      let excerpt = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        if (excerpt.length < EXCERPT_CHARS) excerpt += chunk.slice(0, EXCERPT_CHARS - excerpt.length)
      })
      res.on('end', () => finish({ statusCode: res.statusCode ?? null, retryAfter: headerText(res.headers['retry-after']), excerpt, error: null }))
      res.on('error', (err) => finish({ statusCode: res.statusCode ?? null, retryAfter: null, excerpt, error: err.message }))
      // Cut off mid-answer (the timeout, a reset): a no-op after 'end'.
      res.on('close', () => finish({ statusCode: null, retryAfter: null, excerpt, error: 'connection closed before the answer ended' }))
    })
    const timer = setTimeout(() => {
      req.destroy(new Error(`timed out after ${opts.timeoutMs} ms`))
    }, opts.timeoutMs)
    req.on('error', (err) => finish({ statusCode: null, retryAfter: null, excerpt: null, error: err.message }))
    req.end(body)
  })
}

/**
 * Text a receiver chose, made safe to store: PostgreSQL text refuses NUL, and a cut at
 * 1,024 UTF-16 units may split a surrogate pair (an emoji), which jsonb refuses too.
 */
export function storable(text: string | null): string | null {
  if (text === null) return null
  return text.replace(/\u0000/g, '').replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '')
}

function headerText(value: string | string[] | undefined): string | null {
  if (value === undefined) return null
  return Array.isArray(value) ? value[0] ?? null : value
}
