import { and, asc, eq, gt, inArray, isNotNull, isNull, lte, ne, or, sql, type SQL } from 'drizzle-orm'
import type { Executor } from '../../db/client.js'
import { leads } from '../../db/schema/leads.js'
import { users } from '../../db/schema/users.js'
import { watchedStatuses } from '../../rules/follow-up.js'
import type { LeadRow } from './leads.repository.js'

export type DueKind = 'first_contact' | 'follow_up' | 'dormant'

const watched = and(isNull(leads.deletedAt), isNotNull(leads.ownerId), inArray(leads.status, [...watchedStatuses]))!

/**
 * SQL that finds leads which may have something due (a superset of what the pure rule
 * decides), each on its own index: the partial first-contact-due index, the next
 * follow-up index, and (status, created_at) for dormancy. `dormantBefore` is now minus
 * the shortest dormancy of any policy.
 */
function dueWhere(kind: DueKind, now: Date, dormantBefore: Date): SQL {
  switch (kind) {
    case 'first_contact':
      return and(isNull(leads.firstContactedAt), lte(leads.firstContactDueAt, now), isNull(leads.firstContactBreachedAt))!
    case 'follow_up':
      return and(lte(leads.nextFollowUpAt, now), or(isNull(leads.followUpBreachedAt), sql`${leads.followUpBreachedAt} < ${leads.nextFollowUpAt}`))!
    case 'dormant':
      return and(lte(leads.createdAt, dormantBefore), or(isNull(leads.lastActivityAt), lte(leads.lastActivityAt, dormantBefore)))!
  }
}

export const followUpQueries = {
  /** One batch of candidate ids after `afterId` (keyset by id, so a run never loops on a skipped lead). */
  async candidates(ex: Executor, kind: DueKind, now: Date, dormantBefore: Date, afterId: string | null, limit: number): Promise<string[]> {
    const rows = await ex.select({ id: leads.id }).from(leads)
      .where(and(watched, dueWhere(kind, now, dormantBefore), afterId ? gt(leads.id, afterId) : undefined))
      .orderBy(asc(leads.id)).limit(limit)
    return rows.map((r) => r.id)
  },

  /** The lead, locked, unless another process holds it (then it is that process's to handle). */
  async lockUnlessBusy(ex: Executor, id: string): Promise<LeadRow | undefined> {
    const [row] = await ex.select().from(leads).where(and(eq(leads.id, id), isNull(leads.deletedAt))).for('update', { skipLocked: true })
    return row
  },

  /**
   * Who hears of a missed first contact: an active manager of the owner's team, else any
   * active manager, else an admin (never the owner themself); null if there is nobody.
   */
  async managerOf(ex: Executor, ownerId: string): Promise<string | null> {
    const [owner] = await ex.select({ teamId: users.teamId }).from(users).where(eq(users.id, ownerId))
    const teamId = owner?.teamId ?? null
    const [row] = await ex.select({ id: users.id }).from(users)
      .where(and(isNull(users.deletedAt), eq(users.active, true), ne(users.id, ownerId), inArray(users.role, ['manager', 'admin'])))
      .orderBy(
        sql`case when ${users.role} = 'manager' and ${teamId}::uuid is not null and ${users.teamId} = ${teamId}::uuid then 0 when ${users.role} = 'manager' then 1 else 2 end`,
        asc(users.id)
      ).limit(1)
    return row?.id ?? null
  }
}
