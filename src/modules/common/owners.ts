import { and, eq, isNull } from 'drizzle-orm'
import type { Executor } from '../../db/client.js'
import { users } from '../../db/schema/users.js'
import { forbidden, invalid } from '../../errors.js'
import type { Actor } from '../auth/actor.js'
import type { Reach } from '../auth/permissions.js'

/**
 * May this actor make `ownerId` the owner of a record? The user must exist and be
 * active, and a team-scoped caller may only hand records to itself or a team mate.
 * Returns the owner's team for the caller's later reach checks.
 */
export async function assertAssignable(ex: Executor, actor: Actor, reach: Reach, ownerId: string, field = 'ownerId'): Promise<string | null> {
  const [owner] = await ex.select({ teamId: users.teamId, active: users.active, role: users.role })
    .from(users).where(and(eq(users.id, ownerId), isNull(users.deletedAt)))
  if (!owner) throw invalid(field, 'is not a known user', 'UNKNOWN_USER')
  if (!owner.active) throw invalid(field, 'is a deactivated user', 'INACTIVE_USER')
  if (reach === 'own' && ownerId !== actor.userId) throw forbidden('You may only assign records to yourself')
  if (reach === 'team' && ownerId !== actor.userId && (!actor.teamId || owner.teamId !== actor.teamId)) {
    throw forbidden('You may only assign records to yourself or your team')
  }
  return owner.teamId
}

/** The team of a record's owner, for write checks on a loaded record. */
export async function ownerTeam(ex: Executor, ownerId: string | null): Promise<string | null> {
  if (!ownerId) return null
  const [row] = await ex.select({ teamId: users.teamId }).from(users).where(eq(users.id, ownerId))
  return row?.teamId ?? null
}
