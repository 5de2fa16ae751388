import { isIP, type LookupFunction } from 'node:net'
import { lookup } from 'node:dns'
import ipaddr from 'ipaddr.js'
import { embeddings, refusedIpv4, refusedIpv6, type SpecialRange } from './special-purpose-ranges.js'

/**
 * The one SSRF guard for every outbound request the service makes on a client's behalf
 * (webhooks, notification robots, SMS providers, SMTP): an address in a special-purpose
 * block that is not globally reachable (src/lib/special-purpose-ranges.ts) is refused, an
 * IPv6 address wrapping an IPv4 one is judged as that IPv4 address. Used when a URL is saved
 * and again at connect time, on the addresses DNS actually gave.
 */
type Parsed<T> = SpecialRange & { net: [T, number] }
const v4 = refusedIpv4.map((r): Parsed<ipaddr.IPv4> => ({ ...r, net: ipaddr.IPv4.parseCIDR(r.cidr) }))
const v6 = refusedIpv6.map((r): Parsed<ipaddr.IPv6> => ({ ...r, net: ipaddr.IPv6.parseCIDR(r.cidr) }))
const wraps = embeddings.map((r) => ({ ...r, net: ipaddr.IPv6.parseCIDR(r.cidr) }))

/** Why an address is refused: the most specific block it falls in; null when it may be reached. */
export function refusedRange(address: string): SpecialRange | null {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '')
  const family = isIP(bare)
  if (family === 0) return { cidr: address, name: 'not an IP address', rfc: '' }
  if (family === 4) return mostSpecific(v4, ipaddr.IPv4.parse(bare))
  const ip = ipaddr.IPv6.parse(bare)
  const refused = mostSpecific(v6, ip)
  if (refused) return refused
  const wrap = wraps.find((w) => ip.match(w.net))
  if (!wrap) return null
  const p = ip.parts
  return mostSpecific(v4, new ipaddr.IPv4([p[wrap.at] >> 8, p[wrap.at] & 255, p[wrap.at + 1] >> 8, p[wrap.at + 1] & 255]))
}

function mostSpecific<T extends ipaddr.IPv4 | ipaddr.IPv6>(list: Parsed<T>[], ip: T): SpecialRange | null {
  let best: Parsed<T> | null = null
  for (const r of list) if (ip.match(r.net) && (!best || r.net[1] > best.net[1])) best = r
  return best && { cidr: best.cidr, name: best.name, rfc: best.rfc }
}

/** True for an address no outbound request may reach (unless the operator allows private addresses). */
export function isRefusedAddress(address: string): boolean {
  return refusedRange(address) !== null
}

/** The refusal's wording, naming the block (docs/security.md lists them). */
export function refusalReason(host: string, address: string, range: SpecialRange): string {
  return `host ${host} resolves to ${address} (${range.cidr} ${range.name}), which is not globally reachable`
}

/**
 * A `lookup` for http.request (or any socket) that refuses, at connect time, what the guard
 * refuses. `resolve` is the system resolver (a test passes its own).
 */
export function guardedLookup(allowPrivate: boolean, resolve: typeof lookup = lookup): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 4)
      const list = addresses as unknown as { address: string; family: number }[]
      if (list.length === 0) return callback(Object.assign(new Error(`host ${hostname} does not resolve`), { code: 'ENOTFOUND' }), '', 4)
      for (const a of allowPrivate ? [] : list) {
        const range = refusedRange(a.address)
        if (range) return callback(Object.assign(new Error(`refused: ${refusalReason(hostname, a.address, range)}`), { code: 'PRIVATE_ADDRESS' }), '', 4)
      }
      if (options.all) return (callback as unknown as (e: null, a: typeof list) => void)(null, list)
      callback(null, list[0].address, list[0].family)
    })
  }
}
