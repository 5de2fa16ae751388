import { sql } from 'drizzle-orm'
import type { Action } from '../../db/action.js'
import { rows, ts } from '../../db/rows.js'
import { tasks } from '../../db/schema/tasks.js'
import type { JourneyStep } from '../../rules/journey-definition.js'
import { waitUntil } from '../../rules/journey-schedule.js'
import { issueCouponInAction } from '../coupons/coupons.issue.js'
import { levelsOnPointsEarned } from '../levels/levels.evaluate.js'
import { creditLot } from '../points/points.ledger.js'
import { pointsRepository } from '../points/points.repository.js'
import type { MessageGate } from './journey-messages.js'

/**
 * What each step does for a group of enrollments at the same step of the same version, set
 * based where the effect is (messages, tasks, tags, events), inside the runner's
 * transaction: the effects commit with the step runs and the enrollments' advance, or not at all.
 */

export type Due = { id: string; journeyId: string; version: number; customerId: string; ownerId: string | null; stepKey: string; seq: number }
export type Outcome = { outcome: 'completed' | 'skipped' | 'held' | 'capped' | 'blocked' | 'failed'; reason?: string | null; detail?: Record<string, unknown> | null; branch?: 'then' | 'else'; dueAt?: Date; exit?: boolean }

export type StepContext = { action: Action; now: Date; timeZone: string; gate: MessageGate; passes: (filter: Record<string, unknown>, customerIds: string[]) => Promise<Set<string>> }

/** A text[] from a list as one JSON parameter (drizzle would spread an array into several). */
const textArray = (list: string[]) => sql`array(select jsonb_array_elements_text(${JSON.stringify(list)}::jsonb))`

const all = (list: Due[], o: Outcome) => new Map<string, Outcome>(list.map((d) => [d.id, o]))

export async function runStep(step: JourneyStep, list: Due[], cx: StepContext): Promise<Map<string, Outcome>> {
  const { action, now } = cx
  switch (step.type) {
    case 'wait':
      return all(list, { outcome: 'completed', dueAt: waitUntil(step, now, cx.timeZone), detail: { until: waitUntil(step, now, cx.timeZone).toISOString() } })
    case 'exit':
      return all(list, { outcome: 'completed', exit: true })
    case 'branch': {
      const yes = await cx.passes(step.condition, list.map((d) => d.customerId))
      return new Map(list.map((d): [string, Outcome] => [d.id, { outcome: 'completed', branch: yes.has(d.customerId) ? 'then' : 'else', detail: { branch: yes.has(d.customerId) ? 'then' : 'else' } }]))
    }
    case 'message': {
      const outcomes = await cx.gate.enqueueCustomerMessages(action.tx, list.map((d) => ({
        customerId: d.customerId, templateId: step.templateId, channelId: step.channelId ?? null, context: { customerId: d.customerId },
        dedupeKey: `journey:${d.id}:${d.seq}`, journey: { journeyId: d.journeyId, version: d.version, enrollmentId: d.id, stepKey: d.stepKey }
      })), now)
      const byKey = new Map(outcomes.map((o) => [o.dedupeKey, o]))
      return new Map(list.map((d): [string, Outcome] => {
        const o = byKey.get(`journey:${d.id}:${d.seq}`)
        if (!o) return [d.id, { outcome: 'failed', reason: 'no_gate_outcome' }]
        const outcome = o.status === 'queued' || o.status === 'duplicate' ? 'completed' : o.status
        return [d.id, { outcome, reason: o.reason, detail: { messageId: o.messageId, status: o.status, ...(o.sendAfter ? { sendAfter: o.sendAfter } : {}) } }]
      }))
    }
    case 'task': {
      const owned = list.filter((d) => d.ownerId)
      const out = all(list.filter((d) => !d.ownerId), { outcome: 'failed', reason: 'no_owner' })
      if (owned.length === 0) return out
      const dueAt = step.dueInHours !== undefined ? new Date(now.getTime() + step.dueInHours * 3_600_000) : null
      const made = await action.tx.insert(tasks).values(owned.map((d) => ({
        title: step.title, description: step.description ?? null, dueAt, priority: step.priority ?? 'normal', origin: 'journey',
        assigneeId: d.ownerId, customerId: d.customerId
      }))).returning()
      made.forEach((row, i) => {
        const { deletedAt: _d, ...task } = row
        action.audit({ action: 'task.created', entityType: 'task', entityId: row.id, changes: task })
        action.emit({ type: 'task.created', entityType: 'task', entityId: row.id, data: { task } })
        out.set(owned[i].id, { outcome: 'completed', detail: { taskId: row.id, assigneeId: row.assigneeId } })
      })
      return out
    }
    case 'tag': {
      const ids = [...new Set(list.map((d) => d.customerId))]
      const changed = await rows<{ id: string; version: number; before: string[]; after: string[] }>(action.tx, sql`
        with old as (select id, tags from customers where id = any(${`{${ids.join(',')}}`}::uuid[]) and deleted_at is null for update),
        next as (
          select old.id, old.tags as before, array(select distinct t from unnest(old.tags || ${textArray(step.add ?? [])}) t where not t = any(${textArray(step.remove ?? [])}) order by t) as after
          from old)
        update customers c set tags = next.after, version = c.version + 1, updated_at = ${ts(now)}
        from next where c.id = next.id and next.after is distinct from next.before
        returning c.id, c.version, next.before, next.after`)
      for (const c of changed) {
        const changes = { tags: { from: c.before, to: c.after } }
        action.audit({ action: 'customer.updated', entityType: 'customer', entityId: c.id, changes })
        action.emit({ type: 'customer.updated', entityType: 'customer', entityId: c.id, data: { id: c.id, version: c.version, changes } })
      }
      const touched = new Set(changed.map((c) => c.id))
      return new Map(list.map((d): [string, Outcome] => [d.id, { outcome: 'completed', detail: { changed: touched.has(d.customerId) } }]))
    }
    case 'points': {
      const out = new Map<string, Outcome>()
      for (const d of list) {
        const account = (await pointsRepository.lock(action.tx, { customerId: d.customerId }, true, now))!
        const entry = await creditLot(action, account, 'earn', step.amount, { sourceType: 'journey', sourceId: `${d.id}:${d.seq}`, reason: step.reason ?? 'journey' }, now, now)
        if (entry) await levelsOnPointsEarned(action, d.customerId, now)
        out.set(d.id, { outcome: 'completed', detail: { pointsEntryId: entry?.id ?? null, amount: step.amount } })
      }
      return out
    }
    case 'coupon': {
      const out = new Map<string, Outcome>()
      for (const d of list) {
        const r = await issueCouponInAction(action, { templateId: step.templateId, customerId: d.customerId }, now)
        out.set(d.id, r.ok ? { outcome: 'completed', detail: { couponId: r.coupon.id } } : { outcome: 'failed', reason: r.reason.toLowerCase() })
      }
      return out
    }
    case 'event':
      for (const d of list) {
        action.emit({ type: 'automation.action', entityType: 'journey', entityId: d.journeyId, data: {
          name: step.name, data: step.data ?? {}, journeyId: d.journeyId, version: d.version, enrollmentId: d.id, stepKey: d.stepKey, customerId: d.customerId
        } })
      }
      return all(list, { outcome: 'completed' })
  }
}
