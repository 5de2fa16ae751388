/** Field-level changes `{ field: { from, to } }` for audit entries and `*.updated` events. */
export function changedFields<T extends Record<string, unknown>>(before: T, after: T, fields: readonly (keyof T)[]): Record<string, { from: unknown; to: unknown }> {
  const out: Record<string, { from: unknown; to: unknown }> = {}
  for (const f of fields) {
    if (!sameValue(before[f], after[f])) out[f as string] = { from: before[f] ?? null, to: after[f] ?? null }
  }
  return out
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime()
  if (typeof a === 'object' || typeof b === 'object') return JSON.stringify(a ?? null) === JSON.stringify(b ?? null)
  return (a ?? null) === (b ?? null)
}

type ContactRow = { phoneIdx: string | null; phoneMasked: string | null; emailIdx: string | null; emailMasked: string | null }

/**
 * `changedFields` over masked views misses a new phone or email with the same mask
 * (138****1234 → 138****1234): the blind index tells. Such a change is reported with its
 * masked forms, so the update is still audited and announced.
 */
export function withContactChanges(changes: Record<string, { from: unknown; to: unknown }>, before: ContactRow, after: ContactRow): Record<string, { from: unknown; to: unknown }> {
  const out = { ...changes }
  if (!('phone' in out) && before.phoneIdx !== after.phoneIdx) out.phone = { from: before.phoneMasked, to: after.phoneMasked }
  if (!('email' in out) && before.emailIdx !== after.emailIdx) out.email = { from: before.emailMasked, to: after.emailMasked }
  return out
}
