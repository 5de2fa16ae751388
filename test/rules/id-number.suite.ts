import t from 'tap'
import fc from 'fast-check'
import { idNumberCheckChar, idNumberSearch, isBirthDate, maskIdNumber, normalizeIdNumber } from '../../src/rules/id-number.js'

// The standard's own example (GB 11643-1999): a check character X.
const EXAMPLE = '11010519491231002X'

const pad = (n: number, w: number) => String(n).padStart(w, '0')
/** A valid number: an area (first digit 1-9), a real birth date 1900-2099, a sequence, its check character. */
const idNumber = fc.tuple(
  fc.integer({ min: 100000, max: 999999 }),
  fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }),
  fc.integer({ min: 0, max: 999 })
).map(([area, birth, seq]) => {
  const first17 = `${area}${birth.getUTCFullYear()}${pad(birth.getUTCMonth() + 1, 2)}${pad(birth.getUTCDate(), 2)}${pad(seq, 3)}`
  return first17 + idNumberCheckChar(first17)
})

t.test('the standard example and its lower-case x', async (t) => {
  t.same(normalizeIdNumber(EXAMPLE), { ok: true, value: EXAMPLE })
  t.same(normalizeIdNumber(EXAMPLE.toLowerCase()), { ok: true, value: EXAMPLE }, 'x normalised to X')
  t.same(normalizeIdNumber(' 110105 19491231 002x '), { ok: true, value: EXAMPLE }, 'spaces removed')
})

t.test('refuses wrong shapes, impossible birth dates, future births and wrong check characters', async (t) => {
  const cases: [string, RegExp][] = [
    ['', /is empty/], ['1101051949123100', /18 characters/], ['11010519491231002XX', /18 characters/], ['01010519491231002X', /18 characters/],
    ['1101051949123100X2', /18 characters/], ['11010519491231002Y', /18 characters/], ['１１０１０５１９４９１２３１００２Ｘ', /18 characters/],
    ['110105194902300021', /birth date/], ['110105189912310021', /birth date/], ['110105190002290021', /birth date/],
    ['110105194912310021', /check character/]
  ]
  for (const [input, reason] of cases) {
    const r = normalizeIdNumber(input)
    t.equal(r.ok, false, input)
    if (!r.ok) t.match(r.reason, reason, input)
  }
  const future = `110105209901010010`
  const ok = future.slice(0, 17) + idNumberCheckChar(future)
  t.equal(normalizeIdNumber(ok).ok, true, 'a valid number with a 2099 birth date')
  t.match(normalizeIdNumber(ok, '2026-12-07'), { ok: false, reason: /future/ }, 'refused as of today')
  t.equal(isBirthDate('20000229'), true)
  t.equal(isBirthDate('21000229'), false)
})

t.test('masks all but the first 3 and the last 4 characters', async (t) => {
  t.equal(maskIdNumber(EXAMPLE), '110***********002X')
  t.equal(maskIdNumber(EXAMPLE).length, 18)
})

t.test('property: every generated valid number passes, in either case of x', async () => {
  fc.assert(fc.property(idNumber, (id) => {
    const r = normalizeIdNumber(id.toLowerCase())
    return r.ok && r.value === id && idNumberSearch(id) === id
  }))
})

t.test('property: any single-character change of a valid number fails', async () => {
  const alphabet = '0123456789X'
  fc.assert(fc.property(idNumber, fc.integer({ min: 0, max: 17 }), fc.integer({ min: 1, max: 10 }), (id, at, shift) => {
    const changed = alphabet[(alphabet.indexOf(id[at]) + shift) % 11]
    const mutated = id.slice(0, at) + changed + id.slice(at + 1)
    return !normalizeIdNumber(mutated).ok
  }))
})

t.test('property: the mask keeps length, the first 3 and the last 4, and hides the birth date', async () => {
  fc.assert(fc.property(idNumber, (id) => {
    const m = maskIdNumber(id)
    return m.length === 18 && m.slice(0, 3) === id.slice(0, 3) && m.slice(-4) === id.slice(-4) && m.slice(3, 14) === '*'.repeat(11)
  }))
})
