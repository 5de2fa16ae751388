import { randomBytes } from 'node:crypto'
import { hashToken } from '../common/tokens.js'

/** A new key: `crm_` + 40 random base62-ish characters. Shown once, stored as a hash. */
export function generateApiKey(): string {
  return `crm_${randomBytes(30).toString('base64url').replace(/[-_]/g, 'x')}`
}

/** Stored as its SHA-256, like every bearer secret (common/tokens.ts). */
export const hashApiKey = hashToken

/** What people see to tell keys apart: the first 12 characters. */
export function keyPrefix(key: string): string {
  return key.slice(0, 12)
}
