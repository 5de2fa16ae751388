import t from 'tap'
import fc from 'fast-check'
import { ERASED, holdsAny, needlesFor, scrubJson, scrubText } from '../../../src/modules/privacy/erasure-scrub.js'

// Needles as erasure makes them (digits, letters of a mailbox, CJK names); none is part of the placeholder.
const needleChar = fc.constantFrom(...'0123456789@.xyzkq张王李甲乙'.split(''))
const needle = fc.array(needleChar, { minLength: 2, maxLength: 12 }).map((cs) => cs.join(''))
const textChar = fc.constantFrom(...'0123456789@.xyzkq张王李甲乙 "\\{}:,abcdefghij'.split(''))
const text = fc.array(textChar, { maxLength: 80 }).map((cs) => cs.join(''))

t.test('scrubText leaves no needle behind and keeps text without needles unchanged', async (t) => {
  fc.assert(fc.property(text, fc.array(needle, { minLength: 1, maxLength: 4 }), (s, needles) => {
    const out = scrubText(s, needles)
    if (holdsAny(out, needles)) return false
    return holdsAny(s, needles) || out === s
  }))
  t.equal(scrubText('call 13812340001 or 13812340001', ['13812340001']), `call ${ERASED} or ${ERASED}`)
  t.equal(scrubText('a.b*c', ['.', '*']), `a${ERASED}b${ERASED}c`, 'regex characters are literal')
})

t.test('scrubJson keeps the structure, numbers and booleans, and removes every needle from strings and keys', async (t) => {
  fc.assert(fc.property(fc.jsonValue(), fc.array(needle, { minLength: 1, maxLength: 3 }), (value, needles) => {
    const out = scrubJson(value, needles)
    // Every string and key of the result is free of needles (numbers are numbers, kept as they were).
    const strings = (v: unknown): string[] => typeof v === 'string' ? [v] : Array.isArray(v) ? v.flatMap(strings)
      : v !== null && typeof v === 'object' ? Object.entries(v).flatMap(([k, x]) => [k, ...strings(x)]) : []
    if (strings(out).some((x) => holdsAny(x, needles))) return false
    // Same shape: the same types at the same places.
    const shape = (v: unknown): unknown => Array.isArray(v) ? v.map(shape) : v !== null && typeof v === 'object' ? Object.values(v).map(shape) : typeof v === 'string' ? 's' : v
    return JSON.stringify(shape(out)) === JSON.stringify(shape(value)) || Object.keys(value ?? {}).length !== Object.keys(out ?? {}).length
  }))
  t.same(scrubJson({ phone: '13812340001', amount: 5000, ok: true, list: ['x 13812340001'] }, ['13812340001']),
    { phone: ERASED, amount: 5000, ok: true, list: [`x ${ERASED}`] })
  // Found by the property above (seed -1872243865): a stored key "__proto__" stays an own key.
  const proto = scrubJson(JSON.parse('[{"__proto__":0}]'), ['00']) as Record<string, unknown>[]
  t.same(Object.keys(proto[0]), ['__proto__'], 'a "__proto__" key is kept as a key')
  t.equal(JSON.stringify(proto), '[{"__proto__":0}]')
})

t.test('needlesFor: shared values only beside an id, too-short ones never, JSON-escaped forms too', async (t) => {
  const n = { always: ['13812340001'], contextual: ['张', '张三', 'a"b'] }
  t.same(needlesFor(n, false), ['13812340001'])
  t.same(needlesFor(n, true).sort(), ['13812340001', '张三', 'a"b', 'a\\"b'].sort())
})
