import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto'

/** One master key's derived keys, and the id its sealed values carry. */
type PiiKey = { id: string; encKey: Buffer; indexKey: Buffer }

function deriveKey(masterKey: Buffer): PiiKey {
  if (masterKey.length !== 32) throw new Error('PII key must be 32 bytes')
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), info, 32))
  return {
    // Not secret: it names the key in each value (v2.<id>.…) so the right one opens it, and
    // tells the operator which values still use an old key (docs/security.md).
    id: derive('crm-pii-key-id-v1').toString('base64url').slice(0, 8),
    encKey: derive('crm-pii-encryption-v1'),
    indexKey: derive('crm-pii-blind-index-v1')
  }
}

/**
 * Personal data at rest: AES-256-GCM ciphertext plus a keyed HMAC blind index, so
 * exact-match lookups (by normalised phone or email) work without decrypting.
 * Both keys derive from one master key (PII_KEY). During a key rotation the previous
 * master keys (PII_KEYS_PREVIOUS) still open old values and still find rows whose index
 * they made, until the re-seal job (src/jobs/pii-reseal.job.ts) has moved everything to
 * the current key.
 */
export class PiiCipher {
  private readonly current: PiiKey
  private readonly keys: readonly PiiKey[]
  private readonly byId: ReadonlyMap<string, PiiKey>

  constructor(masterKey: Buffer, previous: readonly Buffer[] = []) {
    this.current = deriveKey(masterKey)
    const keys = [this.current]
    for (const k of previous.map(deriveKey)) if (!keys.some((x) => x.id === k.id)) keys.push(k)
    this.keys = keys
    this.byId = new Map(keys.map((k) => [k.id, k]))
  }

  /** The id new values carry; a sealed value starting with `currentPrefix` needs no re-seal. */
  get keyId(): string { return this.current.id }
  get currentPrefix(): string { return `v2.${this.current.id}.` }
  /** Ids of the previous keys still configured (empty once rotation is over). */
  get previousKeyIds(): string[] { return this.keys.slice(1).map((k) => k.id) }

  seal(plain: string): string {
    const iv = this.nextIv()
    const cipher = createCipheriv('aes-256-gcm', this.current.encKey, iv)
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
    return `${this.currentPrefix}${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`
  }

  // IVs drawn from the CSPRNG in blocks rather than one call each: a bulk import seals
  // millions of values, and a call per 12 bytes was a sixth of its CPU. Each IV is still
  // 12 fresh random bytes, used once.
  private ivPool = Buffer.alloc(0)
  private ivOffset = 0

  private nextIv(): Buffer {
    if (this.ivOffset + 12 > this.ivPool.length) {
      this.ivPool = randomBytes(12 * 1024)
      this.ivOffset = 0
    }
    const iv = this.ivPool.subarray(this.ivOffset, this.ivOffset + 12)
    this.ivOffset += 12
    return iv
  }

  /**
   * The clear value. `v2.<keyId>.…` opens with that key; `v1.…` (written before values
   * named their key) with whichever configured key authenticates it, current first.
   */
  open(sealed: string): string {
    if (sealed.startsWith('v2.')) {
      const dot = sealed.indexOf('.', 3)
      const key = dot > 0 ? this.byId.get(sealed.slice(3, dot)) : undefined
      if (!key) throw new Error(`PII value sealed with key ${dot > 0 ? sealed.slice(3, dot) : '?'}, which is not configured (PII_KEY, PII_KEYS_PREVIOUS)`)
      return decrypt(key, sealed.slice(dot + 1))
    }
    let failure: unknown
    for (const key of this.keys) {
      try {
        return decrypt(key, sealed.slice(3))
      } catch (err) {
        failure = err
      }
    }
    throw failure
  }

  /** Deterministic: the same normalised value always gives the same index (under the current key). */
  index(normalised: string): string {
    const idx = blindIndex(this.current, normalised)
    if (this.keys.length > 1) this.remember(idx, normalised)
    return idx
  }

  // During a rotation only: the other keys' indexes of values indexed lately, so a check that
  // holds just an index (a duplicate check after sealing) can match rows not yet rebuilt.
  // Bounded; a value not remembered is matched by its current index alone.
  private readonly aliases = new Map<string, string[]>()

  private remember(idx: string, normalised: string): void {
    if (this.aliases.has(idx)) return
    if (this.aliases.size >= 20_000) this.aliases.delete(this.aliases.keys().next().value!)
    this.aliases.set(idx, this.indexes(normalised))
  }

  /** `idx` (a current index made by `index`) and the same value's index under each previous key, when known. */
  indexesOf(idx: string): string[] {
    return this.aliases.get(idx) ?? [idx]
  }

  /**
   * The value's index under every configured key, current first: a lookup matches any of
   * them, so rows indexed with a previous key are still found while the re-seal job runs.
   */
  indexes(normalised: string): string[] {
    return this.keys.map((k) => blindIndex(k, normalised))
  }
}

function decrypt(key: PiiKey, body: string): string {
  const raw = Buffer.from(body, 'base64')
  const decipher = createDecipheriv('aes-256-gcm', key.encKey, raw.subarray(0, 12))
  decipher.setAuthTag(raw.subarray(12, 28))
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8')
}

function blindIndex(key: PiiKey, normalised: string): string {
  return createHmac('sha256', key.indexKey).update(normalised).digest('base64url').slice(0, 32)
}
