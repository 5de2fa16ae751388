/**
 * What the logs may show of a request. Personal data must never reach them: lists are
 * searched by exact phone or email (`?search=13812345678`), so query values that could
 * be personal are replaced before the URL is logged.
 */
const PERSONAL_KEYS = /phone|mobile|email|search|contact|name|^q$/i
const PERSONAL_VALUE = /@|\d{6,}/

export function redactQuery(url: string): string {
  const at = url.indexOf('?')
  if (at < 0) return url
  const params = url.slice(at + 1).split('&').map((pair) => {
    const eq = pair.indexOf('=')
    if (eq < 0) return pair
    const key = pair.slice(0, eq)
    let value = pair.slice(eq + 1)
    try { value = decodeURIComponent(value.replace(/\+/g, ' ')) } catch { /* keep it encoded */ }
    return PERSONAL_KEYS.test(key) || PERSONAL_VALUE.test(value) ? `${key}=[redacted]` : pair
  })
  return `${url.slice(0, at)}?${params.join('&')}`
}

type LoggedRequest = { method: string; url: string; host?: string; ip?: string; socket?: { remotePort?: number } }

/** Fastify's request serializer, with the query redacted. */
export function requestSerializer(req: LoggedRequest) {
  return { method: req.method, url: redactQuery(req.url), host: req.host, remoteAddress: req.ip, remotePort: req.socket?.remotePort }
}
