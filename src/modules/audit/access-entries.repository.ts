import { sql } from 'drizzle-orm'
import { uuidv7 } from 'uuidv7'
import type { ActionContext } from '../../db/action.js'
import type { Executor } from '../../db/client.js'
import { statement } from '../../db/statement.js'
import type { AccessRead } from './access-recorder.js'

/** A request's access entries in ONE statement of fixed text, whatever their number (rows as one JSON document). */
const insertEntries = statement<{ rows: string }>('access_entries_insert', () => sql`
  insert into access_entries (id, actor_type, actor_id, actor_role, api_key_id, action, entity_type, entity_ids, row_count, fields, filter, request_id)
  select id, actor_type, actor_id, actor_role, api_key_id, action, entity_type,
    array(select jsonb_array_elements_text(entity_ids))::uuid[], row_count, array(select jsonb_array_elements_text(fields)), filter, request_id
  from jsonb_to_recordset(${sql.placeholder('rows')}::jsonb) as a(
    id uuid, actor_type text, actor_id uuid, actor_role text, api_key_id uuid, action text, entity_type text,
    entity_ids jsonb, row_count int, fields jsonb, filter jsonb, request_id text)`)

export type AccessRow = Record<string, unknown>

/** One request's entries as rows of the table (ids made here, UUIDv7). */
export function accessRows(who: ActionContext, reads: AccessRead[]): AccessRow[] {
  return reads.map((r) => ({
    id: uuidv7(), actor_type: who.actorType, actor_id: who.actorId, actor_role: who.actorRole, api_key_id: who.apiKeyId,
    action: r.action, entity_type: r.entityType, entity_ids: r.ids, row_count: r.rowCount, fields: r.fields, filter: r.filter, request_id: who.requestId
  }))
}

/** Entries of one or several requests, in one statement (and one commit). */
export async function insertAccessRows(ex: Executor, rows: AccessRow[]): Promise<void> {
  await insertEntries(ex, { rows: JSON.stringify(rows) })
}
