/**
 * Referral codes: short, human-friendly, case-insensitive, for links and QR codes.
 * Pure: randomness comes in as an argument (the draws), so the same draws always give
 * the same code.
 */

/** Uppercase letters and digits without the look-alikes 0/O, 1/I/L: 31 symbols. */
export const REFERRAL_CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789'
/** 31^8 ≈ 8.5e11 codes: collisions stay rare long past a million referrers. */
export const REFERRAL_CODE_LENGTH = 8
export const REFERRAL_CODE_MIN = 4
export const REFERRAL_CODE_MAX = 32

/**
 * Builds a code from `draws`: one integer in [0, alphabet size) per character
 * (the service passes crypto.randomInt draws). Anything else is a programming error.
 */
export function generateReferralCode(draws: readonly number[]): string {
  if (draws.length < REFERRAL_CODE_MIN || draws.length > REFERRAL_CODE_MAX) {
    throw new RangeError(`a referral code needs ${REFERRAL_CODE_MIN}-${REFERRAL_CODE_MAX} draws, got ${draws.length}`)
  }
  return draws.map((d) => {
    if (!Number.isInteger(d) || d < 0 || d >= REFERRAL_CODE_ALPHABET.length) {
      throw new RangeError(`draw ${d} is outside 0..${REFERRAL_CODE_ALPHABET.length - 1}`)
    }
    return REFERRAL_CODE_ALPHABET[d]
  }).join('')
}

export type NormalisedCode = { ok: true; value: string } | { ok: false; reason: string }

const CODE = /^[A-Z0-9-]+$/

/**
 * A caller-chosen code as it is stored and compared: trimmed and uppercased, then
 * 4-32 characters of A-Z, 0-9 and dashes. Idempotent: normalising twice changes nothing.
 */
export function normalizeReferralCode(input: string): NormalisedCode {
  const value = input.trim().toUpperCase()
  if (value.length < REFERRAL_CODE_MIN || value.length > REFERRAL_CODE_MAX) {
    return { ok: false, reason: `must be ${REFERRAL_CODE_MIN} to ${REFERRAL_CODE_MAX} characters long` }
  }
  if (!CODE.test(value)) return { ok: false, reason: 'may only contain letters A-Z, digits and dashes' }
  return { ok: true, value }
}
