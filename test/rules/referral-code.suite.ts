import t from 'tap'
import fc from 'fast-check'
import {
  generateReferralCode, normalizeReferralCode, REFERRAL_CODE_ALPHABET, REFERRAL_CODE_LENGTH
} from '../../src/rules/referral-code.js'

const draw = fc.integer({ min: 0, max: REFERRAL_CODE_ALPHABET.length - 1 })
const draws = fc.array(draw, { minLength: REFERRAL_CODE_LENGTH, maxLength: REFERRAL_CODE_LENGTH })

t.test('the alphabet has no look-alike characters and no repeats', async (t) => {
  for (const c of '0O1IL') t.notOk(REFERRAL_CODE_ALPHABET.includes(c), `${c} is left out`)
  t.equal(new Set(REFERRAL_CODE_ALPHABET).size, REFERRAL_CODE_ALPHABET.length)
  t.match(REFERRAL_CODE_ALPHABET, /^[A-Z2-9]+$/)
})

t.test('maps each draw to one character of the alphabet', async (t) => {
  t.equal(generateReferralCode([0, 0, 0, 0, 0, 0, 0, 0]), 'AAAAAAAA')
  t.equal(generateReferralCode([30, 29, 1, 2, 3, 22, 23, 8]), '98BCDZ2J')
})

t.test('refuses draws outside the alphabet or of the wrong number', async (t) => {
  t.throws(() => generateReferralCode([0, 0, 0, 0, 0, 0, 0, 31]), RangeError)
  t.throws(() => generateReferralCode([0, 0, 0, 0, 0, 0, 0, -1]), RangeError)
  t.throws(() => generateReferralCode([0, 0, 0, 0, 0, 0, 0, 1.5]), RangeError)
  t.throws(() => generateReferralCode([0, 0, 0]), RangeError)
})

t.test('normalises a caller-chosen code: trimmed and uppercased', async (t) => {
  t.same(normalizeReferralCode('  zhang-2024 '), { ok: true, value: 'ZHANG-2024' })
  t.same(normalizeReferralCode('abcd'), { ok: true, value: 'ABCD' })
})

t.test('refuses codes that are too short, too long or carry other characters', async (t) => {
  t.match(normalizeReferralCode('abc'), { ok: false, reason: /4 to 32/ })
  t.match(normalizeReferralCode('A'.repeat(33)), { ok: false, reason: /4 to 32/ })
  t.match(normalizeReferralCode('AB CD'), { ok: false, reason: /letters A-Z/ })
  t.match(normalizeReferralCode('推荐码1234'), { ok: false })
  t.match(normalizeReferralCode('ABC_D'), { ok: false })
})

t.test('property: a generated code has the set length and only alphabet characters', async () => {
  fc.assert(fc.property(draws, (d) => {
    const code = generateReferralCode(d)
    return code.length === REFERRAL_CODE_LENGTH && [...code].every((c) => REFERRAL_CODE_ALPHABET.includes(c))
  }))
})

t.test('property: different draws give different codes (the mapping loses nothing)', async () => {
  fc.assert(fc.property(draws, draws, (a, b) => (generateReferralCode(a) === generateReferralCode(b)) === (a.join() === b.join())))
})

t.test('property: a generated code is already normal', async () => {
  fc.assert(fc.property(draws, (d) => {
    const code = generateReferralCode(d)
    const n = normalizeReferralCode(code)
    return n.ok && n.value === code
  }))
})

t.test('property: normalising is idempotent and its result is always valid', async () => {
  fc.assert(fc.property(fc.string({ maxLength: 40 }), (input) => {
    const once = normalizeReferralCode(input)
    if (!once.ok) return true
    const twice = normalizeReferralCode(once.value)
    return twice.ok && twice.value === once.value && /^[A-Z0-9-]{4,32}$/.test(once.value)
  }))
})

t.test('property: case and surrounding spaces do not change the normal form', async () => {
  const code = fc.stringMatching(/^[A-Za-z0-9-]{4,32}$/)
  fc.assert(fc.property(code, fc.constantFrom('', ' ', '\t'), (c, pad) => {
    const a = normalizeReferralCode(`${pad}${c.toLowerCase()}${pad}`)
    const b = normalizeReferralCode(c.toUpperCase())
    return a.ok && b.ok && a.value === b.value
  }))
})
