/**
 * 优惠券码: 12 random symbols (60 bits) and one check symbol, from an alphabet of 32 that
 * leaves out the look-alikes 0/O and 1/I. Shown in groups (`7KQM-X4RT-9HCW-P`), stored and
 * compared without separators, read leniently (case, spaces, hyphens).
 *
 * The check symbol makes the 13 symbols a codeword of a code over GF(32): reading the
 * symbols as field elements x₁…x₁₃, Σ α^(13-i)·xᵢ = 0 with α a generator of the field.
 * Any single substitution changes the sum by α^k·(x−x′) ≠ 0, and swapping two symbols
 * d positions apart changes it by α^k·(α^d − 1)·(x−y) ≠ 0 (α has order 31 > 12): so every
 * single-symbol error and every transposition, adjacent or not, is caught. (Luhn mod 32
 * misses the adjacent swap of the first and last symbols, as Luhn mod 10 misses 09↔90.)
 *
 * Pure: randomness comes in as bytes (the service passes crypto.randomBytes).
 */

/** 8 digits and 24 letters: no 0, 1, I, O. A symbol's index is its value. */
export const COUPON_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ'
/** Random symbols per code: 12 × 5 bits = 60 bits. */
export const COUPON_RANDOM_SYMBOLS = 12
/** Stored length: the random symbols and the check symbol. */
export const COUPON_CODE_LENGTH = COUPON_RANDOM_SYMBOLS + 1
/** Random bytes one code takes: one per symbol, its low 5 bits used (256 is a multiple of 32, so uniform). */
export const COUPON_CODE_BYTES = COUPON_RANDOM_SYMBOLS

const VALUE = new Int8Array(128).fill(-1)
for (let i = 0; i < COUPON_ALPHABET.length; i++) VALUE[COUPON_ALPHABET.charCodeAt(i)] = i

/** α·x in GF(2⁵) modulo the primitive polynomial x⁵ + x² + 1. */
function times(x: number): number {
  const shifted = x << 1
  return shifted & 0x20 ? shifted ^ 0x25 : shifted
}

/** The check symbol's value for the first symbols' values. */
function checkValue(values: ArrayLike<number>, length: number): number {
  let acc = 0
  for (let i = 0; i < length; i++) acc = times(acc) ^ values[i]
  return times(acc)
}

/**
 * The code made of `bytes[offset … offset + 12)`: 12 symbols and the check symbol, stored
 * form (no separators). Throws if fewer bytes are given: a programming error.
 */
export function couponCodeFromBytes(bytes: Uint8Array, offset = 0): string {
  if (offset < 0 || offset + COUPON_CODE_BYTES > bytes.length) throw new RangeError(`a coupon code needs ${COUPON_CODE_BYTES} bytes from offset ${offset}`)
  let acc = 0
  let code = ''
  for (let i = 0; i < COUPON_RANDOM_SYMBOLS; i++) {
    const v = bytes[offset + i] & 31
    acc = times(acc) ^ v
    code += COUPON_ALPHABET[v]
  }
  return code + COUPON_ALPHABET[times(acc)]
}

/** The check symbol for 12 symbols of the alphabet (upper case), or null if any is not one. */
export function couponCheckSymbol(symbols: string): string | null {
  if (symbols.length !== COUPON_RANDOM_SYMBOLS) return null
  const values = valuesOf(symbols)
  return values ? COUPON_ALPHABET[checkValue(values, values.length)] : null
}

function valuesOf(text: string): number[] | null {
  const out: number[] = []
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    const v = c < 128 ? VALUE[c] : -1
    if (v < 0) return null
    out.push(v)
  }
  return out
}

/** Whether a stored-form code (13 symbols, upper case) carries its check symbol. */
export function hasValidCheck(code: string): boolean {
  if (code.length !== COUPON_CODE_LENGTH) return false
  const values = valuesOf(code)
  if (!values) return false
  let acc = 0
  for (const v of values) acc = times(acc) ^ v
  return acc === 0
}

/** Why a typed code is not a code: too short or long, a symbol outside the alphabet, or the check fails (a typo). */
export type CodeProblem = 'length' | 'symbol' | 'check'
export type ParsedCode = { ok: true; code: string } | { ok: false; problem: CodeProblem }

/** Spaces, hyphens and the like that people and printers put between groups. */
const SEPARATORS = /[\s\-_.·‐-―－　]+/g

/**
 * A code as a person typed or a scanner read it: case, spaces and hyphens do not matter.
 * Answers the stored form, or why it cannot be a code; a code with a typo fails its check
 * rather than finding another coupon.
 */
export function parseCouponCode(input: string): ParsedCode {
  const code = input.normalize('NFKC').replace(SEPARATORS, '').toUpperCase()
  if (code.length !== COUPON_CODE_LENGTH) return { ok: false, problem: 'length' }
  if (!valuesOf(code)) return { ok: false, problem: 'symbol' }
  return hasValidCheck(code) ? { ok: true, code } : { ok: false, problem: 'check' }
}

/** The stored form in groups of four for people: `7KQM-X4RT-9HCW-P`. */
export function displayCouponCode(code: string): string {
  return code.replace(/(.{4})(?=.)/g, '$1-')
}
