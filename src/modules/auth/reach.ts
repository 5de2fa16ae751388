import { sql, type SQL } from 'drizzle-orm'
import type { AnyPgColumn } from 'drizzle-orm/pg-core'
import type { Actor } from './actor.js'
import type { Reach } from './permissions.js'

/**
 * Turns a reach into a row filter. `owner` is the record's owning user; `self` is the
 * column holding the referrer id a referrer token may see (if the entity has one). Either may
 * be SQL naming an aliased column (the reports' hand-written statements).
 */
export function reachFilter(
  actor: Actor,
  reach: Reach,
  columns: { owner?: AnyPgColumn | SQL; self?: AnyPgColumn | SQL }
): SQL | undefined {
  switch (reach) {
    case 'all':
      return undefined
    case 'own':
      return columns.owner ? sql`${columns.owner} = ${actor.userId}` : sql`false`
    case 'team':
      if (!columns.owner) return sql`false`
      return actor.teamId
        ? sql`(${columns.owner} = ${actor.userId} or ${columns.owner} in (select u.id from users u where u.team_id = ${actor.teamId}))`
        : sql`${columns.owner} = ${actor.userId}`
    case 'self':
      return columns.self && actor.referrerId ? sql`${columns.self} = ${actor.referrerId}` : sql`false`
    case 'none':
      return sql`false`
  }
}

/** The same decision for one already-loaded record (used before writes). */
export function withinReach(actor: Actor, reach: Reach, ownerId: string | null, ownerTeamId: string | null, selfId?: string | null): boolean {
  switch (reach) {
    case 'all': return true
    case 'own': return ownerId !== null && ownerId === actor.userId
    case 'team': return ownerId !== null && (ownerId === actor.userId || (actor.teamId !== null && ownerTeamId === actor.teamId))
    case 'self': return selfId != null && selfId === actor.referrerId
    case 'none': return false
  }
}
