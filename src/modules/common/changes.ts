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
