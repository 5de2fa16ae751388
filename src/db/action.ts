import { sql } from 'drizzle-orm'
import { uuidv7 } from 'uuidv7'
import type { Db, Tx } from './client.js'
import { requestTx } from './request-tx.js'
import { statement } from './statement.js'

/** Who is acting, as the audit trail records it. */
export type ActionContext = {
  actorType: 'user' | 'api_key' | 'referrer' | 'system' | 'public'
  actorId: string | null
  actorRole: string | null
  apiKeyId: string | null
  requestId: string | null
}

export type AuditInput = {
  action: string
  entityType: string
  entityId: string | null
  changes?: Record<string, unknown>
}

export type EventInput = {
  type: string
  entityType: string
  entityId: string | null
  data: Record<string, unknown>
}

export type Action = {
  tx: Tx
  audit(entry: AuditInput): void
  emit(event: EventInput): void
}

/**
 * One business action, one transaction: the change, its audit entries and its outbox
 * events commit together or not at all. Audit and events are buffered and written last.
 * In a request with an Idempotency-Key the action is a savepoint of the request's
 * transaction instead, which commits with the stored answer (src/db/request-tx.ts).
 */
export async function runAction<T>(db: Db, ctx: ActionContext, fn: (action: Action) => Promise<T>): Promise<T> {
  const body = async (tx: Tx) => {
    const audits: AuditInput[] = []
    const events: EventInput[] = []
    const result = await fn({ tx, audit: (e) => audits.push(e), emit: (e) => events.push(e) })
    if (audits.length > 0 || events.length > 0) await writeLog(tx, logRows(ctx, audits, events))
    return result
  }
  const scope = requestTx()
  return scope && !scope.ending ? scope.action(db, body) : db.transaction(body)
}

/**
 * The audit entries and outbox events of an action in ONE statement of fixed text
 * whatever their number (rows as JSON documents): every write in the app pays for it.
 * `at` and `occurred_at` keep their default, the transaction's start.
 */
const writeLog = statement<{ audits: string; events: string }>('action_log', () => sql`
  with audit as (
    insert into audit_entries (id, actor_type, actor_id, actor_role, api_key_id, action, entity_type, entity_id, changes, request_id)
    select * from jsonb_to_recordset(${sql.placeholder('audits')}::jsonb) as a(
      id uuid, actor_type text, actor_id uuid, actor_role text, api_key_id uuid, action text, entity_type text, entity_id uuid, changes jsonb, request_id text)
  )
  insert into outbox_events (id, type, entity_type, entity_id, data)
  select * from jsonb_to_recordset(${sql.placeholder('events')}::jsonb) as e(id uuid, type text, entity_type text, entity_id uuid, data jsonb)`)

/** Ids are UUIDv7 made here, audit entries first, as the ORM's defaults made them. */
function logRows(ctx: ActionContext, audits: AuditInput[], events: EventInput[]): { audits: string; events: string } {
  return {
    audits: JSON.stringify(audits.map((a) => ({
      id: uuidv7(), actor_type: ctx.actorType, actor_id: ctx.actorId, actor_role: ctx.actorRole, api_key_id: ctx.apiKeyId,
      action: a.action, entity_type: a.entityType, entity_id: a.entityId, changes: a.changes ?? null, request_id: ctx.requestId
    }))),
    events: JSON.stringify(events.map((e) => ({ id: uuidv7(), type: e.type, entity_type: e.entityType, entity_id: e.entityId, data: e.data })))
  }
}
