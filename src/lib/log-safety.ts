import { looksPersonal, personalSpans, REDACTED, UUID } from './personal-shapes.js'

/**
 * What the logs may show of a request. Personal data must never reach them: lists are
 * searched by exact phone or email (`?search=13812345678`) and records are addressed by
 * the caller's own ids (`/orders/by-external-id/13812340003`), so every path segment and
 * query value is checked by shape (src/lib/personal-shapes.ts) after decoding, and query
 * values under personal-sounding keys or with long digit runs are dropped as well.
 */
const PERSONAL_KEYS = /phone|mobile|email|search|contact|name|^q$/i
const LONG_DIGITS = /\d{6,}/
// Our own ids are no personal data, whatever digits they hold.
const UUIDS = new RegExp(UUID, 'g')

function decoded(part: string, plusIsSpace: boolean): string {
  try { return decodeURIComponent(plusIsSpace ? part.replace(/\+/g, ' ') : part) } catch { return part }
}

const personalText = (part: string, plusIsSpace: boolean) => looksPersonal(part) || looksPersonal(decoded(part, plusIsSpace))

function redactPath(path: string): string {
  return path.split('/').map((segment) => personalText(segment, false) ? REDACTED : segment).join('/')
}

function redactQueryString(query: string): string {
  return query.split('&').map((pair) => {
    const eq = pair.indexOf('=')
    if (eq < 0) return personalText(pair, true) ? REDACTED : pair
    const key = pair.slice(0, eq)
    const value = pair.slice(eq + 1)
    if (personalText(key, true)) return `${REDACTED}=${REDACTED}`
    return PERSONAL_KEYS.test(key) || personalText(value, true) || LONG_DIGITS.test(decoded(value, true).replace(UUIDS, '')) ? `${key}=${REDACTED}` : pair
  }).join('&')
}

/** The URL as it may be logged: personal-looking path segments and query values replaced. */
export function redactUrl(url: string): string {
  const hash = url.indexOf('#')
  const bare = hash < 0 ? url : url.slice(0, hash)
  const fragment = hash < 0 ? '' : `#${personalText(url.slice(hash + 1), false) ? REDACTED : url.slice(hash + 1)}`
  const at = bare.indexOf('?')
  return (at < 0 ? redactPath(bare) : `${redactPath(bare.slice(0, at))}?${redactQueryString(bare.slice(at + 1))}`) + fragment
}

/** The former name, from when only the query was redacted. */
export const redactQuery = redactUrl

type LoggedRequest = { method: string; url: string; host?: string; ip?: string; socket?: { remotePort?: number } }

/** Fastify's request serializer, with the URL redacted. */
export function requestSerializer(req: LoggedRequest) {
  return { method: req.method, url: redactUrl(req.url), host: req.host, remoteAddress: req.ip, remotePort: req.socket?.remotePort }
}

/**
 * The last net, on every line pino writes: whatever a message, an error or a field carried
 * (a refused request's detail, a database error's detail, a resolver's error), personal-looking
 * text is replaced before the line leaves the process.
 */
export function redactLogLine(line: string): string {
  // Only inside JSON strings: a bare number (a timestamp, a duration) is no personal value, and
  // replacing it with text would break the line. Never from inside an escape (\n, \u0007).
  let out = ''
  let copied = 0
  let scanned = 0
  let inString = false
  for (const span of personalSpans(line)) {
    while (scanned < span.start) {
      if (line[scanned] === '\\') scanned += line[scanned + 1] === 'u' ? 6 : 2
      else {
        if (line[scanned] === '"') inString = !inString
        scanned++
      }
    }
    const start = Math.max(span.start, scanned, copied)
    if (!inString || start >= span.end) continue
    out += line.slice(copied, start) + REDACTED
    copied = span.end
  }
  return copied === 0 ? line : out + line.slice(copied)
}
