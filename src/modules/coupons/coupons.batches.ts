import { and, asc, eq, inArray } from 'drizzle-orm'
import { runAction, type Action } from '../../db/action.js'
import type { Db } from '../../db/client.js'
import { couponBatches } from '../../db/schema/coupons.js'
import { couponWindow } from '../../rules/coupon-validity.js'
import { actionContext, systemActor } from '../auth/actor.js'
import { insertCodes, type CodeSource } from './coupons.generate.js'
import { couponsRepository as repo, type BatchRow, type TemplateRow } from './coupons.repository.js'
import { batchView } from './coupons.views.js'

/** Batches up to this size are generated in the request; larger ones by the coupon-batches job. */
export const SYNC_BATCH_LIMIT = 10_000
export const MAX_BATCH = 1_000_000

/**
 * Generates a batch's codes (unassigned: whoever is handed one may use it) and marks it
 * completed, in the caller's action: one `coupon_batch.completed` event, not one per code.
 */
export async function generateBatch(action: Action, batch: BatchRow, template: TemplateRow, now: Date, source?: CodeSource): Promise<BatchRow> {
  const window = couponWindow(template, now)
  await insertCodes(action.tx, { templateId: template.id, batchId: batch.id, issuedAt: now, ...window }, batch.quantity, source)
  const [done] = await action.tx.update(couponBatches).set({ status: 'completed', issued: batch.quantity, completedAt: now, error: null })
    .where(eq(couponBatches.id, batch.id)).returning()
  action.audit({ action: 'coupon_batch.completed', entityType: 'coupon_batch', entityId: batch.id, changes: { issued: batch.quantity, templateId: template.id } })
  action.emit({ type: 'coupon_batch.completed', entityType: 'coupon_batch', entityId: batch.id, data: { batch: batchView(done) } })
  return done
}

/**
 * The job's pass: each pending batch (or one left running by a process that died) in turn.
 * A batch is claimed (pending → running, committed, so readers see it started), then
 * generated in ONE transaction holding its row lock: another process skips it, and a
 * crash rolls everything back, leaving it to the next pass. A batch that fails for a
 * reason of its own is marked failed and its reservation given back to the template.
 */
export async function runPendingBatches(db: Db, now: Date, source?: CodeSource): Promise<{ batches: number; codes: number; failed: number }> {
  const out = { batches: 0, codes: 0, failed: 0 }
  const tried = new Set<string>()
  for (;;) {
    const claimed = await claimNext(db, [...tried])
    if (!claimed) return out
    tried.add(claimed.id)
    try {
      const done = await runAction(db, actionContext(systemActor), async (action) => {
        const [batch] = await action.tx.select().from(couponBatches)
          .where(and(eq(couponBatches.id, claimed.id), inArray(couponBatches.status, ['pending', 'running']))).for('update', { skipLocked: true })
        if (!batch) return null
        const template = await repo.template(action.tx, batch.templateId)
        if (!template) throw new Error('its template was deleted')
        return generateBatch(action, batch, template, now, source)
      })
      if (done) { out.batches++; out.codes += done.quantity }
    } catch (err) {
      out.failed++
      await markFailed(db, claimed, err instanceof Error ? err.message : String(err))
      throw err
    }
  }
}

async function claimNext(db: Db, skip: string[]): Promise<BatchRow | null> {
  return db.transaction(async (tx) => {
    const [batch] = await tx.select().from(couponBatches)
      .where(inArray(couponBatches.status, ['pending', 'running']))
      .orderBy(asc(couponBatches.createdAt), asc(couponBatches.id)).limit(skip.length + 1).for('update', { skipLocked: true })
      .then((found) => found.filter((b) => !skip.includes(b.id)))
    if (!batch) return null
    if (batch.status === 'pending') await tx.update(couponBatches).set({ status: 'running' }).where(eq(couponBatches.id, batch.id))
    return batch
  })
}

async function markFailed(db: Db, batch: BatchRow, error: string): Promise<void> {
  await runAction(db, actionContext(systemActor), async (action) => {
    const [row] = await action.tx.update(couponBatches).set({ status: 'failed', error: error.slice(0, 1000) })
      .where(and(eq(couponBatches.id, batch.id), inArray(couponBatches.status, ['pending', 'running']))).returning()
    if (!row) return
    await repo.release(action.tx, batch.templateId, batch.quantity)
    action.audit({ action: 'coupon_batch.failed', entityType: 'coupon_batch', entityId: batch.id, changes: { error: row.error } })
  })
}
