import t from 'tap'
import fc from 'fast-check'
import { classifySearch, maskEmail, maskPhone, normalizeEmail, normalizePhone } from '../../src/rules/contact.js'

const mainland = fc.tuple(fc.constantFrom('3', '4', '5', '6', '7', '8', '9'), fc.stringMatching(/^\d{9}$/)).map(([second, rest]) => `1${second}${rest}`)

t.test('normalises every way people write a mainland mobile to 11 digits', async (t) => {
  for (const written of ['13812345678', '+8613812345678', '+86 138 1234 5678', '138-1234-5678', '0086 138 1234 5678', '86 13812345678', '(+86) 138.1234.5678']) {
    t.same(normalizePhone(written), { ok: true, value: '13812345678' }, written)
  }
})

t.test('refuses numbers that are not mainland mobiles or E.164', async (t) => {
  for (const bad of ['', '12345678901', '1381234567', '138123456789', '+86 12812345678', 'abc', '+0123', '23812345678']) {
    t.equal(normalizePhone(bad).ok, false, bad)
  }
  t.same(normalizePhone('+1 415 555 0100'), { ok: true, value: '+14155550100' })
})

t.test('property: any decoration of a valid mobile normalises to the same digits', async () => {
  fc.assert(fc.property(mainland, fc.constantFrom('', '+86', '+86 ', '0086', '86'), fc.constantFrom(' ', '-', ''), (digits, prefix, sep) => {
    const written = `${prefix}${digits.slice(0, 3)}${sep}${digits.slice(3, 7)}${sep}${digits.slice(7)}`
    const n = normalizePhone(written)
    return n.ok && n.value === digits
  }))
})

t.test('property: normalisation is idempotent', async () => {
  fc.assert(fc.property(fc.string({ maxLength: 20 }), (s) => {
    const once = normalizePhone(s)
    if (!once.ok) return true
    const twice = normalizePhone(once.value)
    return twice.ok && twice.value === once.value
  }))
  fc.assert(fc.property(fc.emailAddress(), (e) => {
    const once = normalizeEmail(e)
    if (!once.ok) return true
    const twice = normalizeEmail(once.value)
    return twice.ok && twice.value === once.value
  }))
})

t.test('emails are trimmed and lower-cased; malformed ones refused', async (t) => {
  t.same(normalizeEmail('  Zhang.San@Example.COM '), { ok: true, value: 'zhang.san@example.com' })
  for (const bad of ['plain', 'a@b', '@example.com', 'a b@example.com', 'a@@example.com', `${'x'.repeat(250)}@example.com`]) {
    t.equal(normalizeEmail(bad).ok, false, bad)
  }
})

t.test('property: a masked phone keeps only the first 3 and last 4 digits', async () => {
  fc.assert(fc.property(mainland, (digits) => {
    const m = maskPhone(digits)
    return m.length === 11 && m === `${digits.slice(0, 3)}****${digits.slice(7)}`
  }))
  t.equal(maskPhone('13812341234'), '138****1234')
  t.equal(maskEmail('zhang.san@example.com'), 'z***@example.com')
})

t.test('search text is routed to the phone or email index when it is one', async (t) => {
  t.same(classifySearch('+86 138 1234 5678'), { kind: 'phone', value: '13812345678' })
  t.same(classifySearch('A@Example.com'), { kind: 'email', value: 'a@example.com' })
  t.same(classifySearch(' ACME Co '), { kind: 'text', value: 'acme co' })
})
