/**
 * Contact normalisation and masking. Pure: the same input always gives the same answer.
 * Mainland mobiles normalise to 11 digits (`+86`, `0086`, spaces, dashes, dots and
 * brackets stripped) and must match ^1[3-9]\d{9}$; other countries keep E.164 form.
 */
export type Normalised = { ok: true; value: string } | { ok: false; reason: string }

const MAINLAND_MOBILE = /^1[3-9]\d{9}$/
const E164 = /^\+[1-9]\d{6,14}$/

export function normalizePhone(input: string): Normalised {
  const compact = input.trim().replace(/[\s\-().\u3000]/g, '').replace(/^00/, '+')
  if (compact === '') return { ok: false, reason: 'is empty' }
  if (compact.startsWith('+86')) return mainland(compact.slice(3))
  if (compact.startsWith('+')) {
    return E164.test(compact) ? { ok: true, value: compact } : { ok: false, reason: 'is not a valid international number' }
  }
  if (compact.startsWith('86') && compact.length === 13) return mainland(compact.slice(2))
  return mainland(compact)
}

function mainland(digits: string): Normalised {
  return MAINLAND_MOBILE.test(digits)
    ? { ok: true, value: digits }
    : { ok: false, reason: 'is not a valid mainland China mobile number (11 digits starting 13-19)' }
}

// Deliberately simple: one @, a dotted domain, no spaces. RFC 5322 allows far more
// than any real mailbox a CRM will meet.
const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/

export function normalizeEmail(input: string): Normalised {
  const value = input.trim().toLowerCase()
  if (value.length > 254) return { ok: false, reason: 'is longer than 254 characters' }
  return EMAIL.test(value) ? { ok: true, value } : { ok: false, reason: 'is not a valid email address' }
}

/** `13812341234` → `138****1234`; other numbers keep their first 3 and last 4. */
export function maskPhone(normalised: string): string {
  if (normalised.length <= 7) return '*'.repeat(normalised.length)
  return `${normalised.slice(0, 3)}${'*'.repeat(normalised.length - 7)}${normalised.slice(-4)}`
}

/** `zhang.san@example.com` → `z***@example.com`. */
export function maskEmail(normalised: string): string {
  const at = normalised.indexOf('@')
  if (at <= 0) return '***'
  return `${normalised[0]}***${normalised.slice(at)}`
}

/** Does free text look like a phone number or an email, so a search can use the blind index? */
export function classifySearch(text: string): { kind: 'phone' | 'email' | 'text'; value: string } {
  const phone = normalizePhone(text)
  if (phone.ok) return { kind: 'phone', value: phone.value }
  if (text.includes('@')) {
    const email = normalizeEmail(text)
    if (email.ok) return { kind: 'email', value: email.value }
  }
  return { kind: 'text', value: text.trim().toLowerCase() }
}
