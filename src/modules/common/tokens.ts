import { createHash, randomBytes } from 'node:crypto'

/**
 * Bearer links for people without an account (consent, ticket tracking, surveys): 32
 * random bytes, base64url, shown once. Only the SHA-256 is stored, so a leaked database
 * cannot be used to act through anyone's link.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

/** A fresh token and its hash. */
export function newToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url')
  return { token, hash: hashToken(token) }
}
