import { and, eq, getTableColumns, isNull } from 'drizzle-orm'
import { runAction } from '../../db/action.js'
import { countWhere, selectPage } from '../../db/list-queries.js'
import { Keyset, type PageRequest } from '../../db/paging.js'
import { messageTemplates } from '../../db/schema/messages.js'
import { CrmError, notFound, staleVersion, uniqueViolation } from '../../errors.js'
import { templateProblems, templateVariables, type TemplateParts } from '../../rules/message-template.js'
import { actionContext, type Actor } from '../auth/actor.js'
import { authorize } from '../auth/permissions.js'
import { changedFields } from '../common/changes.js'
import { asTaken } from '../common/unique.js'
import { isUuid, parse } from '../common/validate.js'
import type { ServiceDeps } from '../service-deps.js'
import { TemplateCreate, TemplateFilter, TemplateUpdate } from './templates.schemas.js'

type TemplateRow = typeof messageTemplates.$inferSelect
type TemplateInsert = typeof messageTemplates.$inferInsert
export type MessageTemplateView = ReturnType<typeof templateView>

const auditedFields = ['externalId', 'key', 'name', 'channelKind', 'language', 'purpose', 'format', 'subject', 'body', 'html', 'providerTemplateCode', 'active'] as const

export function templateView(t: TemplateRow) {
  return {
    id: t.id, externalId: t.externalId, key: t.key, name: t.name, channelKind: t.channelKind, language: t.language, purpose: t.purpose,
    format: t.format, subject: t.subject, body: t.body, html: t.html, providerTemplateCode: t.providerTemplateCode, variables: t.variables,
    active: t.active, version: t.version, createdAt: t.createdAt.toISOString(), updatedAt: t.updatedAt.toISOString()
  }
}

/** Every problem of the template as it would be saved, on its field; its variables when there is none. */
function checked(v: Partial<TemplateRow>): string[] {
  const parts: TemplateParts = {
    channelKind: v.channelKind!, purpose: v.purpose!, format: v.format ?? 'text', subject: v.subject ?? null, body: v.body!,
    html: v.html ?? null, providerTemplateCode: v.providerTemplateCode ?? null
  }
  const problems = templateProblems(parts)
  if (problems.length > 0) throw new CrmError('CRM_ERR_VALIDATION', `Invalid message template: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`, problems)
  return templateVariables(parts)
}

const live = isNull(messageTemplates.deletedAt)

/** A taken key (per channel kind and language) names the key field; a taken externalId names that. */
function taken(err: unknown): unknown {
  if (uniqueViolation(err)?.constraint === 'message_templates_key_uq') {
    return new CrmError('CRM_ERR_CONFLICT', 'key: another message template of this channel kind and language already has this key',
      [{ field: 'key', message: 'is already used by another message template of this channel kind and language', code: 'TAKEN' }])
  }
  return asTaken(err, 'message template')
}

/**
 * 消息模板 (docs/guardrails.md, "Templates"): checked when saved, so a send never meets an
 * unknown variable. Campaign material: whoever may write campaigns writes them, whoever reads campaigns reads them.
 */
export class MessageTemplatesService {
  constructor(private readonly deps: ServiceDeps) {}

  async get(actor: Actor, id: string): Promise<MessageTemplateView> {
    authorize(actor, 'campaigns', 'read')
    const [row] = isUuid(id) ? await this.deps.db.select().from(messageTemplates).where(and(eq(messageTemplates.id, id), live)) : []
    if (!row) throw notFound('MessageTemplate', id)
    return templateView(row)
  }

  /** Newest first, keyset pages. */
  async list(actor: Actor, filter: unknown, page: PageRequest) {
    authorize(actor, 'campaigns', 'read')
    const f = parse(TemplateFilter, filter ?? {})
    const t = messageTemplates
    const where = [
      live, f.channelKind ? eq(t.channelKind, f.channelKind) : undefined, f.purpose ? eq(t.purpose, f.purpose) : undefined,
      f.active !== undefined ? eq(t.active, f.active) : undefined, f.key ? eq(t.key, f.key) : undefined, f.language ? eq(t.language, f.language) : undefined
    ]
    const keyset = new Keyset('createdAt', t.createdAt, t.id, 'DESC', page)
    const result = keyset.page(await selectPage(this.deps.db, t, getTableColumns(t), where, keyset))
    return { ...result, rows: result.rows.map((r) => templateView(r as TemplateRow)), count: () => countWhere(this.deps.db, t, where) }
  }

  async create(actor: Actor, input: unknown): Promise<MessageTemplateView> {
    const data = parse(TemplateCreate, input)
    authorize(actor, 'campaigns', 'write')
    const values: TemplateInsert = { ...data }
    values.variables = checked(values)
    return runAction(this.deps.db, actionContext(actor), async (action) => {
      const [row] = await action.tx.insert(messageTemplates).values(values).returning().catch((err: unknown) => { throw taken(err) })
      action.audit({ action: 'message_template.created', entityType: 'message_template', entityId: row.id, changes: templateView(row) })
      return templateView(row)
    })
  }

  /** Changes the given fields; the whole template is checked again. Messages already enqueued keep their rendered content. */
  async update(actor: Actor, id: string, input: unknown): Promise<MessageTemplateView> {
    const data = parse(TemplateUpdate, input)
    authorize(actor, 'campaigns', 'write')
    return runAction(this.deps.db, actionContext(actor), async (action) => {
      const [before] = isUuid(id) ? await action.tx.select().from(messageTemplates).where(and(eq(messageTemplates.id, id), live)).for('update') : []
      if (!before) throw notFound('MessageTemplate', id)
      const { expectedVersion, ...given } = data
      if (expectedVersion !== undefined && expectedVersion !== before.version) throw staleVersion('MessageTemplate', expectedVersion, before.version)
      const next = { ...before, ...given } as TemplateRow
      const changes = changedFields(before, next, auditedFields)
      if (Object.keys(changes).length === 0) return templateView(before)
      next.variables = checked(next)
      const { id: _id, createdAt: _c, ...settable } = next
      const [row] = await action.tx.update(messageTemplates).set({ ...settable, version: before.version + 1, updatedAt: new Date() })
        .where(eq(messageTemplates.id, before.id)).returning().catch((err: unknown) => { throw taken(err) })
      action.audit({ action: 'message_template.updated', entityType: 'message_template', entityId: before.id, changes })
      return templateView(row)
    })
  }

  /** Soft delete: messages keep pointing at it; its key is free again. */
  async delete(actor: Actor, id: string): Promise<{ deletedId: string }> {
    authorize(actor, 'campaigns', 'write')
    return runAction(this.deps.db, actionContext(actor), async (action) => {
      const [row] = isUuid(id)
        ? await action.tx.update(messageTemplates).set({ deletedAt: new Date(), updatedAt: new Date(), active: false })
          .where(and(eq(messageTemplates.id, id), live)).returning({ id: messageTemplates.id })
        : []
      if (!row) throw notFound('MessageTemplate', id)
      action.audit({ action: 'message_template.deleted', entityType: 'message_template', entityId: row.id })
      return { deletedId: row.id }
    })
  }
}
