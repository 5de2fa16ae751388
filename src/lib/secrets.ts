import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'

/** `piiKeysPrevious`: the keys PII_KEY replaced, still read during a rotation (docs/security.md). */
export type Secrets = { jwtSecret: string; piiKey: Buffer; piiKeysPrevious: Buffer[]; generated: boolean }

const previousKeys = (list: string | undefined): Buffer[] =>
  (list ?? '').split(',').map((k) => k.trim()).filter((k) => k !== '').map((k) => Buffer.from(k, 'base64'))

/**
 * JWT_SECRET and PII_KEY from the environment; when absent (a laptop, a first try) they
 * are generated once and kept in DATA_DIR/secrets.json so a restart can still read the
 * data. Several processes or a server database need them set explicitly.
 */
export function resolveSecrets(env: { JWT_SECRET?: string; PII_KEY?: string; PII_KEYS_PREVIOUS?: string; DATA_DIR: string }): Secrets {
  if (env.JWT_SECRET && env.PII_KEY) {
    return { jwtSecret: env.JWT_SECRET, piiKey: Buffer.from(env.PII_KEY, 'base64'), piiKeysPrevious: previousKeys(env.PII_KEYS_PREVIOUS), generated: false }
  }
  const file = join(env.DATA_DIR, 'secrets.json')
  let stored: { jwtSecret: string; piiKey: string }
  let generated = false
  if (existsSync(file)) {
    stored = JSON.parse(readFileSync(file, 'utf8'))
  } else {
    stored = { jwtSecret: randomBytes(48).toString('base64url'), piiKey: randomBytes(32).toString('base64') }
    mkdirSync(env.DATA_DIR, { recursive: true })
    writeFileSync(file, JSON.stringify(stored, null, 2), { mode: 0o600 })
    generated = true
  }
  return {
    jwtSecret: env.JWT_SECRET ?? stored.jwtSecret,
    piiKey: Buffer.from(env.PII_KEY ?? stored.piiKey, 'base64'),
    piiKeysPrevious: previousKeys(env.PII_KEYS_PREVIOUS),
    generated
  }
}
