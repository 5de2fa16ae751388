/**
 * What erasure replaces a person's values with, wherever a copy of them sits (an audit
 * entry's changes, an outbox event, a stored idempotent answer, a webhook response). Pure.
 *
 * `always`: values that name only this person (clear phone and email, sealed values, blind
 * indexes): replaced anywhere. `contextual`: values others may share (a name, a mask, an
 * address): replaced only in a row that also holds one of the person's record ids.
 */
export type Needles = { always: readonly string[]; contextual: readonly string[] }

export const ERASED = '[erased]'
/** A name that was erased: both languages, as clients show it. */
export const ERASED_NAME = '已删除 / erased'

/** Shorter values would hit words and JSON keys; a 1-character name is erased in its own record only. */
const MIN_CONTEXTUAL = 2

/** The needles to use in one row: longest first, so an email goes before a name inside it. */
export function needlesFor(n: Needles, rowHasId: boolean): string[] {
  const list = [...n.always, ...(rowHasId ? n.contextual.filter((v) => [...v].length >= MIN_CONTEXTUAL) : [])]
  const forms = new Set<string>()
  for (const v of list) {
    if (v.length === 0) continue
    forms.add(v)
    // The same value inside JSON text (a stored answer's body): its escaped form.
    const escaped = JSON.stringify(v).slice(1, -1)
    if (escaped !== v) forms.add(escaped)
  }
  return [...forms].sort((a, b) => b.length - a.length)
}

/**
 * Every occurrence of every needle in `text` replaced with [erased], in one left-to-right pass
 * (longest needle first at each place), so the replacement itself is never scanned again.
 */
export function scrubText(text: string, needles: readonly string[]): string {
  const list = needles.filter((n) => n.length > 0)
  if (list.length === 0 || !holdsAny(text, list)) return text
  return text.replace(alternation(list), ERASED)
}

const alternation = (needles: readonly string[]) =>
  new RegExp([...needles].sort((a, b) => b.length - a.length).map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g')

/** A JSON value with every string (and key) scrubbed; numbers, booleans and structure kept. */
export function scrubJson(value: unknown, needles: readonly string[]): unknown {
  if (typeof value === 'string') return scrubText(value, needles)
  if (Array.isArray(value)) return value.map((v) => scrubJson(v, needles))
  if (value !== null && typeof value === 'object') {
    // fromEntries defines own properties: a stored key "__proto__" stays a key (an assignment would set the prototype).
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [scrubText(k, needles), scrubJson(v, needles)]))
  }
  return value
}

/** Whether `text` still holds any needle. */
export function holdsAny(text: string, needles: readonly string[]): boolean {
  return needles.some((n) => n.length > 0 && text.includes(n))
}

/** A LIKE pattern that matches `value` anywhere, its wildcards escaped. */
export function containsPattern(value: string): string {
  return `%${value.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
}
