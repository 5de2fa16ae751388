import { lookup } from 'node:dns/promises'
import { isIP } from 'node:net'
import nodemailer, { type Transporter } from 'nodemailer'
import { storable } from '../../webhooks/webhook-send.js'
import { refusalReason, refusedRange } from '../../../lib/address-guard.js'
import { EXCERPT_CHARS } from '../../webhooks/webhook-excerpt.js'
import { refused, type Adapter, type AdapterResult } from './types.js'

/**
 * The address to connect to for an SMTP host: resolved here and checked by the SSRF guard,
 * then connected to by IP (TLS still verifies the host name), so a name that resolves
 * elsewhere at connect time (DNS rebinding) cannot slip past the check.
 */
async function guardedAddress(host: string, allowPrivate: boolean): Promise<string> {
  const bare = host.replace(/^\[|\]$/g, '')
  const addresses = isIP(bare) ? [bare] : (await lookup(bare, { all: true, verbatim: true })).map((a) => a.address)
  for (const address of allowPrivate ? [] : addresses) {
    const range = refusedRange(address)
    if (range) throw Object.assign(new Error(`refused: ${refusalReason(host, address, range)}`), { code: 'PRIVATE_ADDRESS' })
  }
  return addresses[0]
}

/**
 * Email over SMTP (nodemailer): one session per message with `text` and `html`, From the
 * channel's `from`. STARTTLS is used when the server offers it (`secure`: TLS from the first
 * byte, port 465). The reply code is the status: 250 sent; a 5xx reply fails at once; 4xx
 * replies, timeouts and network errors are retried.
 */
export const sendEmail: Adapter = async (channel, to, content, ctx) => {
  const { host, port, secure, from, username } = channel.config as { host?: string; port?: number; secure?: boolean; from?: string; username?: string }
  if (!host || !from) return refused('the channel has no host or from address')
  if (!to.email) return refused('the recipient has no email address')
  const started = performance.now()
  const took = () => Math.round(performance.now() - started)
  let transport: Transporter | undefined
  let timer: NodeJS.Timeout | undefined
  try {
    const address = await guardedAddress(host, ctx.allowPrivate)
    transport = nodemailer.createTransport({
      host: address, port: port ?? (secure ? 465 : 587), secure: secure ?? false,
      ...(username ? { auth: { user: username, pass: channel.secrets.password ?? '' } } : {}),
      tls: { servername: isIP(host) ? undefined : host },
      connectionTimeout: ctx.timeoutMs, greetingTimeout: ctx.timeoutMs, socketTimeout: ctx.timeoutMs
    })
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ctx.timeoutMs} ms`)), ctx.timeoutMs)
    })
    const info = await Promise.race([
      transport.sendMail({ from, to: to.email, subject: content.subject ?? content.title ?? '', text: content.text, ...(content.html ? { html: content.html } : {}) }),
      timeout
    ])
    const response = String(info.response ?? '')
    const code = Number(/^(\d{3})/.exec(response)?.[1] ?? 250)
    return { ok: true, statusCode: code, error: null, providerMessageId: info.messageId ?? null, excerpt: storable(response.slice(0, EXCERPT_CHARS)), latencyMs: took(), retryable: false }
  } catch (err) {
    const e = err as { message?: string; responseCode?: number; response?: string; code?: string }
    if (e.code === 'PRIVATE_ADDRESS') return { ...refused(e.message ?? 'refused'), latencyMs: took() }
    const code = typeof e.responseCode === 'number' ? e.responseCode : null
    const result: AdapterResult = {
      ok: false, statusCode: code, error: storable(e.message ?? String(err)), providerMessageId: null,
      excerpt: e.response ? storable(e.response.slice(0, EXCERPT_CHARS)) : null, latencyMs: took(),
      retryable: code === null || code < 500
    }
    return result
  } finally {
    clearTimeout(timer)
    transport?.close()
  }
}
