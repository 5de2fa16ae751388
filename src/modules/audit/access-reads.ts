import type { Actor } from '../auth/actor.js'
import type { RecordRead } from '../common/contact.js'

/** The access audit's callback for one record's clear fields, or undefined when reads are not recorded (jobs, AUDIT_READS=false). */
export function recordReads(actor: Actor, entityType: string, id: string): RecordRead | undefined {
  const access = actor.access
  return access ? (field) => access.read(entityType, id, field) : undefined
}

/** Notes, now, the clear fields of a row that is already open (a GraphQL page read in one statement). */
export function noteReads(actor: Actor, entityType: string, id: string, row: Record<string, unknown>, fields: readonly string[]): void {
  const access = actor.access
  if (!access) return
  for (const field of fields) if (row[field] !== null && row[field] !== undefined) access.read(entityType, id, field)
}

/**
 * Turns plain clear fields of a view (users' emails) into getters that note the read when
 * a caller's answer takes them; assignable, as the plain field was.
 */
export function recordOnRead<T extends object>(actor: Actor, entityType: string, view: T & { id: string }, fields: readonly (keyof T & string)[]): T {
  const access = actor.access
  if (!access) return view
  const target = view as Record<string, unknown>
  for (const field of fields) {
    const value = target[field]
    if (value === null || value === undefined) continue
    Object.defineProperty(target, field, {
      get: () => { access.read(entityType, view.id, field); return value },
      set: (next: unknown) => { Object.defineProperty(target, field, { value: next, writable: true, enumerable: true, configurable: true }) },
      enumerable: true,
      configurable: true
    })
  }
  return view
}
