import { randomBytes } from 'node:crypto'
import t from 'tap'
import fc from 'fast-check'
import {
  COUPON_ALPHABET, COUPON_CODE_BYTES, COUPON_CODE_LENGTH, couponCheckSymbol, couponCodeFromBytes, displayCouponCode, hasValidCheck, parseCouponCode
} from '../../src/rules/coupon-code.js'

const bytesArb = fc.uint8Array({ minLength: COUPON_CODE_BYTES, maxLength: COUPON_CODE_BYTES })
const codeArb = bytesArb.map((b) => couponCodeFromBytes(b))

t.test('the alphabet has 32 distinct symbols and none of 0, O, 1, I', async (t) => {
  t.equal(COUPON_ALPHABET.length, 32)
  t.equal(new Set(COUPON_ALPHABET).size, 32)
  for (const c of '0O1I') t.notOk(COUPON_ALPHABET.includes(c), c)
  t.equal(COUPON_CODE_LENGTH, 13)
})

t.test('every generated code has 13 symbols of the alphabet and verifies; its 12 random symbols carry 60 bits', async (t) => {
  fc.assert(fc.property(bytesArb, (bytes) => {
    const code = couponCodeFromBytes(bytes)
    if (code.length !== 13 || [...code].some((c) => !COUPON_ALPHABET.includes(c))) return false
    // Each random symbol is the byte's low five bits: the 12 symbols are the 60 bits.
    if ([...code.slice(0, 12)].some((c, i) => COUPON_ALPHABET.indexOf(c) !== (bytes[i] & 31))) return false
    return hasValidCheck(code) && couponCheckSymbol(code.slice(0, 12)) === code[12]
  }), { numRuns: 2000 })
})

t.test('every single substitution, at any position including the check symbol, fails the check', async (t) => {
  // Exhaustive over positions and symbols for a sample of codes: 13 × 31 wrong codes each.
  fc.assert(fc.property(codeArb, (code) => {
    for (let i = 0; i < code.length; i++) {
      for (const c of COUPON_ALPHABET) {
        if (c === code[i]) continue
        const typo = code.slice(0, i) + c + code.slice(i + 1)
        if (hasValidCheck(typo)) return false
        const parsed = parseCouponCode(typo)
        if (parsed.ok || parsed.problem !== 'check') return false
      }
    }
    return true
  }), { numRuns: 300 })
})

t.test('every adjacent transposition of two different symbols fails the check (and so does any other swap)', async (t) => {
  fc.assert(fc.property(codeArb, (code) => {
    for (let i = 0; i < code.length; i++) {
      for (let j = i + 1; j < code.length; j++) {
        if (code[i] === code[j]) continue
        const swapped = [...code]
        ;[swapped[i], swapped[j]] = [swapped[j], swapped[i]]
        if (hasValidCheck(swapped.join(''))) return false
      }
    }
    return true
  }), { numRuns: 500 })
  // The pair Luhn mod 32 misses: the first and last symbols of the alphabet, side by side.
  const base = couponCodeFromBytes(new Uint8Array([0, 31, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]))
  t.equal(base.slice(0, 2), '2Z')
  t.notOk(hasValidCheck(`Z2${base.slice(2)}`))
})

t.test('parsing ignores case, spaces and hyphens, and says why a string is not a code', async (t) => {
  fc.assert(fc.property(codeArb, fc.constantFrom(' ', '-', ' - ', '  ', '\t'), (code, sep) => {
    const shown = displayCouponCode(code)
    const typed = shown.toLowerCase().split('-').join(sep)
    const a = parseCouponCode(shown)
    const b = parseCouponCode(` ${typed} `)
    return a.ok && a.code === code && b.ok && b.code === code
  }))
  const code = couponCodeFromBytes(randomBytes(COUPON_CODE_BYTES))
  t.match(displayCouponCode(code), /^[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]$/)
  t.same(parseCouponCode(code.slice(0, 12)), { ok: false, problem: 'length' })
  t.same(parseCouponCode(`${code}A`), { ok: false, problem: 'length' })
  t.same(parseCouponCode(''), { ok: false, problem: 'length' })
  t.same(parseCouponCode(`0${code.slice(1)}`), { ok: false, problem: 'symbol' }, 'a zero is never in a code')
  t.same(parseCouponCode(`O${code.slice(1)}`), { ok: false, problem: 'symbol' })
  t.same(parseCouponCode(`${code.slice(0, 12)}é`), { ok: false, problem: 'symbol' })
  // Full-width letters and digits from a Chinese input method read as their ASCII forms.
  const wide = [...code].map((c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join('')
  t.same(parseCouponCode(wide), { ok: true, code })
  t.same(parseCouponCode('x'.repeat(10_000)), { ok: false, problem: 'length' })
})

t.test('200,000 codes from crypto randomness: no collision in practice, every one verifies', async (t) => {
  const n = 200_000
  const bytes = randomBytes(n * COUPON_CODE_BYTES)
  const seen = new Set<string>()
  for (let i = 0; i < n; i++) {
    const code = couponCodeFromBytes(bytes, i * COUPON_CODE_BYTES)
    if (!hasValidCheck(code)) t.fail(code)
    seen.add(code)
  }
  t.equal(seen.size, n)
  t.throws(() => couponCodeFromBytes(new Uint8Array(11)), RangeError)
})
