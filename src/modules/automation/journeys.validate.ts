import { sql } from 'drizzle-orm'
import type { Executor } from '../../db/client.js'
import { rows } from '../../db/rows.js'
import { CrmError, type FieldError } from '../../errors.js'
import { definitionProblems, type Filter, type JourneyDefinition } from '../../rules/journey-definition.js'
import { parse } from '../common/validate.js'
import { CustomerFilter } from '../customers/customers.schemas.js'
import { webhookEventTypes } from '../webhooks/webhook-events.js'

/** A customers filter, errors named `<field>.<filter field>`. */
function filterProblems(filter: Filter | null | undefined, field: string): FieldError[] {
  if (!filter) return []
  const { orderedWithinDays, noOrderWithinDays, ...plain } = filter
  const out: FieldError[] = []
  for (const [k, v] of [['orderedWithinDays', orderedWithinDays], ['noOrderWithinDays', noOrderWithinDays]] as const) {
    if (v !== undefined && !(Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 3650)) out.push({ field: `${field}.${k}`, message: 'must be a whole number of days from 1 to 3650', code: 'OUT_OF_RANGE' })
  }
  try {
    parse(CustomerFilter, plain)
    return out
  } catch (err) {
    if (!(err instanceof CrmError)) throw err
    return [...out, ...err.fieldErrors.map((e) => ({ ...e, field: e.field ? `${field}.${e.field}` : field }))]
  }
}

/**
 * Everything wrong with a definition: its shape (src/rules/journey-definition.ts), its
 * filters (the customers list filter), and the templates and channels it names. Thrown as
 * one validation error listing every field.
 */
export async function assertDefinition(ex: Executor, def: JourneyDefinition): Promise<void> {
  const problems: FieldError[] = [...definitionProblems(def, webhookEventTypes)]
  if (def.trigger.type === 'audience') problems.push(...filterProblems(def.trigger.audience, 'trigger.audience'))
  problems.push(...filterProblems(def.conditions, 'conditions'))
  def.steps.forEach((s, i) => { if (s.type === 'branch') problems.push(...filterProblems(s.condition, `steps.${i}.condition`)) })
  const refs: { field: string; table: string; id: string }[] = []
  def.steps.forEach((s, i) => {
    if (s.type === 'message') {
      refs.push({ field: `steps.${i}.templateId`, table: 'message_templates', id: s.templateId })
      if (s.channelId) refs.push({ field: `steps.${i}.channelId`, table: 'notification_channels', id: s.channelId })
    }
    if (s.type === 'coupon') refs.push({ field: `steps.${i}.templateId`, table: 'coupon_templates', id: s.templateId })
  })
  if (refs.length > 0) {
    const found = new Set((await rows<{ id: string }>(ex, sql`
      select id::text from message_templates where deleted_at is null and id = any(${idArray(refs, 'message_templates')}::uuid[])
      union all select id::text from notification_channels where deleted_at is null and id = any(${idArray(refs, 'notification_channels')}::uuid[])
      union all select id::text from coupon_templates where deleted_at is null and id = any(${idArray(refs, 'coupon_templates')}::uuid[])`)).map((r) => r.id))
    for (const r of refs) if (!found.has(r.id)) problems.push({ field: r.field, message: 'refers to nothing that exists', code: 'UNKNOWN_REFERENCE' })
  }
  if (problems.length > 0) throw new CrmError('CRM_ERR_VALIDATION', `Invalid journey: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`, problems)
}

const idArray = (refs: { table: string; id: string }[], table: string) => `{${refs.filter((r) => r.table === table).map((r) => r.id).join(',')}}`
