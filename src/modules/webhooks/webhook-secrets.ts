import { randomBytes } from 'node:crypto'

/** A new endpoint secret in the Standard Webhooks form: `whsec_` and 24 random bytes in base64. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`
}

export type SealedSecrets = { secretEnc: string; previousSecretEnc: string | null; previousSecretExpiresAt: Date | null }

/** The secrets that sign at `now`: the current one, and the previous one while its overlap lasts. */
export function signingSecrets(row: SealedSecrets, now: Date, open: (sealed: string) => string): string[] {
  const out = [open(row.secretEnc)]
  if (row.previousSecretEnc && row.previousSecretExpiresAt && row.previousSecretExpiresAt > now) out.push(open(row.previousSecretEnc))
  return out
}
