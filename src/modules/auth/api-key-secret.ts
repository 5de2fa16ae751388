import { createHash, randomBytes } from 'node:crypto'

/** A new key: `crm_` + 40 random base62-ish characters. Shown once, stored as a hash. */
export function generateApiKey(): string {
  return `crm_${randomBytes(30).toString('base64url').replace(/[-_]/g, 'x')}`
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex')
}

/** What people see to tell keys apart: the first 12 characters. */
export function keyPrefix(key: string): string {
  return key.slice(0, 12)
}
