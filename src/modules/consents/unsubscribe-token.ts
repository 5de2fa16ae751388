import { timingSafeEqual } from 'node:crypto'
import type { PiiCipher } from '../../lib/pii.js'

/**
 * The unsubscribe link of one message (docs/consents.md, "Unsubscribe"): the message id and a
 * keyed MAC of it (the PII key's HMAC, domain-separated), so a link cannot be forged or moved
 * to another message, and nothing needs to be stored to check it.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

const mac = (pii: PiiCipher, messageId: string) => pii.index(`unsubscribe-v1:${messageId}`)

export function unsubscribeToken(pii: PiiCipher, messageId: string): string {
  return `${messageId}.${mac(pii, messageId)}`
}

/** The message id a token was made for, or null when it is not a genuine token. */
export function messageOfToken(pii: PiiCipher, token: string): string | null {
  const [id, sig, ...rest] = token.split('.')
  if (rest.length > 0 || !id || !sig || !UUID.test(id)) return null
  const got = Buffer.from(sig)
  // Links already sent stay good through a PII key rotation: any configured key's MAC is accepted.
  const genuine = pii.indexes(`unsubscribe-v1:${id}`).some((m) => {
    const want = Buffer.from(m)
    return want.length === got.length && timingSafeEqual(want, got)
  })
  return genuine ? id : null
}

export function unsubscribeUrl(baseUrl: string, pii: PiiCipher, messageId: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/api/v1/public/unsubscribe/${unsubscribeToken(pii, messageId)}`
}
