import { sql, type SQL } from 'drizzle-orm'
import { CrmError } from '../../errors.js'
import type { Actor } from '../auth/actor.js'
import { authorize, type Entity, type Reach } from '../auth/permissions.js'

/**
 * The related records of `entity` a related-record filter may look at: those the actor may
 * read, so a filter never hints at a record the actor could not see. `false` when the actor
 * may read none of them (the records count as absent: no error, a saved audience still counts).
 */
export function relatedRows(actor: Actor, entity: Entity, toFilter: (reach: Reach) => SQL | undefined): SQL | undefined {
  let reach: Reach
  try {
    reach = authorize(actor, entity, 'read')
  } catch (err) {
    if (err instanceof CrmError && err.code === 'CRM_ERR_FORBIDDEN') return sql`false`
    throw err
  }
  return toFilter(reach)
}
