/**
 * Text that looks like personal data, recognised by shape alone (no context): mainland mobiles
 * with any grouping and an optional +86/0086/86 prefix, international numbers written with a
 * leading +, email addresses, and mainland resident ID numbers (18 characters, the last may be X).
 * Used to keep personal data out of the logs (src/lib/log-safety.ts); a false alarm only costs
 * a redacted log fragment, so the shapes are generous.
 */

// Separators people and systems put inside numbers.
const SEP = '[\\s.\\-]?'
// A +86/0086 prefix marks the start by itself; a bare number must not continue a longer one.
const MOBILE = `(?:(?:\\+|00)86${SEP}|(?<!\\d)(?:86${SEP})?)1${SEP}[3-9](?:${SEP}\\d){9}(?!\\d)`
const INTERNATIONAL = `\\+\\d(?:${SEP}\\d){6,14}(?!\\d)`
const ID_NUMBER = `(?<!\\d)\\d{6}${SEP}\\d{8}${SEP}\\d{3}[\\dXx](?![\\dXx])`
const NUMBERS = `${ID_NUMBER}|${MOBILE}|${INTERNATIONAL}`
// The local part takes RFC 5322 atext; no double quote or backslash, so a match never leaves a JSON string.
const EMAIL = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)+"

// Our own ids (UUIDs: hex groups joined by dashes) can hold digit runs that look like a
// grouped phone number; they are matched first and kept as they are.
export const UUID = '[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}'
const ANY = new RegExp(`(${UUID})|${NUMBERS}|${EMAIL}`, 'g')
const NUMBERS_ONLY = new RegExp(`(${UUID})|${NUMBERS}`, 'g')

export const REDACTED = '[redacted]'

/** Every phone-, email- or ID-number-shaped piece of `text` replaced by [redacted]. */
export function redactPersonal(text: string): string {
  return text.replace(ANY, (match, uuid: string | undefined) => uuid ?? REDACTED)
}

/** Where personal-looking pieces sit in `text` (UUIDs excluded), first to last. */
export function* personalSpans(text: string): Generator<{ start: number; end: number }> {
  for (const m of text.matchAll(ANY)) if (!m[1]) yield { start: m.index, end: m.index + m[0].length }
}

/** Does `text` hold anything phone-, email- or ID-number-shaped (any `@` counts)? */
export function looksPersonal(text: string): boolean {
  if (text.includes('@')) return true
  let found = false
  text.replace(NUMBERS_ONLY, (match, uuid: string | undefined) => { if (!uuid) found = true; return match })
  return found
}
