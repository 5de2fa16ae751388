import t from 'tap'
import fc from 'fast-check'
import { canonicalJson } from '../../src/lib/canonical-json.js'
import { isMutation } from '../../src/http/idempotency-graphql.js'
import { idempotencyScope, parseIdempotencyKey, requestFingerprint } from '../../src/http/idempotency-key.js'
import { systemActor } from '../../src/modules/auth/actor.js'

/** The same value with every object's keys in another (reversed) order. */
function reordered(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reordered)
  if (value === null || typeof value !== 'object') return value
  return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reordered(v)]))
}

const json = fc.jsonValue()
const accepted = (key: string) => { try { return parseIdempotencyKey(key) === key } catch { return false } }

t.test('property: canonical JSON ignores key order and keeps the value', async () => {
  fc.assert(fc.property(json, (value) => {
    const text = canonicalJson(value)
    return text === canonicalJson(reordered(value)) && canonicalJson(JSON.parse(text)) === text
  }))
})

t.test('property: the fingerprint ignores key order but not a changed value, method, URL or If-Match', async () => {
  const body = fc.dictionary(fc.string({ maxLength: 8 }), json, { minKeys: 1 })
  fc.assert(fc.property(body, fc.string({ maxLength: 8 }), (b, extra) => {
    const base = { method: 'POST', url: '/api/v1/customers', body: b }
    const hash = requestFingerprint(base)
    const [firstKey] = Object.keys(b)
    const changed = { ...b, [firstKey]: { changed: b[firstKey], extra } }
    return hash === requestFingerprint({ ...base, body: reordered(b) }) &&
      hash !== requestFingerprint({ ...base, body: changed }) &&
      hash !== requestFingerprint({ ...base, method: 'PUT' }) &&
      hash !== requestFingerprint({ ...base, url: '/api/v1/customers?x=1' }) &&
      hash !== requestFingerprint({ ...base, ifMatch: '"1"' })
  }))
})

t.test('canonical JSON keeps a __proto__ member as data', async (t) => {
  const parsed = JSON.parse('{"b":1,"__proto__":{"x":1}}')
  t.equal(canonicalJson(parsed), '{"__proto__":{"x":1},"b":1}')
  t.not(canonicalJson(parsed), canonicalJson({ b: 1 }))
})

t.test('property: a key is 1-255 printable ASCII characters without a space at either end', async () => {
  const printable = fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 255 })
  fc.assert(fc.property(printable, accepted))
  fc.assert(fc.property(fc.string({ minLength: 256, maxLength: 400 }), (k) => !accepted(k)))
  fc.assert(fc.property(printable, fc.integer({ min: 0, max: 0x1f }), (k, c) => !accepted(`${k.slice(0, 100)}${String.fromCharCode(c)}${k.slice(100)}`)))
})

t.test('keys are refused when empty, padded, non-ASCII or not strings', async (t) => {
  for (const bad of ['', ' ', ' a', 'a ', 'ключ', 'a\u007fb', 42, null, ['a']]) t.notOk(accepted(bad as string), JSON.stringify(bad))
  t.ok(accepted('a b'), 'an inner space is fine')
})

t.test('the scope is the referrer, else the API key, else the user', async (t) => {
  const base = { ...systemActor, role: 'integration' as const }
  t.equal(idempotencyScope({ ...base, referrerId: 'r1', apiKeyId: 'k1', userId: 'u1' }), 'referrer:r1')
  t.equal(idempotencyScope({ ...base, apiKeyId: 'k1', userId: 'u1' }), 'key:k1')
  t.equal(idempotencyScope({ ...base, userId: 'u1' }), 'user:u1')
  t.equal(idempotencyScope(base), null)
})

t.test('only the selected operation being a mutation counts', async (t) => {
  t.ok(isMutation({ query: 'mutation { a }' }))
  t.notOk(isMutation({ query: '{ a }' }))
  t.notOk(isMutation({ query: 'mutation {' }), 'does not parse')
  t.ok(isMutation({ query: 'query Q { a } mutation M { b }', operationName: 'M' }))
  t.notOk(isMutation({ query: 'query Q { a } mutation M { b }', operationName: 'Q' }))
  t.notOk(isMutation({ query: 'query Q { a } mutation M { b }' }), 'no operation selected')
  t.notOk(isMutation({ query: 42 }))
})
