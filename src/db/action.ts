import type { Db, Tx } from './client.js'
import { auditEntries } from './schema/audit-entries.js'
import { outboxEvents } from './schema/outbox-events.js'

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
 */
export async function runAction<T>(db: Db, ctx: ActionContext, fn: (action: Action) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    const audits: AuditInput[] = []
    const events: EventInput[] = []
    const result = await fn({ tx, audit: (e) => audits.push(e), emit: (e) => events.push(e) })
    if (audits.length > 0) {
      await tx.insert(auditEntries).values(audits.map((a) => ({
        actorType: ctx.actorType,
        actorId: ctx.actorId,
        actorRole: ctx.actorRole,
        apiKeyId: ctx.apiKeyId,
        requestId: ctx.requestId,
        action: a.action,
        entityType: a.entityType,
        entityId: a.entityId,
        changes: a.changes ?? null
      })))
    }
    if (events.length > 0) {
      await tx.insert(outboxEvents).values(events)
    }
    return result
  })
}
