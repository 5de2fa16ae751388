import { isIP } from 'node:net'
import { lookup as lookupAll } from 'node:dns/promises'
import { guardedLookup, isRefusedAddress, refusalReason, refusedRange } from '../../lib/address-guard.js'

/**
 * URLs of webhook endpoints and notification channels: shape, then the SSRF guard
 * (src/lib/address-guard.ts) on every address the host resolves to, unless the operator
 * allows private addresses (WEBHOOK_ALLOW_PRIVATE_URLS). Checked when a URL is saved and
 * again on every connection (guardedLookup), so a name that later resolves elsewhere
 * (DNS rebinding) is refused too.
 */
export { guardedLookup }

/** True for an address an outbound request may not reach by default (the shared guard). */
export const isPrivateAddress = isRefusedAddress

export type UrlProblem = { code: 'INVALID_URL' | 'PRIVATE_ADDRESS' | 'UNRESOLVABLE'; message: string }

/** Shape of an endpoint URL: absolute http(s), no credentials, at most 2,048 characters. */
export function urlSyntaxProblem(raw: string): UrlProblem | null {
  if (raw.length > 2048) return { code: 'INVALID_URL', message: 'URL longer than 2048 characters' }
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return { code: 'INVALID_URL', message: 'not an absolute URL' }
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { code: 'INVALID_URL', message: 'URL must be http or https' }
  if (url.username || url.password) return { code: 'INVALID_URL', message: 'URL must not carry credentials' }
  if (!url.hostname) return { code: 'INVALID_URL', message: 'URL has no host' }
  return null
}

/** Syntax, then every address the host resolves to (all of them must be public unless allowed). */
export async function urlProblem(raw: string, allowPrivate: boolean): Promise<UrlProblem | null> {
  const syntax = urlSyntaxProblem(raw)
  if (syntax || allowPrivate) return syntax
  const host = new URL(raw).hostname.replace(/^\[|\]$/g, '')
  let addresses: string[]
  try {
    addresses = isIP(host) ? [host] : (await lookupAll(host, { all: true, verbatim: true })).map((a) => a.address)
  } catch {
    return { code: 'UNRESOLVABLE', message: `host ${host} does not resolve` }
  }
  for (const address of addresses) {
    const range = refusedRange(address)
    if (range) return { code: 'PRIVATE_ADDRESS', message: refusalReason(host, address, range) }
  }
  return null
}
