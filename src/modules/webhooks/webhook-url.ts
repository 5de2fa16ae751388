import { BlockList, isIP, type LookupFunction } from 'node:net'
import { lookup } from 'node:dns'
import { lookup as lookupAll } from 'node:dns/promises'

/**
 * The SSRF guard for webhook URLs: an endpoint may not point the service at itself or its
 * network (loopback, private, link-local incl. cloud metadata, CGNAT, multicast, unspecified)
 * unless the operator allows it (WEBHOOK_ALLOW_PRIVATE_URLS). Checked when an endpoint is
 * saved, and again on every connection, on the address actually connected to, so a name
 * that later resolves elsewhere (DNS rebinding) is refused too.
 */
const blocked4 = new BlockList()
for (const [net, bits] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4]
] as const) blocked4.addSubnet(net, bits, 'ipv4')
// Kept apart from the IPv4 list: BlockList also matches IPv4 addresses against IPv6 rules.
// 6to4 (2002::/16) and NAT64 (64:ff9b::/96, 64:ff9b:1::/48) embed an IPv4 address; fec0::/10
// is deprecated site-local, 100::/64 discard.
const blocked6 = new BlockList()
for (const [net, bits] of [
  ['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
  ['64:ff9b::', 96], ['64:ff9b:1::', 48], ['2002::', 16], ['100::', 64]
] as const) blocked6.addSubnet(net, bits, 'ipv6')

/** The eight 16-bit groups of an IPv6 address (a dotted IPv4 tail folded into the last two). */
function groups(address: string): number[] {
  let text = address.toLowerCase()
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)
  if (tail) {
    const [a, b, c, d] = tail[1].split('.').map(Number)
    text = `${text.slice(0, -tail[1].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const [head, rest] = text.split('::')
  const left = head ? head.split(':') : []
  const right = rest === undefined ? [] : rest ? rest.split(':') : []
  const fill: string[] = rest === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0')
  return [...left, ...fill, ...right].map((g) => parseInt(g, 16))
}

/** The IPv4 address an IPv6 one carries in its low 32 bits as mapped, translated or compatible; else null. */
function embeddedIpv4(address: string): string | null {
  const g = groups(address)
  const zeros = (n: number) => g.slice(0, n).every((x) => x === 0)
  const mapped = zeros(5) && g[5] === 0xffff
  const translated = zeros(4) && g[4] === 0xffff && g[5] === 0
  const compatible = zeros(6) && (g[6] !== 0 || g[7] > 1)
  if (!mapped && !translated && !compatible) return null
  return `${g[6] >> 8}.${g[6] & 255}.${g[7] >> 8}.${g[7] & 255}`
}

/** True for an address a webhook may not reach by default (one embedding an IPv4 address judged as that address). */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address)
  if (family === 0) return true
  if (family === 4) return blocked4.check(address, 'ipv4')
  const v4 = embeddedIpv4(address)
  if (v4) return blocked4.check(v4, 'ipv4')
  return blocked6.check(address, 'ipv6')
}

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
  const bad = addresses.find(isPrivateAddress)
  return bad ? { code: 'PRIVATE_ADDRESS', message: `host ${host} resolves to a loopback, private or link-local address (${bad})` } : null
}

/** A `lookup` for http.request that refuses, at connect time, the addresses urlProblem refuses. */
export function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 4)
      const list = addresses as unknown as { address: string; family: number }[]
      const bad = allowPrivate ? undefined : list.find((a) => isPrivateAddress(a.address))
      if (bad) return callback(Object.assign(new Error(`refused: ${hostname} resolves to a private address (${bad.address})`), { code: 'PRIVATE_ADDRESS' }), '', 4)
      if (options.all) return (callback as unknown as (e: null, a: typeof list) => void)(null, list)
      callback(null, list[0].address, list[0].family)
    })
  }
}
