import { sql, type SQL } from 'drizzle-orm'
import type { Actor } from '../auth/actor.js'
import type { Reach } from '../auth/permissions.js'
import { reachFilter } from '../auth/reach.js'

/**
 * The reach of a report as a row filter on the column that names the record's owning user
 * (`owner` is SQL, so reports can point at an aliased column): reach.ts's rule, `true` for everything.
 * Referrer tokens own no records: false.
 */
export function ownerScope(actor: Actor, reach: Reach, owner: SQL): SQL {
  return reachFilter(actor, reach, { owner }) ?? sql`true`
}

/** The `team` filter a report offers: owners in that team. */
export function teamScope(teamId: string | null | undefined, owner: SQL): SQL {
  return teamId ? sql`${owner} in (select u.id from users u where u.team_id = ${teamId})` : sql`true`
}
