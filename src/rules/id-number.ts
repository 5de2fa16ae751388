import type { Normalised } from './contact.js'

/**
 * Mainland resident ID numbers (居民身份证号码, GB 11643-1999): 6 digits of the issuing area,
 * the birth date as YYYYMMDD, a 3-digit sequence and a check character (0-9 or X) by ISO 7064
 * MOD 11-2 over the first 17. Pure: the same input always gives the same answer.
 * Normalised form: the 18 characters, X upper-case (spaces and a lower-case x accepted).
 */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const
const CHECK = '10X98765432'
const SHAPE = /^[1-9]\d{16}[\dX]$/

/** The check character of the first 17 digits (ISO 7064 MOD 11-2). */
export function idNumberCheckChar(first17: string): string {
  let sum = 0
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]
  return CHECK[sum % 11]
}

/** Is YYYYMMDD a real calendar date from 1900 on? */
export function isBirthDate(yyyymmdd: string): boolean {
  const y = Number(yyyymmdd.slice(0, 4))
  const m = Number(yyyymmdd.slice(4, 6))
  const d = Number(yyyymmdd.slice(6, 8))
  if (y < 1900 || m < 1 || m > 12 || d < 1) return false
  const days = [31, (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
  return d <= days
}

/**
 * Validates and normalises an ID number. `asOf` (the caller's today, as YYYY-MM-DD): a birth
 * date after it is refused.
 */
export function normalizeIdNumber(input: string, asOf?: string): Normalised {
  const value = input.replace(/[\s\u3000]/g, '').toUpperCase()
  if (value === '') return { ok: false, reason: 'is empty' }
  if (!SHAPE.test(value)) return { ok: false, reason: 'is not a mainland resident ID number (18 characters: 17 digits and a digit or X)' }
  const birth = value.slice(6, 14)
  if (!isBirthDate(birth)) return { ok: false, reason: 'has no valid birth date (characters 7 to 14, YYYYMMDD)' }
  if (asOf && birth > asOf.replaceAll('-', '')) return { ok: false, reason: 'has a birth date in the future' }
  if (idNumberCheckChar(value) !== value[17]) return { ok: false, reason: 'has a wrong check character (ISO 7064 MOD 11-2)' }
  return { ok: true, value }
}

/**
 * `110105199003071234` → `110***********1234`: the first 3 characters (the province and
 * part of the area) and the last 4, as phone masks keep theirs. Birth date and sequence hidden.
 */
export function maskIdNumber(normalised: string): string {
  if (normalised.length <= 7) return '*'.repeat(normalised.length)
  return `${normalised.slice(0, 3)}${'*'.repeat(normalised.length - 7)}${normalised.slice(-4)}`
}

/** Does a search text look like an ID number, so it can use the blind index? */
export function idNumberSearch(text: string): string | null {
  const n = normalizeIdNumber(text)
  return n.ok ? n.value : null
}
