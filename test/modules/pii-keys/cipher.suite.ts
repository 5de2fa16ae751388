import { createCipheriv, hkdfSync, randomBytes, randomUUID } from 'node:crypto'
import t from 'tap'
import { PiiCipher } from '../../../src/lib/pii.js'
import { messageOfToken, unsubscribeToken } from '../../../src/modules/consents/unsubscribe-token.js'

const A = randomBytes(32)
const B = randomBytes(32)

/** A value as the cipher wrote it before values named their key. */
function sealV1(master: Buffer, plain: string): string {
  const key = Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'crm-pii-encryption-v1', 32))
  const iv = randomBytes(12)
  const c = createCipheriv('aes-256-gcm', key, iv)
  const body = Buffer.concat([c.update(plain, 'utf8'), c.final()])
  return `v1.${Buffer.concat([iv, c.getAuthTag(), body]).toString('base64')}`
}

t.test('new values name their key; each configured key opens its own', async (t) => {
  const a = new PiiCipher(A)
  const b = new PiiCipher(B, [A])
  const sealed = a.seal('13800000001')
  t.match(sealed, new RegExp(`^v2\\.${a.keyId}\\.`))
  t.equal(b.open(sealed), '13800000001', 'B with A previous opens A')
  t.match(b.seal('x'), new RegExp(`^v2\\.${b.keyId}\\.`), 'B seals with B')
  t.throws(() => new PiiCipher(B).open(sealed), /not configured/, 'B alone cannot open A: the error names the missing key, not the value')
  t.notOk(String((() => { try { new PiiCipher(B).open(sealed) } catch (e) { return e } })()).includes('13800000001'))
})

t.test('v1 values (no key id) open with whichever configured key made them', async (t) => {
  const old = sealV1(A, 'wang@example.com')
  t.equal(new PiiCipher(A).open(old), 'wang@example.com')
  t.equal(new PiiCipher(B, [A]).open(old), 'wang@example.com')
  t.throws(() => new PiiCipher(B).open(old))
})

t.test('the blind index is unchanged for the same key, and every configured key is searched', async (t) => {
  const a = new PiiCipher(A)
  const b = new PiiCipher(B, [A])
  t.equal(new PiiCipher(A).index('13800000001'), a.index('13800000001'), 'deterministic')
  t.strictSame(b.indexes('13800000001'), [new PiiCipher(B).index('13800000001'), a.index('13800000001')], 'current first')
  t.strictSame(new PiiCipher(B, [B]).indexes('v'), [new PiiCipher(B).index('v')], 'a repeated key counts once')
  const idx = b.index('13800000002')
  t.strictSame(b.indexesOf(idx), b.indexes('13800000002'), 'a just-made index knows its previous-key twins')
  t.strictSame(new PiiCipher(B).indexesOf('anything'), ['anything'], 'outside a rotation: itself')
})

t.test('unsubscribe links made under a previous key still work; a forged one does not', async (t) => {
  const id = randomUUID()
  const token = unsubscribeToken(new PiiCipher(A), id)
  t.equal(messageOfToken(new PiiCipher(B, [A]), token), id)
  t.equal(messageOfToken(new PiiCipher(B), token), null, 'once A is dropped, A links end')
  t.equal(messageOfToken(new PiiCipher(B, [A]), `${id}.${'x'.repeat(32)}`), null)
})
