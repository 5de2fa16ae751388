import { sql, type SQL } from 'drizzle-orm'
import type { Actor } from '../auth/actor.js'
import type { Reach } from '../auth/permissions.js'

/**
 * The reach of a report as a row filter on the column that names the record's owning user
 * (`owner` is SQL, so reports can point at any alias): admin, marketing, service and
 * integration see everything; a manager and a sales rep their team's (theirs and their team
 * mates'; without a team, their own). Referrer tokens own no records: false.
 */
export function ownerScope(actor: Actor, reach: Reach, owner: SQL): SQL {
  switch (reach) {
    case 'all':
      return sql`true`
    case 'team':
      return actor.teamId
        ? sql`(${owner} = ${actor.userId} or ${owner} in (select u.id from users u where u.team_id = ${actor.teamId}))`
        : sql`${owner} = ${actor.userId}`
    case 'own':
      return sql`${owner} = ${actor.userId}`
    default:
      return sql`false`
  }
}

/** The `team` filter a report offers: owners in that team. */
export function teamScope(teamId: string | null | undefined, owner: SQL): SQL {
  return teamId ? sql`${owner} in (select u.id from users u where u.team_id = ${teamId})` : sql`true`
}
