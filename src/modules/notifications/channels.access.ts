import { forbidden } from '../../errors.js'
import type { Actor, Role } from '../auth/actor.js'

/** Roles that may read channels (journeys and templates name them); only admins change them. */
const AREA = 'notifications'
const readers: ReadonlySet<Role> = new Set(['admin', 'manager', 'marketing', 'service', 'integration'])

/**
 * Who may touch notification channels: API keys scoped to entities need `notifications`,
 * read-only keys never write, and only admins write (robot keys, SMTP passwords).
 */
export function authorizeChannels(actor: Actor, op: 'read' | 'write'): void {
  if (actor.entities && !actor.entities.includes('notifications')) throw forbidden(`This key may not access ${AREA}`)
  if (op === 'write' && actor.readOnly) throw forbidden('This key is read-only')
  if (op === 'write' ? actor.role !== 'admin' : !readers.has(actor.role)) throw forbidden(`Role ${actor.role} may not ${op} ${AREA}`)
}
